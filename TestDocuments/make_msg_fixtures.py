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


# ---- Outlook messages ([MS-OXMSG]) ----

UNICODE, STRING8, BINARY, INT32, BOOL, TIME, OBJECT = 0x001F, 0x001E, 0x0102, 0x0003, 0x000B, 0x0040, 0x000D
RTF_PREAMBLE = (b"{\\rtf1\\ansi\\mac\\deff0\\deftab720{\\fonttbl;}{\\f0\\fnil \\froman \\fswiss \\fmodern \\fscript \\fdecor MS Sans SerifSymbol"
                b"ArialTimes New RomanCourier{\\colortbl\\red0\\green0\\blue0\r\n\\par \\pard\\plain\\f0\\fs20\\b\\i\\u\\tab\\tx")
assert len(RTF_PREAMBLE) == 207


def crc32_rtf(data):
    """[MS-OXRTFCP] 2.1.3.2: the CRC-32 table, starting from 0, no final inversion."""
    table = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = 0xEDB88320 ^ (c >> 1) if c & 1 else c >> 1
        table.append(c)
    crc = 0
    for b in data:
        crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc


def lzfu(rtf):
    """Compresses RTF as [MS-OXRTFCP] describes: greedy matches of 2..17 bytes against the
    4 KiB dictionary, which starts with the RTF preamble; the end is a reference to the
    current write position."""
    dictionary = bytearray(4096)
    dictionary[:207] = RTF_PREAMBLE
    write = 207
    body = bytearray()
    i = 0
    done = False
    while not done:
        control, chunk = 0, bytearray()
        for bit in range(8):
            if i >= len(rtf):
                control |= 1 << bit
                chunk += struct.pack(">H", write << 4)
                done = True
                break
            best_length, best_offset = 0, 0
            for offset in range(4096):
                room = (write - offset) % 4096  # bytes between the match and the write position
                length = 0
                while length < 17 and length < room and i + length < len(rtf) and dictionary[(offset + length) % 4096] == rtf[i + length]:
                    length += 1
                if length > best_length:
                    best_length, best_offset = length, offset
            if best_length >= 2:
                control |= 1 << bit
                chunk += struct.pack(">H", (best_offset << 4) | (best_length - 2))
                taken = rtf[i:i + best_length]
            else:
                chunk.append(rtf[i])
                taken = rtf[i:i + 1]
            for b in taken:
                dictionary[write] = b
                write = (write + 1) % 4096
            i += len(taken)
        body.append(control)
        body += chunk
    return struct.pack("<IIII", len(body) + 12, len(rtf), 0x75465A4C, crc32_rtf(body)) + bytes(body)


def stored_rtf(rtf):
    """RTF in the uncompressed ("MELA") form."""
    return struct.pack("<IIII", len(rtf) + 12, len(rtf), 0x414C454D, 0) + rtf


def filetime(year, month, day, hour, minute, second):
    import datetime
    moment = datetime.datetime(year, month, day, hour, minute, second, tzinfo=datetime.timezone.utc)
    return int((moment - datetime.datetime(1601, 1, 1, tzinfo=datetime.timezone.utc)).total_seconds()) * 10_000_000


MV_UNICODE, MV_STRING8 = 0x101F, 0x101E
PS_PUBLIC_STRINGS = bytes.fromhex("2903020000000000C000000000000046")
PSETID_COMMON = bytes.fromhex("0820060000000000C000000000000046")


def name_map(names):
    """The three streams of a named-property map ([MS-OXMSG] 2.2.3.1, the same layout as
    [MS-PST] 2.4.7): `names` are (property set GUID bytes, name str or number int), given
    property ids 0x8000, 0x8001, ... in order. Returns (guids, entries, strings)."""
    guids, entries, strings = bytearray(), bytearray(), bytearray()
    for index, (guid, name) in enumerate(names):
        if guid == PS_PUBLIC_STRINGS:
            guid_index = 2
        else:
            if guid not in bytes(guids):
                guids += guid
            guid_index = 3 + bytes(guids).index(guid) // 16
        if isinstance(name, str):
            encoded = name.encode("utf-16-le")
            entries += struct.pack("<IHH", len(strings), (guid_index << 1) | 1, index)
            strings += struct.pack("<I", len(encoded)) + encoded
            strings += b"\0" * (-len(strings) % 4)
        else:
            entries += struct.pack("<IHH", name, guid_index << 1, index)
    return bytes(guids), bytes(entries), bytes(strings)


