#!/usr/bin/env python3
"""Writes the Compound File Binary (CFB) and Outlook .msg fixtures of TestDocuments/outlook/.

Everything here is written from the published structures ([MS-CFB] for the container,
[MS-OXMSG] and [MS-OXPROPS] for messages): no Outlook, no third-party writer. Run once;
the files are committed. `python3 make_msg_fixtures.py` rewrites them all.
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "outlook")

END_OF_CHAIN = 0xFFFFFFFE
FREE = 0xFFFFFFFF
FAT_SECT = 0xFFFFFFFD
NO_STREAM = 0xFFFFFFFF
SIGNATURE = bytes([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1])


class Stream:
    def __init__(self, name, data):
        self.name, self.data = name, data


class Storage:
    def __init__(self, name, children=()):
        self.name, self.children = name, list(children)


def _sort_key(name):
    # [MS-CFB] 2.6.4: shorter names first, then by upper-cased UTF-16 code units.
    return (len(name), name.upper())


class _Writer:
    """Lays out a tree of storages and streams: header, FAT, directory, mini FAT, mini
    stream, then the large streams, each in consecutive sectors."""

    def __init__(self, root_children, version=3):
        self.shift = 9 if version == 3 else 12
        self.size = 1 << self.shift
        self.version = version
        self.entries = []  # dicts: name, type, left, right, child, start, size, node
        self._add(Storage("Root Entry", root_children), 5)

    def _add(self, node, kind):
        index = len(self.entries)
        entry = {"name": node.name, "type": kind, "left": NO_STREAM, "right": NO_STREAM, "child": NO_STREAM,
                 "start": END_OF_CHAIN, "size": 0, "node": node}
        self.entries.append(entry)
        if isinstance(node, Storage):
            ids = [self._add(child, 1 if isinstance(child, Storage) else 2) for child in node.children]
            ids.sort(key=lambda i: _sort_key(self.entries[i]["name"]))
            entry["child"] = self._tree(ids)
        else:
            entry["size"] = len(node.data)
        return index

    def _tree(self, ids):
        # A balanced binary search tree over the sorted siblings (all nodes black).
        if not ids:
            return NO_STREAM
        middle = len(ids) // 2
        root = ids[middle]
        self.entries[root]["left"] = self._tree(ids[:middle])
        self.entries[root]["right"] = self._tree(ids[middle + 1:])
        return root

    def build(self):
        size = self.size
        small = [e for e in self.entries if e["type"] == 2 and e["size"] < 4096]
        large = [e for e in self.entries if e["type"] == 2 and e["size"] >= 4096]
        # The mini stream: 64-byte mini sectors, chained through the mini FAT.
        mini_data = bytearray()
        mini_fat = []
        for e in small:
            if e["size"] == 0:
                continue
            count = (e["size"] + 63) // 64
            first = len(mini_data) // 64
            e["start"] = first
            mini_fat += [first + k + 1 for k in range(count - 1)] + [END_OF_CHAIN]
            mini_data += e["node"].data + b"\0" * (count * 64 - e["size"])
        directory_sectors = (len(self.entries) * 128 + size - 1) // size
        mini_fat_sectors = (len(mini_fat) * 4 + size - 1) // size
        mini_stream_sectors = (len(mini_data) + size - 1) // size
        large_sectors = [(e["size"] + size - 1) // size for e in large]
        body = directory_sectors + mini_fat_sectors + mini_stream_sectors + sum(large_sectors)
        fat_sectors = 1
        while fat_sectors * (size // 4) < fat_sectors + body:
            fat_sectors += 1
        assert fat_sectors <= 109, "fixtures stay within the header's DIFAT"
        fat = [FAT_SECT] * fat_sectors
        cursor = fat_sectors

        def chain(count):
            nonlocal cursor
            if count == 0:
                return END_OF_CHAIN
            start = cursor
            fat.extend(start + k + 1 for k in range(count - 1))
            fat.append(END_OF_CHAIN)
            cursor += count
            return start

        directory_start = chain(directory_sectors)
        mini_fat_start = chain(mini_fat_sectors)
        mini_stream_start = chain(mini_stream_sectors)
        self.entries[0]["start"] = mini_stream_start if mini_data else END_OF_CHAIN
        self.entries[0]["size"] = len(mini_data)
        for e, count in zip(large, large_sectors):
            e["start"] = chain(count)
        fat += [FREE] * (fat_sectors * (size // 4) - len(fat))

        header = bytearray(512)
        header[0:8] = SIGNATURE
        struct.pack_into("<HHHHH", header, 24, 0x3E, self.version, 0xFFFE, self.shift, 6)
        struct.pack_into("<IIIIIIIII", header, 40, directory_sectors if self.version == 4 else 0, fat_sectors, directory_start, 0, 4096,
                         mini_fat_start if mini_fat else END_OF_CHAIN, mini_fat_sectors, END_OF_CHAIN, 0)
        difat = list(range(fat_sectors)) + [FREE] * (109 - fat_sectors)
        struct.pack_into("<109I", header, 76, *difat)
        out = bytearray(header) + b"\0" * (size - 512)  # version 4: the header fills a 4096-byte sector
        out += struct.pack("<%dI" % len(fat), *fat)
        directory = bytearray()
        for e in self.entries:
            directory += self._entry(e)
        directory += (b"\0" * 64 + struct.pack("<HBB", 0, 0, 1) + struct.pack("<III", NO_STREAM, NO_STREAM, NO_STREAM)
                      + b"\0" * 48) * ((directory_sectors * size - len(directory)) // 128)
        out += directory
        out += struct.pack("<%dI" % len(mini_fat), *mini_fat) + struct.pack("<I", FREE) * (mini_fat_sectors * size // 4 - len(mini_fat))
        out += mini_data + b"\0" * (mini_stream_sectors * size - len(mini_data))
        for e, count in zip(large, large_sectors):
            out += e["node"].data + b"\0" * (count * size - e["size"])
        return bytes(out)

    def _entry(self, e):
        name = e["name"].encode("utf-16-le")
        assert len(name) <= 62, e["name"]
        b = bytearray(128)
        b[0:len(name)] = name
        struct.pack_into("<HBB", b, 64, len(name) + 2, e["type"], 1)
        struct.pack_into("<III", b, 68, e["left"], e["right"], e["child"])
        struct.pack_into("<IQ", b, 116, e["start"] & 0xFFFFFFFF, e["size"])
        return bytes(b)


def cfb(children, version=3):
    return _Writer(children, version).build()


def write(name, data):
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


def entry_offset(data, index, shift=9):
    """The byte offset of directory entry `index` (the directory's sectors are consecutive here)."""
    first = struct.unpack_from("<I", data, 48)[0]
    return ((first + 1) << shift) + index * 128


def containers():
    """Plain CFB files: both versions, a small and a large stream, nested storages."""
    big = bytes((i * 7 + 3) % 251 for i in range(70000))
    tree = [Stream("small", b"hello, compound file"), Stream("exactly4096", b"x" * 4096), Stream("big", big),
            Storage("folder", [Stream("inner", b"inside a storage"), Storage("deeper", [Stream("leaf", b"leaf" * 300)])]),
            Stream("empty", b"")]
    write("cfb-v3.cfb", cfb(tree, 3))
    write("cfb-v4.cfb", cfb(tree, 4))
    # What the legacy and encrypted Office files look like inside: named by their streams.
    write("legacy-word.doc", cfb([Stream("WordDocument", b"\xec\xa5" + b"\0" * 600), Stream("1Table", b"\0" * 100)]))
    write("legacy-excel.xls", cfb([Stream("Workbook", b"\x09\x08" + b"\0" * 600)]))
    write("encrypted-ooxml.docx", cfb([Stream("EncryptionInfo", b"\x04\x00\x04\x00" + b"\0" * 200), Stream("EncryptedPackage", b"\0" * 5000)]))


def hostile():
    """Damaged containers: each must be refused with a clear error, quickly."""
    base = bytearray(cfb([Stream("a", b"A" * 5000), Stream("b", b"small stream"), Storage("s", [Stream("c", b"C" * 100)])]))
    fat_start = 512  # the first FAT sector is sector 0

    def fat_entry(data, sector, value):
        struct.pack_into("<I", data, fat_start + 4 * sector, value)

    def entry(index):
        return entry_offset(base, index)

    # A FAT chain that loops: stream "a" (sectors of 10 consecutive) points back at its start.
    d = bytearray(base)
    a_start = struct.unpack_from("<I", d, entry(1) + 116)[0]
    fat_entry(d, a_start + 9, a_start)
    write("hostile-fat-loop.cfb", d)
    # A directory cycle: storage "s"'s child tree points back at the root's first child.
    d = bytearray(base)
    storage = next(i for i in range(1, 6) if d[entry(i):entry(i) + 2] == b"s\0")
    struct.pack_into("<I", d, entry(storage) + 76, storage)
    write("hostile-directory-cycle.cfb", d)
    # A stream starting at a sector far beyond the end of the file.
    d = bytearray(base)
    struct.pack_into("<I", d, entry(1) + 116, 0x00FFFFF0)
    write("hostile-sector-beyond-end.cfb", d)
    # A stream claiming more bytes than its chain holds.
    d = bytearray(base)
    struct.pack_into("<I", d, entry(1) + 120, 900000)
    write("hostile-lying-size.cfb", d)
    # The file cut in the middle of its large stream.
    write("hostile-truncated.cfb", bytes(base[: len(base) - 3000]))
    # A header claiming millions of FAT sectors.
    d = bytearray(base)
    struct.pack_into("<I", d, 44, 0x7FFFFFFF)
    write("hostile-fat-count.cfb", d)
    # A DIFAT chain that points at itself: one more FAT sector is promised, and the DIFAT
    # sector listing it (a sector of stream "a", overwritten) names itself as the next.
    d = bytearray(base)
    struct.pack_into("<127II", d, (a_start + 1) * 512, *([FREE] * 127), a_start)
    struct.pack_into("<I", d, 44, 2)
    struct.pack_into("<II", d, 68, a_start, 1)
    write("hostile-difat-loop.cfb", d)


if __name__ == "__main__":
    containers()
    hostile()
    print("outlook fixtures written to", OUT)