# The named properties every fixture file maps: the categories, and a numbered one of
# another property set (so that the GUID stream is used).
NAMES = [(PS_PUBLIC_STRINGS, "Keywords"), (PSETID_COMMON, 0x8501)]
KEYWORDS = 0x8000


def properties(props, header):
    """The __properties_version1.0 stream and the __substg1.0_ streams of `props`:
    (id, type, value) with str for UNICODE, bytes for STRING8/BINARY, int for INT32/BOOL/TIME."""
    entries = bytearray(header)
    streams = []
    for pid, ptype, value in props:
        tag = (pid << 16) | ptype
        name = "__substg1.0_%04X%04X" % (pid, ptype)
        if ptype in (MV_UNICODE, MV_STRING8):
            # One stream per value (with its terminator), and a stream of their lengths.
            values = [v.encode("utf-16-le") + b"\0\0" if ptype == MV_UNICODE else v + b"\0" for v in value]
            lengths = b"".join(struct.pack("<I", len(v)) for v in values)
            streams.append(Stream(name, lengths))
            streams += [Stream(name + "-%08X" % k, v) for k, v in enumerate(values)]
            entries += struct.pack("<IIII", tag, 6, len(lengths), 0)
        elif ptype == UNICODE:
            data = value.encode("utf-16-le")
            streams.append(Stream(name, data))
            entries += struct.pack("<IIII", tag, 6, len(data) + 2, 0)
        elif ptype in (STRING8, BINARY):
            streams.append(Stream(name, value))
            entries += struct.pack("<IIII", tag, 6, len(value) + (1 if ptype == STRING8 else 0), 0)
        else:
            entries += struct.pack("<IIQ", tag, 6, value)
    return [Stream("__properties_version1.0", bytes(entries))] + streams


def message(props, recipients=(), attachments=(), top=True):
    """The children of a message's storage. `attachments`: (props, embedded message
    children or None)."""
    if not any(pid == 0x001A for pid, _, _ in props):
        props = [(0x001A, UNICODE, "IPM.Note")] + list(props)
    # PidTagStoreSupportMask: STORE_UNICODE_OK unless the strings are 8-bit.
    if top and not any(pid == 0x340D for pid, _, _ in props):
        props = list(props) + [(0x340D, INT32, 0 if any(t == STRING8 for _, t, _ in props) else 0x00040000)]
    if top:
        header = struct.pack("<8xIIII8x", len(recipients), len(attachments), len(recipients), len(attachments))
    else:
        header = struct.pack("<8xIIII", len(recipients), len(attachments), len(recipients), len(attachments))
    children = properties(props, header)
    for k, recipient in enumerate(recipients):
        children.append(Storage("__recip_version1.0_#%08X" % k, properties(recipient, b"\0" * 8)))
    for k, (attachment, embedded) in enumerate(attachments):
        inner = properties(attachment, b"\0" * 8)
        if embedded is not None:
            inner.append(Storage("__substg1.0_3701000D", embedded))
        children.append(Storage("__attach_version1.0_#%08X" % k, inner))
    if top:
        guids, entries, strings = name_map(NAMES)
        children.append(Storage("__nameid_version1.0", [Stream("__substg1.0_00020102", guids), Stream("__substg1.0_00030102", entries),
                                                         Stream("__substg1.0_00040102", strings)]))
    return children


def recipient(kind, name, smtp):
    return [(0x0C15, INT32, kind), (0x3001, UNICODE, name), (0x3002, UNICODE, "SMTP"), (0x3003, UNICODE, smtp), (0x39FE, UNICODE, smtp)]


def by_value(name, data, mime=None):
    props = [(0x3705, INT32, 1), (0x3707, UNICODE, name), (0x3704, UNICODE, name[:8]), (0x3701, BINARY, data)]
    if mime:
        props.append((0x370E, UNICODE, mime))
    return (props, None)


def embedded(name, children):
    return ([(0x3705, INT32, 5), (0x3001, UNICODE, name)], children)


def messages():
    """Messages covering each way Outlook stores text, people and attachments."""
    with open(os.path.join(HERE, "sample-report.docx"), "rb") as f:
        report = f.read()
    note = "Hi team,\r\n\r\nThe Q3 report is attached. Revenue rose to 4.2 million; please send comments by Friday.\r\n\r\nThanks,\r\nAda\r\n"
    write("plain-utf16.msg", cfb(message(
        [(0x001A, UNICODE, "IPM.Note"), (0x0037, UNICODE, "Q3 report – draft for review"), (0x0C1A, UNICODE, "Ada Lovelace"),
         (0x0C1E, UNICODE, "SMTP"), (0x0C1F, UNICODE, "ada@example.org"), (0x5D01, UNICODE, "ada@example.org"),
         (0x0039, TIME, filetime(2024, 10, 7, 9, 30, 0)), (0x1035, UNICODE, "<q3-report@example.org>"),
         (0x1042, UNICODE, "<planning@example.org>"), (0x1000, UNICODE, note), (KEYWORDS, MV_UNICODE, ["Finance", "Q3 review"])],
        recipients=[recipient(1, "Grace Hopper", "grace@example.org"), recipient(1, "Alan Turing", "alan@example.org"),
                    recipient(2, "Finance", "finance@example.org"), recipient(3, "Archive", "archive@example.org")],
        attachments=[by_value("Q3 report.docx", report), by_value("notes.txt", b"Remember the appendix.\n", "text/plain")])))

    headers = ("Received: from mail.example.ru\r\nFrom: =?koi8-r?B?8MXU0s/X?= <petrov@example.ru>\r\nTo: team@example.ru\r\n"
               "Date: Mon, 7 Oct 2024 12:30:00 +0300\r\nMessage-ID: <cp1251@example.ru>\r\nSubject: test\r\n\r\n")
    write("codepage-1251.msg", cfb(message(
        [(0x001A, STRING8, b"IPM.Note"), (0x0037, STRING8, "Отчёт за квартал".encode("cp1251")), (0x0C1A, STRING8, "Петров".encode("cp1251")),
         (0x0C1E, STRING8, b"EX"), (0x0C1F, STRING8, b"/O=EXAMPLE/OU=FIRST ADMINISTRATIVE GROUP/CN=RECIPIENTS/CN=PETROV"),
         (0x3FFD, INT32, 1251), (0x007D, STRING8, headers.encode("ascii")),
         (0x1000, STRING8, "Коллеги, отчёт готов.\r\nСрок — пятница.\r\n".encode("cp1251")),
         (KEYWORDS, MV_STRING8, ["Отчёты".encode("cp1251")])],
        recipients=[[(0x0C15, INT32, 1), (0x3001, STRING8, "Команда".encode("cp1251")), (0x3002, STRING8, b"SMTP"),
                     (0x3003, STRING8, b"team@example.ru")]])))

    rtf = (b"{\\rtf1\\ansi\\ansicpg1252\\deff0{\\fonttbl{\\f0\\fswiss Arial;}}{\\colortbl;\\red0\\green0\\blue0;}"
           b"\\pard\\f0\\fs20 Dear all,\\par\\par The caf\\'e9 budget is \\b 1,200\\b0  euros \\emdash  approved.\\par "
           b"{\\*\\bkmkstart x}Next review: \\u8364?500 in May.\\par\\par Regards,\\line Bob\\par }")
    write("rtf-only.msg", cfb(message(
        [(0x0037, UNICODE, "Budget approved"), (0x0C1A, UNICODE, "Bob"), (0x5D01, UNICODE, "bob@example.org"),
         (0x0039, TIME, filetime(2024, 5, 2, 16, 0, 0)), (0x1009, BINARY, lzfu(rtf))],
        recipients=[recipient(1, "All", "all@example.org")])))
    write("rtf-uncompressed.msg", cfb(message(
        [(0x0037, UNICODE, "Stored RTF"), (0x1009, BINARY, stored_rtf(b"{\\rtf1\\ansi\\ansicpg1252\\deff0{\\fonttbl{\\f0 Arial;}}\\pard Stored, not compressed.\\par }"))])))

    html_rtf = (b"{\\rtf1\\ansi\\ansicpg1252\\fromhtml1 \\deff0{\\fonttbl{\\f0\\fswiss Arial;}}{\\colortbl\\red0\\green0\\blue0;}"
                b"{\\*\\htmltag19 <html>}{\\*\\htmltag34 <head>}{\\*\\htmltag41 <style>p \\{margin:0\\}</style>}{\\*\\htmltag41 </head>}"
                b"{\\*\\htmltag50 <body>}\\htmlrtf {\\htmlrtf0 {\\*\\htmltag64 <p>}Meeting moved to \\b\\htmlrtf0 {\\*\\htmltag84 <b>}Thursday"
                b"{\\*\\htmltag92 </b>}\\b0\\htmlrtf0 .{\\*\\htmltag72 </p>}\\htmlrtf\\par\\htmlrtf0 \r\n"
                b"{\\*\\htmltag64 <p>}Room: Caf\\'e9 2 &amp; 3{\\*\\htmltag72 </p>}\\htmlrtf }\\htmlrtf0 {\\*\\htmltag58 </body>}"
                b"{\\*\\htmltag27 </html>}}")
    write("html-in-rtf.msg", cfb(message(
        [(0x0037, UNICODE, "Meeting moved"), (0x0C1A, UNICODE, "Carol"), (0x5D01, UNICODE, "carol@example.org"),
         (0x1009, BINARY, lzfu(html_rtf))],
        recipients=[recipient(1, "Team", "team@example.org")])))

    inner_note = message(
        [(0x0037, UNICODE, "Original request"), (0x0C1A, UNICODE, "Dan"), (0x5D01, UNICODE, "dan@example.org"),
         (0x0039, TIME, filetime(2024, 9, 30, 8, 0, 0)), (0x1000, UNICODE, "Could you send the figures?\r\n")],
        recipients=[recipient(1, "Ada Lovelace", "ada@example.org")],
        attachments=[by_value("figures.csv", b"region,total\nNorth,1200\nSouth,800\n", "text/csv")], top=False)
    reference = ([(0x3705, INT32, 4), (0x3707, UNICODE, "Budget.xlsx"), (0x370D, UNICODE, "\\\\fileserver\\finance\\Budget.xlsx")], None)
    write("embedded.msg", cfb(message(
        [(0x0037, UNICODE, "FW: Original request"), (0x0C1A, UNICODE, "Ada Lovelace"), (0x5D01, UNICODE, "ada@example.org"),
         (0x1000, UNICODE, "Forwarding Dan's request, with the link to the budget.\r\n")],
        recipients=[recipient(1, "Grace Hopper", "grace@example.org")],
        attachments=[embedded("Original request", inner_note), reference])))


def hostile_messages():
    """Damaged messages: each read, with a warning naming what was lost."""
    rtf = lzfu(b"{\\rtf1\\ansi Damaged body.\\par }")
    bad = bytearray(rtf)
    bad[-3] ^= 0x55
    with open(os.path.join(HERE, "truncated.docx"), "rb") as f:
        broken_docx = f.read()
    write("hostile-rtf-crc.msg", cfb(message([(0x0037, UNICODE, "Bad RTF"), (0x1009, BINARY, bytes(bad))])))
    write("hostile-attachments.msg", cfb(message(
        [(0x0037, UNICODE, "Three attachments, one broken"), (0x1000, UNICODE, "See attached.\r\n")],
        attachments=[by_value("good.txt", b"fine\n", "text/plain"), by_value("broken.docx", broken_docx),
                     ([(0x3705, INT32, 5), (0x3001, UNICODE, "missing storage")], None), by_value("also-good.txt", b"fine too\n")])))
    # A plain body long enough for regular sectors, its FAT chain turned into a loop: the body
    # is lost with a warning; the subject, sender and attachment stay.
    long_body = "A body that needs more than one sector. " * 150
    data = bytearray(cfb(message(
        [(0x0037, UNICODE, "Body chain broken"), (0x0C1A, UNICODE, "Eve"), (0x5D01, UNICODE, "eve@example.org"),
         (0x1000, UNICODE, long_body)], attachments=[by_value("kept.txt", b"still here\n", "text/plain")])))
    first_directory = struct.unpack_from("<I", data, 48)[0]
    for index in range(64):
        at = ((first_directory + 1) << 9) + index * 128
        if data[at:at + 48].decode("utf-16-le", "replace").rstrip("\0") == "__substg1.0_1000001F":
            start = struct.unpack_from("<I", data, at + 116)[0]
            struct.pack_into("<I", data, 512 + 4 * start, start)
            break
    else:
        raise SystemExit("the body stream was not found")
    write("hostile-body-chain.msg", bytes(data))
    deep = message([(0x0037, UNICODE, "level 12"), (0x1000, UNICODE, "bottom\r\n")], top=False)
    for level in range(11, 0, -1):
        deep = message([(0x0037, UNICODE, "level %d" % level)], attachments=[embedded("level %d" % (level + 1), deep)], top=False)
    write("hostile-deep-embedding.msg", cfb(message([(0x0037, UNICODE, "level 0")], attachments=[embedded("level 1", deep)])))


if __name__ == "__main__":
    containers()
    hostile()
    messages()
    hostile_messages()
    print("outlook fixtures written to", OUT)
