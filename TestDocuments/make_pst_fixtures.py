#!/usr/bin/env python3
"""Writes the Outlook PST fixtures of TestDocuments/outlook/.

Written from the published structures alone: [MS-PST] for the three layers (the node database
with its B-trees of nodes and blocks, the heap-on-node, property and table contexts of the
LTP layer, and the messaging layer's folders, messages, recipients and attachments) and
[MS-OXPROPS] for the properties. No Outlook and no third-party writer are involved; libpff
(pip install libpff-python) reads every file back in `check()`. Run once; the files are
committed. `python3 make_pst_fixtures.py` rewrites them; `--big N OUT` writes a PST of the N
first messages of an mbox (the benchmark workload), `--check` reads the fixtures with libpff.
"""
import os
import struct
import sys
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from make_msg_fixtures import (  # noqa: E402
    BINARY, BOOL, INT32, KEYWORDS, MV_STRING8, MV_UNICODE, NAMES, OBJECT, STRING8, TIME, UNICODE, filetime, lzfu, name_map, write)

INT16 = 0x0002

# [MS-PST] 5.1: the three 256-byte tables of the permutation (R encodes, I decodes, S is
# the middle step of the cyclic method of 5.2).
MPBB_CRYPT = [
    # mpbbR
    65, 54, 19, 98, 168, 33, 110, 187, 244, 22, 204, 4, 127, 100, 232, 93,
    30, 242, 203, 42, 116, 197, 94, 53, 210, 149, 71, 158, 150, 45, 154, 136,
    76, 125, 132, 63, 219, 172, 49, 182, 72, 95, 246, 196, 216, 57, 139, 231,
    35, 59, 56, 142, 200, 193, 223, 37, 177, 32, 165, 70, 96, 78, 156, 251,
    170, 211, 86, 81, 69, 124, 85, 0, 7, 201, 43, 157, 133, 155, 9, 160,
    143, 173, 179, 15, 99, 171, 137, 75, 215, 167, 21, 90, 113, 102, 66, 191,
    38, 74, 107, 152, 250, 234, 119, 83, 178, 112, 5, 44, 253, 89, 58, 134,
    126, 206, 6, 235, 130, 120, 87, 199, 141, 67, 175, 180, 28, 212, 91, 205,
    226, 233, 39, 79, 195, 8, 114, 128, 207, 176, 239, 245, 40, 109, 190, 48,
    77, 52, 146, 213, 14, 60, 34, 50, 229, 228, 249, 159, 194, 209, 10, 129,
    18, 225, 238, 145, 131, 118, 227, 151, 230, 97, 138, 23, 121, 164, 183, 220,
    144, 122, 92, 140, 2, 166, 202, 105, 222, 80, 26, 17, 147, 185, 82, 135,
    88, 252, 237, 29, 55, 73, 27, 106, 224, 41, 51, 153, 189, 108, 217, 148,
    243, 64, 84, 111, 240, 198, 115, 184, 214, 62, 101, 24, 68, 31, 221, 103,
    16, 241, 12, 25, 236, 174, 3, 161, 20, 123, 169, 11, 255, 248, 163, 192,
    162, 1, 247, 46, 188, 36, 104, 117, 13, 254, 186, 47, 181, 208, 218, 61,
    # mpbbS
    20, 83, 15, 86, 179, 200, 122, 156, 235, 101, 72, 23, 22, 21, 159, 2,
    204, 84, 124, 131, 0, 13, 12, 11, 162, 98, 168, 118, 219, 217, 237, 199,
    197, 164, 220, 172, 133, 116, 214, 208, 167, 155, 174, 154, 150, 113, 102, 195,
    99, 153, 184, 221, 115, 146, 142, 132, 125, 165, 94, 209, 93, 147, 177, 87,
    81, 80, 128, 137, 82, 148, 79, 78, 10, 107, 188, 141, 127, 110, 71, 70,
    65, 64, 68, 1, 17, 203, 3, 63, 247, 244, 225, 169, 143, 60, 58, 249,
    251, 240, 25, 48, 130, 9, 46, 201, 157, 160, 134, 73, 238, 111, 77, 109,
    196, 45, 129, 52, 37, 135, 27, 136, 170, 252, 6, 161, 18, 56, 253, 76,
    66, 114, 100, 19, 55, 36, 106, 117, 119, 67, 255, 230, 180, 75, 54, 92,
    228, 216, 53, 61, 69, 185, 44, 236, 183, 49, 43, 41, 7, 104, 163, 14,
    105, 123, 24, 158, 33, 57, 190, 40, 26, 91, 120, 245, 35, 202, 42, 176,
    175, 62, 254, 4, 140, 231, 229, 152, 50, 149, 211, 246, 74, 232, 166, 234,
    233, 243, 213, 47, 112, 32, 242, 31, 5, 103, 173, 85, 16, 206, 205, 227,
    39, 59, 218, 186, 215, 194, 38, 212, 145, 29, 210, 28, 34, 51, 248, 250,
    241, 90, 239, 207, 144, 182, 139, 181, 189, 192, 191, 8, 151, 30, 108, 226,
    97, 224, 198, 193, 89, 171, 187, 88, 222, 95, 223, 96, 121, 126, 178, 138,
    # mpbbI
    71, 241, 180, 230, 11, 106, 114, 72, 133, 78, 158, 235, 226, 248, 148, 83,
    224, 187, 160, 2, 232, 90, 9, 171, 219, 227, 186, 198, 124, 195, 16, 221,
    57, 5, 150, 48, 245, 55, 96, 130, 140, 201, 19, 74, 107, 29, 243, 251,
    143, 38, 151, 202, 145, 23, 1, 196, 50, 45, 110, 49, 149, 255, 217, 35,
    209, 0, 94, 121, 220, 68, 59, 26, 40, 197, 97, 87, 32, 144, 61, 131,
    185, 67, 190, 103, 210, 70, 66, 118, 192, 109, 91, 126, 178, 15, 22, 41,
    60, 169, 3, 84, 13, 218, 93, 223, 246, 183, 199, 98, 205, 141, 6, 211,
    105, 92, 134, 214, 20, 247, 165, 102, 117, 172, 177, 233, 69, 33, 112, 12,
    135, 159, 116, 164, 34, 76, 111, 191, 31, 86, 170, 46, 179, 120, 51, 80,
    176, 163, 146, 188, 207, 25, 28, 167, 99, 203, 30, 77, 62, 75, 27, 155,
    79, 231, 240, 238, 173, 58, 181, 89, 4, 234, 64, 85, 37, 81, 229, 122,
    137, 56, 104, 82, 123, 252, 39, 174, 215, 189, 250, 7, 244, 204, 142, 95,
    239, 53, 156, 132, 43, 21, 213, 119, 52, 73, 182, 18, 10, 127, 113, 136,
    253, 157, 24, 65, 125, 147, 216, 88, 44, 206, 254, 36, 175, 222, 184, 54,
    200, 161, 128, 166, 153, 152, 168, 47, 14, 129, 101, 115, 228, 194, 162, 138,
    212, 225, 17, 208, 8, 139, 42, 242, 237, 154, 100, 63, 193, 108, 249, 236,
]
R, S, I = MPBB_CRYPT[:256], MPBB_CRYPT[256:512], MPBB_CRYPT[512:]
assert sorted(R) == list(range(256)) and all(I[R[b]] == b for b in range(256)) and all(S[S[b]] == b for b in range(256))


def crc(data):
    """[MS-PST] 5.3: CRC-32 with the reflected polynomial, starting from 0, no final inversion."""
    return ~zlib.crc32(data, 0xFFFFFFFF) & 0xFFFFFFFF


def signature(ib, bid):
    """[MS-PST] 5.5: the 16-bit signature of a block or page at `ib` with `bid`."""
    value = (ib ^ bid) & 0xFFFFFFFF
    return ((value >> 16) ^ value) & 0xFFFF


R_TABLE = bytes(R)


def encode(data, method, bid):
    if method == 1:
        return bytes(data).translate(R_TABLE)
    if method == 2:
        out, w = bytearray(), ((bid & 0xFFFFFFFF) ^ ((bid & 0xFFFFFFFF) >> 16)) & 0xFFFF
        for b in data:
            b = (b + (w & 0xFF)) & 0xFF
            b = R[b]
            b = (b + (w >> 8)) & 0xFF
            b = S[b]
            b = (b - (w >> 8)) & 0xFF
            b = I[b]
            b = (b - (w & 0xFF)) & 0xFF
            out.append(b)
            w = (w + 1) & 0xFFFF
        return bytes(out)
    return bytes(data)


def span_4k(cb):
    """Bytes a block of `cb` stored bytes takes in a 4 KiB-page file: the data, padding and
    the 24-byte trailer, to a multiple of 512."""
    span = (cb + 511) // 512 * 512
    return span + 512 if span - cb < 24 else span


class Node:
    """A node's data (bytes, or a list of blocks laid out as they must stay) and its subnodes."""

    def __init__(self, data, subnodes=None):
        self.data, self.subnodes = data, dict(subnodes or {})


class NDB:
    """The node database: blocks appended after the header region, then the two B-trees."""

    def __init__(self, unicode=True, crypt=1, page4k=False, compress=False):
        """`page4k`: the OST layout of Outlook 2013 and later (version 36): 4 KiB B-tree pages,
        blocks aligned to 512 bytes with a 24-byte trailer that names the inflated size;
        `compress`: each block that deflate makes smaller is stored compressed."""
        self.unicode, self.crypt = unicode or page4k, crypt
        self.page4k, self.compress = page4k, compress
        self.room = 4056 if page4k else 488 if self.unicode else 496
        unicode = self.unicode
        self.w = 8 if unicode else 4
        self.block_max = 8176 if unicode else 8180
        self.out = bytearray(0x4600)
        self.bbt, self.nbt = [], []
        self.next_bid, self.next_page = 4, 4

    def block(self, data, internal=False, compressible=True):
        bid = self.next_bid | (2 if internal else 0)
        self.next_bid += 4
        assert len(data) <= self.block_max
        stored = bytes(data) if internal else encode(data, self.crypt, bid)
        if self.page4k:
            # Encoded, then compressed: a reader inflates, then decodes.
            packed = zlib.compress(stored) if self.compress and compressible else stored
            if len(packed) >= len(stored):
                packed = stored
            self.out += bytes(-len(self.out) % 512)
            ib = len(self.out)
            span = span_4k(len(packed))
            self.out += packed + bytes(span - 24 - len(packed))
            self.out += struct.pack("<HHIQHHI", len(packed), signature(ib, bid), crc(packed), bid, 0, len(data), 0)
            self.bbt.append((bid, ib, len(packed)))
            return bid
        ib = len(self.out)
        trailer = 16 if self.unicode else 12
        size = (len(data) + trailer + 63) // 64 * 64
        self.out += stored + bytes(size - trailer - len(data))
        if self.unicode:
            self.out += struct.pack("<HHIQ", len(data), signature(ib, bid), crc(stored), bid)
        else:
            self.out += struct.pack("<HHII", len(data), signature(ib, bid), bid, crc(stored))
        self.bbt.append((bid, ib, len(data)))
        return bid

    def tree(self, bids, total, level=1):
        """An XBLOCK (level 1) or XXBLOCK (level 2) over `bids`."""
        per = (self.block_max - 8) // self.w
        if len(bids) > per:
            assert level == 1
            children = []
            for k in range(0, len(bids), per):
                part = bids[k:k + per]
                children.append(self.tree(part, None, 1))
            return self.tree(children, total, 2)
        head = struct.pack("<BBHI", 1, level, len(bids), total if total is not None else 0)
        return self.block(head + b"".join(struct.pack("<Q" if self.unicode else "<I", b) for b in bids), internal=True)

    def xtree(self, blocks):
        """A data tree whose leaves are `blocks`, each a block as it is."""
        if len(blocks) == 1:
            return self.block(blocks[0])
        # The leaves of a data tree stay uncompressed: libpff, the reference, misreads
        # compressed ones (a body garbled part-way, a table's heap not found).
        bids = [self.block(b, compressible=False) for b in blocks]
        total = sum(len(b) for b in blocks)
        per = (self.block_max - 8) // self.w
        if len(bids) <= per:
            return self.tree(bids, total)
        xblocks = []
        for k in range(0, len(bids), per):
            part = bids[k:k + per]
            xblocks.append(self.tree(part, sum(len(b) for b in blocks[k:k + per])))
        head = struct.pack("<BBHI", 1, 2, len(xblocks), total)
        return self.block(head + b"".join(struct.pack("<Q" if self.unicode else "<I", b) for b in xblocks), internal=True)

    def data(self, data):
        if isinstance(data, list):
            return self.xtree(data)
        chunks = [data[k:k + self.block_max] for k in range(0, len(data), self.block_max)] or [b""]
        return self.xtree(chunks)

    def subnode_block(self, subnodes):
        """An SLBLOCK over `subnodes` (nid -> Node), or 0 when there are none."""
        if not subnodes:
            return 0
        entries = []
        for nid in sorted(subnodes):
            node = subnodes[nid]
            entries.append((nid, self.data(node.data), self.subnode_block(node.subnodes)))
        per = (self.block_max - 8) // (3 * self.w)
        if len(entries) > per:
            # More than one SLBLOCK holds: an SIBLOCK over SLBLOCKs, each under its first nid.
            leaves = [(entries[k][0], self.sl_block(entries[k:k + per])) for k in range(0, len(entries), per)]
            if self.unicode:
                body = struct.pack("<BBHI", 2, 1, len(leaves), 0) + b"".join(struct.pack("<QQ", *e) for e in leaves)
            else:
                body = struct.pack("<BBH", 2, 1, len(leaves)) + b"".join(struct.pack("<II", *e) for e in leaves)
            return self.block(body, internal=True)
        return self.sl_block(entries)

    def sl_block(self, entries):
        if self.unicode:
            body = struct.pack("<BBHI", 2, 0, len(entries), 0) + b"".join(struct.pack("<QQQ", *e) for e in entries)
        else:
            body = struct.pack("<BBH", 2, 0, len(entries)) + b"".join(struct.pack("<III", *e) for e in entries)
        return self.block(body, internal=True)

    def node(self, nid, node, parent=0):
        self.nbt.append((nid, self.data(node.data), self.subnode_block(node.subnodes), parent))

    def page(self, ptype, entries, cb, level):
        """A B-tree page (BTPAGE) at the next page boundary; returns (bid, ib)."""
        size = 4096 if self.page4k else 512
        self.out += bytes(-len(self.out) % size)
        ib, bid = len(self.out), self.next_page
        self.next_page += 4
        room = self.room
        if self.page4k:
            # 16-bit counts, then padding, the trailer (type, type, signature, CRC, bid) and 8 bytes.
            body = b"".join(entries).ljust(room, b"\0") + struct.pack("<HHBB", len(entries), room // cb, cb, level) + bytes(10)
            self.out += body + struct.pack("<BBHIQ", ptype, ptype, signature(ib, bid), crc(body), bid) + bytes(8)
            return bid, ib
        body = b"".join(entries).ljust(room, b"\0")
        body += struct.pack("<BBBB", len(entries), room // cb, cb, level)
        if self.unicode:
            body += b"\0" * 4
            self.out += body + struct.pack("<BBHI", ptype, ptype, signature(ib, bid), crc(body)) + struct.pack("<Q", bid)
        else:
            self.out += body + struct.pack("<BBHII", ptype, ptype, signature(ib, bid), bid, crc(body))
        return bid, ib

    def btree(self, ptype, leaves, cb):
        """Pages over `leaves` (key, packed entry), as many levels as needed; the root's BREF."""
        room = self.room
        level, items = 0, sorted(leaves)
        while True:
            per = room // (cb if level == 0 else 3 * self.w)
            pages = []
            for k in range(0, len(items), per):
                chunk = items[k:k + per]
                bid, ib = self.page(ptype, [e for _, e in chunk], cb if level == 0 else 3 * self.w, level)
                pages.append((chunk[0][0], bid, ib))
            if len(pages) == 1:
                return pages[0][1], pages[0][2]
            fmt = "<QQQ" if self.unicode else "<III"
            items = [(key, struct.pack(fmt, key, bid, ib)) for key, bid, ib in pages]
            level += 1

    def finish(self):
        if self.unicode:
            nbt = [(nid, struct.pack("<QQQII", nid, d, s, p, 0)) for nid, d, s, p in self.nbt]
            bbt = [(bid, struct.pack("<QQHHI", bid, ib, cb, 2, 0)) for bid, ib, cb in self.bbt]
            nbt_ref = self.btree(0x81, nbt, 32)
            bbt_ref = self.btree(0x80, bbt, 24)
        else:
            nbt = [(nid, struct.pack("<IIII", nid, d, s, p)) for nid, d, s, p in self.nbt]
            bbt = [(bid, struct.pack("<IIHH", bid, ib, cb, 2)) for bid, ib, cb in self.bbt]
            nbt_ref = self.btree(0x81, nbt, 16)
            bbt_ref = self.btree(0x80, bbt, 12)
        eof = len(self.out)
        head = bytearray(564 if self.unicode else 512)
        head[0:4] = b"!BDN"
        version = 36 if self.page4k else 23 if self.unicode else 14
        struct.pack_into("<HHHBB", head, 8, 0x4F53 if self.page4k else 0x4D53, version, 19, 1, 1)
        rgnid = b"".join(struct.pack("<I", 0x400) for _ in range(32))
        if self.unicode:
            struct.pack_into("<QQI", head, 24, 0, self.next_page, 1)
            head[44:172] = rgnid
            struct.pack_into("<IQQQQQQQQBBH", head, 180, 0, eof, 0x4400, 0, 0, nbt_ref[0], nbt_ref[1], bbt_ref[0], bbt_ref[1], 0, 0, 0)
            head[256:512] = b"\xff" * 256
            head[512], head[513] = 0x80, self.crypt
            struct.pack_into("<Q", head, 516, self.next_bid)
            struct.pack_into("<I", head, 4, crc(bytes(head[8:8 + 471])))
            struct.pack_into("<I", head, 524, crc(bytes(head[8:8 + 516])))
        else:
            struct.pack_into("<III", head, 24, self.next_bid, self.next_page, 1)
            head[36:164] = rgnid
            struct.pack_into("<IIIIIIIIIBBH", head, 164, 0, eof, 0x4400, 0, 0, nbt_ref[0], nbt_ref[1], bbt_ref[0], bbt_ref[1], 0, 0, 0)
            head[204:460] = b"\xff" * 256
            head[460], head[461] = 0x80, self.crypt
            struct.pack_into("<I", head, 4, crc(bytes(head[8:8 + 471])))
        self.out[:len(head)] = head
        return bytes(self.out)


# ---- LTP: heap-on-node, BTH, property and table contexts ([MS-PST] 2.3) ----

MAX_ITEM = 3580  # larger values go to subnodes


class Heap:
    """A heap-on-node: items in blocks of at most `block_max` bytes, each block ending with
    its page map. `subnodes` holds the values too large for the heap."""

    def __init__(self, client, block_max, unicode=True, page4k=False):
        self.client, self.block_max, self.unicode = client, block_max, unicode
        # A 4 KiB-page file's HIDs hold the item index in 14 bits and the block from bit 19.
        self.block_shift = 19 if page4k else 16
        self.blocks = [[]]
        self.subnodes = {}
        self.next_sub = 1

    @staticmethod
    def _start(k):
        """The header size of heap block k: HNHDR for the first, HNBITMAPHDR for blocks 8,
        136, 264…, HNPAGEHDR for the others ([MS-PST] 2.3.1.2–2.3.1.4)."""
        if k == 0:
            return 12
        return 66 if k == 8 or (k > 8 and (k - 8) % 128 == 0) else 2

    def _used(self, k):
        return self._start(k) + sum(len(i) for i in self.blocks[k]) + 4 + 2 * (len(self.blocks[k]) + 2) + 1

    def add(self, data):
        assert len(data) <= MAX_ITEM
        k = len(self.blocks) - 1
        self.blocks[k].append(bytes(data))
        if self._used(k) > self.block_max:
            self.blocks[k].pop()
            self.blocks.append([bytes(data)])
            k += 1
            assert len(self.blocks) <= 0xFFFF
        return (len(self.blocks[k]) << 5) | (k << self.block_shift)

    def value(self, data):
        """An HNID for `data`: a heap item, or a subnode for a large value; 0 for nothing."""
        if len(data) == 0:
            return 0
        if len(data) <= MAX_ITEM:
            return self.add(data)
        nid = (self.next_sub << 5) | 0x1F
        self.next_sub += 1
        self.subnodes[nid] = Node(bytes(data))
        return nid

    def build(self, user_root):
        out = []
        for k, items in enumerate(self.blocks):
            start = self._start(k)
            body = bytearray(start)
            offsets = []
            for item in items:
                offsets.append(start + len(body) - start)
                body += item
            offsets.append(len(body))
            if len(body) % 2:
                body.append(0)
            ibhnpm = len(body)
            body += struct.pack("<HH", len(items), 0) + b"".join(struct.pack("<H", o) for o in offsets)
            if k == 0:
                struct.pack_into("<HBBI", body, 0, ibhnpm, 0xEC, self.client, user_root)
            else:
                struct.pack_into("<H", body, 0, ibhnpm)
            out.append(bytes(body))
        return out


def bth(heap, records, cb_key, cb_ent):
    """A BTH over `records` (key bytes, data bytes), in the order of the keys as
    little-endian numbers; returns the header's HID."""
    records = sorted(records, key=lambda r: int.from_bytes(r[0], "little"))
    level, hid_root = 0, 0
    if records:
        items = [k + d for k, d in records]
        while True:
            per = MAX_ITEM // len(items[0])
            nodes = []
            for k in range(0, len(items), per):
                chunk = items[k:k + per]
                nodes.append((chunk[0][:cb_key], heap.add(b"".join(chunk))))
            if len(nodes) == 1:
                hid_root = nodes[0][1]
                break
            items = [key + struct.pack("<I", hid) for key, hid in nodes]
            level += 1
    return heap.add(struct.pack("<BBBBI", 0xB5, cb_key, cb_ent, level, hid_root))


def encode_value(ptype, value, unicode):
    if ptype == UNICODE:
        return value.encode("utf-16-le")
    if ptype in (MV_UNICODE, MV_STRING8):
        # [MS-PST] 2.3.3.4.2: a count, each value's offset from the start, the values.
        values = [v.encode("utf-16-le") if ptype == MV_UNICODE else bytes(v) for v in value]
        offset = 4 + 4 * len(values)
        head = struct.pack("<I", len(values))
        for v in values:
            head += struct.pack("<I", offset)
            offset += len(v)
        return head + b"".join(values)
    return bytes(value)


def property_context(props, ndb):
    """A PC node of `props` (id, type, value); OBJECT values are (nid, size)."""
    heap = Heap(0xBC, ndb.block_max, ndb.unicode, ndb.page4k)
    records = []
    for pid, ptype, value in props:
        if ptype in (INT32, INT16):
            hnid = value & 0xFFFFFFFF
        elif ptype == BOOL:
            hnid = 1 if value else 0
        elif ptype in (TIME, 0x0014):
            hnid = heap.add(struct.pack("<Q", value))
        elif ptype == OBJECT:
            hnid = heap.add(struct.pack("<II", *value))
        else:
            hnid = heap.value(encode_value(ptype, value, ndb.unicode))
        records.append((struct.pack("<H", pid), struct.pack("<HI", ptype, hnid)))
    root = bth(heap, records, 2, 6)
    return Node(heap.build(root), heap.subnodes)


SIZES = {INT32: 4, INT16: 2, BOOL: 1, TIME: 8, 0x0014: 8}


def table_context(columns, rows, ndb):
    """A TC node: `columns` (id, type) besides the row id and version; `rows` dicts by id,
    each with the row id under 0x67F2."""
    columns = [(0x67F2, INT32), (0x67F3, INT32)] + [c for c in columns if c[0] not in (0x67F2, 0x67F3)]
    bits = {pid: k for k, (pid, _) in enumerate(columns)}
    layout, offset = {0x67F2: (0, 4), 0x67F3: (4, 4)}, 8
    for width in (8, 4, 2, 1):
        for pid, ptype in columns:
            if SIZES.get(ptype, 4) == width and pid not in layout:
                layout[pid] = (offset, width)
                offset += width
        if width == 4:
            end4 = offset
        elif width == 2:
            end2 = offset
    end1 = offset
    row_size = end1 + (len(columns) + 7) // 8
    heap = Heap(0x7C, ndb.block_max, ndb.unicode, ndb.page4k)
    matrix = []
    for row in rows:
        data = bytearray(row_size)
        for pid, ptype in columns:
            if pid not in row:
                continue
            value = row[pid]
            at, width = layout[pid]
            if ptype in SIZES:
                data[at:at + width] = struct.pack({8: "<Q", 4: "<I", 2: "<H", 1: "<B"}[width], value & ((1 << (8 * width)) - 1))
            else:
                data[at:at + 4] = struct.pack("<I", heap.value(encode_value(ptype, value, ndb.unicode)))
            data[end1 + bits[pid] // 8] |= 1 << (7 - bits[pid] % 8)
        matrix.append(bytes(data))
    index = bth(heap, [(struct.pack("<I", r[0x67F2]), struct.pack("<I" if ndb.unicode else "<H", k)) for k, r in enumerate(rows)], 4,
                4 if ndb.unicode else 2)
    total = b"".join(matrix)
    if not matrix:
        rows_hnid = 0
    elif len(total) <= MAX_ITEM:
        rows_hnid = heap.add(total)
    else:
        per = ndb.block_max // row_size
        rows_hnid = (heap.next_sub << 5) | 0x1F
        heap.next_sub += 1
        heap.subnodes[rows_hnid] = Node([b"".join(matrix[k:k + per]) for k in range(0, len(matrix), per)])
    descs = b"".join(struct.pack("<IHBB", (pid << 16) | ptype, layout[pid][0], layout[pid][1], bits[pid])
                     for pid, ptype in sorted(columns, key=lambda c: (c[0] << 16) | c[1]))
    info = struct.pack("<BB4HIII", 0x7C, len(columns), end4, end2, end1, row_size, index, rows_hnid, 0) + descs
    root = heap.add(info)
    return Node(heap.build(root), heap.subnodes)


# ---- Messaging ([MS-PST] 2.4) ----

NID_MESSAGE_STORE, NID_NAME_TO_ID_MAP, NID_ROOT_FOLDER = 0x21, 0x61, 0x122
NID_RECIPIENT_TABLE, NID_ATTACHMENT_TABLE = 0x692, 0x671


class Message:
    """props: (id, type, value); recipients: lists of props; attachments: (props, embedded
    Message or None)."""

    def __init__(self, props, recipients=(), attachments=()):
        self.props, self.recipients, self.attachments = list(props), list(recipients), list(attachments)


class Folder:
    def __init__(self, name, messages=(), folders=()):
        self.name, self.messages, self.folders = name, list(messages), list(folders)


def text(ndb, value):
    """A string property in the file's form: UTF-16 in a Unicode PST, cp1252 in an ANSI one."""
    return (0x3001, UNICODE, value) if ndb.unicode else (0x3001, STRING8, value.encode("cp1252"))


def string_prop(ndb, pid, value):
    return (pid, UNICODE, value) if ndb.unicode else (pid, STRING8, value.encode("cp1252"))


RECIPIENT_COLUMNS = [(0x0C15, INT32), (0x3001, UNICODE), (0x3002, UNICODE), (0x3003, UNICODE), (0x39FE, UNICODE)]
ATTACHMENT_COLUMNS = [(0x0E20, INT32), (0x3704, UNICODE), (0x3705, INT32), (0x3707, UNICODE)]


def as_type(value, ptype):
    """`value` as a string property of `ptype`: str for UNICODE, cp1252 bytes for STRING8."""
    if ptype == UNICODE:
        return value if isinstance(value, str) else bytes(value).decode("cp1252", "replace")
    return value.encode("cp1252", "replace") if isinstance(value, str) else value


def columns_for(ndb, columns):
    return [(pid, STRING8 if (ptype == UNICODE and not ndb.unicode) else ptype) for pid, ptype in columns]


def message_node(ndb, message):
    """A message's PC with its recipient table, attachment table and attachment subnodes."""
    props = list(message.props)
    if not any(p[0] == 0x001A for p in props):
        props.insert(0, string_prop(ndb, 0x001A, "IPM.Note"))
    flags = 0x01 | (0x10 if message.attachments else 0)
    props += [(0x0E07, INT32, flags), (0x0E08, INT32, 1024)]
    subnodes = {}
    rows = []
    for k, recipient in enumerate(message.recipients):
        row = {pid: value for pid, _, value in recipient}
        row[0x67F2] = k
        rows.append(row)
    types = {pid: ptype for recipient in message.recipients for pid, ptype, _ in recipient}
    recipient_columns = [(pid, types.get(pid, ptype if ndb.unicode else STRING8)) for pid, ptype in RECIPIENT_COLUMNS]
    subnodes[NID_RECIPIENT_TABLE] = table_context(recipient_columns, rows, ndb)
    if message.attachments:
        rows = []
        for k, (attach, embedded) in enumerate(message.attachments):
            nid = ((0x400 + k) << 5) | 0x05
            attach = list(attach)
            inner = {}
            if embedded is not None:
                inner_nid = ((0x400 + k) << 5) | 0x1F
                node = message_node(ndb, embedded)
                attach.append((0x3701, OBJECT, (inner_nid, 4096)))
                inner[inner_nid] = node
            pc = property_context(attach, ndb)
            pc.subnodes.update(inner)
            subnodes[nid] = pc
            row = {pid: value for pid, _, value in attach if pid in dict(ATTACHMENT_COLUMNS)}
            row[0x0E20] = sum(len(v) for pid, _, v in attach if pid == 0x3701 and isinstance(v, (bytes, bytearray)))
            row[0x67F2] = nid
            rows.append(row)
        types = {pid: ptype for attach, _ in message.attachments for pid, ptype, _ in attach}
        columns = [(pid, types.get(pid, ptype if ndb.unicode else STRING8)) for pid, ptype in ATTACHMENT_COLUMNS]
        subnodes[NID_ATTACHMENT_TABLE] = table_context(columns, rows, ndb)
    pc = property_context(props, ndb)
    pc.subnodes.update(subnodes)
    return pc


def pst(root_folders, unicode=True, crypt=1, store_name="Personal Folders", damage=None, page4k=False, compress=False):
    """A whole PST: the message store, the root folder with `root_folders` below it.
    `damage(ndb, nids)` may spoil the file before its B-trees are written."""
    ndb = NDB(unicode, crypt, page4k, compress)
    record_key = bytes(range(16))
    ndb.node(NID_MESSAGE_STORE, property_context(
        [(0x0FF9, BINARY, record_key), string_prop(ndb, 0x3001, store_name),
         (0x35E0, BINARY, b"\0" * 4 + record_key + struct.pack("<I", 0x8022))], ndb))
    guids, entries, strings = name_map(NAMES)
    ndb.node(NID_NAME_TO_ID_MAP, property_context(
        [(0x0001, INT32, 251), (0x0002, BINARY, guids), (0x0003, BINARY, entries), (0x0004, BINARY, strings)], ndb))
    counter = [0x400, 0x10000]
    nids = {}

    def folder(entry, nid, parent, path):
        nids[path] = nid
        children = []
        for child in entry.folders:
            counter[0] += 1
            children.append((child, (counter[0] << 5) | 0x02))
        messages = []
        for message in entry.messages:
            counter[1] += 1
            messages.append((message, (counter[1] << 5) | 0x04))
        ndb.node(nid, property_context(
            [string_prop(ndb, 0x3001, entry.name), (0x3602, INT32, len(messages)), (0x3603, INT32, 0),
             (0x360A, BOOL, bool(children)), string_prop(ndb, 0x3613, "IPF.Note")], ndb), parent)
        base = nid & ~0x1F
        name_type = UNICODE if ndb.unicode else STRING8
        ndb.node(base | 0x0D, table_context(
            [(0x3001, name_type), (0x3602, INT32), (0x3603, INT32), (0x360A, BOOL)],
            [{0x67F2: n, 0x3001: as_type(c.name, name_type), 0x3602: len(c.messages),
              0x3603: 0, 0x360A: 1 if c.folders else 0} for c, n in children], ndb))
        rows = []
        for message, mnid in messages:
            values = {pid: value for pid, _, value in message.props}
            row = {0x67F2: mnid}
            if 0x0037 in values:
                row[0x0037] = as_type(values[0x0037], name_type)
            if 0x0039 in values:
                row[0x0039] = values[0x0039]
            rows.append(row)
        ndb.node(base | 0x0E, table_context([(0x0037, name_type), (0x0039, TIME)], rows, ndb))
        ndb.node(base | 0x0F, table_context([], [], ndb))
        for message, mnid in messages:
            nids[path + "/#%d" % messages.index((message, mnid))] = mnid
            ndb.node(mnid, message_node(ndb, message), nid)
        for child, cnid in children:
            folder(child, cnid, nid, path + "/" + child.name)

    folder(Folder("", folders=root_folders), NID_ROOT_FOLDER, NID_ROOT_FOLDER, "")
    if damage:
        damage(ndb, nids)
    return ndb.finish()


# ---- The fixtures ----

def recipient(ndb, kind, name, smtp):
    return [(0x0C15, INT32, kind), string_prop(ndb, 0x3001, name), string_prop(ndb, 0x3002, "SMTP"), string_prop(ndb, 0x3003, smtp),
            string_prop(ndb, 0x39FE, smtp)]


def sender(ndb, name, smtp):
    return [string_prop(ndb, 0x0C1A, name), string_prop(ndb, 0x0C1E, "SMTP"), string_prop(ndb, 0x0C1F, smtp), string_prop(ndb, 0x5D01, smtp)]


def file_attachment(ndb, name, data, mime=None):
    props = [(0x3705, INT32, 1), string_prop(ndb, 0x3707, name), string_prop(ndb, 0x3704, name[:8]), (0x3701, BINARY, data)]
    if mime:
        props.append(string_prop(ndb, 0x370E, mime))
    return (props, None)


class Spec:
    """Stands in for an NDB while the messages are described, so that string properties
    take the file's form."""

    def __init__(self, unicode):
        self.unicode = unicode


def archive(unicode=True):
    """The main fixture: nested folders, each body form, attachments, an embedded message."""
    ndb = Spec(unicode)
    with open(os.path.join(HERE, "sample-report.docx"), "rb") as f:
        report = f.read()
    note = "Hi team,\r\n\r\nThe Q3 report is attached. Revenue rose to 4.2 million; please send comments by Friday.\r\n\r\nThanks,\r\nAda\r\n"
    report_mail = Message(
        [string_prop(ndb, 0x0037, "Q3 report – draft for review" if unicode else "Q3 report - draft for review"),
         *sender(ndb, "Ada Lovelace", "ada@example.org"), (0x0039, TIME, filetime(2024, 10, 7, 9, 30, 0)),
         string_prop(ndb, 0x1035, "<q3-report@example.org>"), string_prop(ndb, 0x1000, note),
         (KEYWORDS, MV_UNICODE, ["Finance", "Q3 review"]) if unicode else (KEYWORDS, MV_STRING8, [b"Finance", b"Q3 review"])],
        recipients=[recipient(ndb, 1, "Grace Hopper", "grace@example.org"), recipient(ndb, 2, "Finance", "finance@example.org")],
        attachments=[file_attachment(ndb, "Q3 report.docx", report), file_attachment(ndb, "notes.txt", b"Remember the appendix.\n", "text/plain")])
    html = ("<html><body><p>The <b>offsite</b> is booked for 14 November.</p><p>Bring the roadmap.</p></body></html>")
    html_mail = Message(
        [string_prop(ndb, 0x0037, "Offsite booked"), *sender(ndb, "Carol", "carol@example.org"),
         (0x0039, TIME, filetime(2024, 10, 8, 11, 0, 0)), (0x1013, BINARY, html.encode("utf-8")), (0x3FDE, INT32, 65001)],
        recipients=[recipient(ndb, 1, "Team", "team@example.org")])
    rtf = (b"{\\rtf1\\ansi\\ansicpg1252\\deff0{\\fonttbl{\\f0\\fswiss Arial;}}\\pard\\f0\\fs20 Dear all,\\par\\par "
           b"The caf\\'e9 budget is \\b 1,200\\b0  euros.\\par Regards,\\line Bob\\par }")
    rtf_mail = Message(
        [string_prop(ndb, 0x0037, "Budget approved"), *sender(ndb, "Bob", "bob@example.org"),
         (0x0039, TIME, filetime(2024, 5, 2, 16, 0, 0)), (0x1009, BINARY, lzfu(rtf))],
        recipients=[recipient(ndb, 1, "All", "all@example.org")])
    inner = Message(
        [string_prop(ndb, 0x0037, "Original request"), *sender(ndb, "Dan", "dan@example.org"),
         (0x0039, TIME, filetime(2024, 9, 30, 8, 0, 0)), string_prop(ndb, 0x1000, "Could you send the figures?\r\n")],
        recipients=[recipient(ndb, 1, "Ada Lovelace", "ada@example.org")],
        attachments=[file_attachment(ndb, "figures.csv", b"region,total\nNorth,1200\nSouth,800\n", "text/csv")])
    forward = Message(
        [string_prop(ndb, 0x0037, "FW: Original request"), *sender(ndb, "Ada Lovelace", "ada@example.org"),
         (0x0039, TIME, filetime(2024, 10, 1, 10, 0, 0)), string_prop(ndb, 0x1000, "Forwarding Dan's request.\r\n")],
        recipients=[recipient(ndb, 1, "Grace Hopper", "grace@example.org")],
        attachments=[([(0x3705, INT32, 5), string_prop(ndb, 0x3001, "Original request")], inner)])
    long_body = "".join("Line %d of the minutes: the committee reviewed item %d and agreed.\r\n" % (k, k) for k in range(1, 401))
    big_data = bytes((k * 7 + k // 251) % 256 for k in range(20000))
    minutes = Message(
        [string_prop(ndb, 0x0037, "Minutes (long)"), *sender(ndb, "Eve", "eve@example.org"),
         (0x0039, TIME, filetime(2024, 10, 9, 15, 0, 0)), string_prop(ndb, 0x1000, long_body)],
        recipients=[recipient(ndb, 1, "Committee", "committee@example.org"), recipient(ndb, 3, "Archive", "archive@example.org")],
        attachments=[file_attachment(ndb, "scan.bin", big_data, "application/octet-stream")])
    headers = ("Received: from mail.example.org\r\nFrom: Ada Lovelace <ada@example.org>\r\nTo: grace@example.org\r\n"
               "Date: Mon, 7 Oct 2024 12:30:00 +0300\r\nMessage-ID: <sent-1@example.org>\r\nIn-Reply-To: <q3-report@example.org>\r\n"
               "References: <q3-report@example.org>\r\nSubject: Re: Q3 report\r\n\r\n")
    sent = Message(
        [string_prop(ndb, 0x0037, "Re: Q3 report"), *sender(ndb, "Ada Lovelace", "ada@example.org"),
         string_prop(ndb, 0x007D, headers), string_prop(ndb, 0x1000, "Thanks, comments inline.\r\n")],
        recipients=[recipient(ndb, 1, "Grace Hopper", "grace@example.org")])
    return [Folder("Top of Personal Folders", folders=[
        Folder("Inbox", [report_mail, html_mail, rtf_mail], folders=[Folder("Projects", [forward, minutes])]),
        Folder("Sent Items", [sent]),
        Folder("Deleted Items")])]


def codepage_archive():
    """8-bit strings in a Unicode file, in the message's code page (1251)."""
    ndb = Spec(True)
    mail = Message(
        [(0x0037, STRING8, "Отчёт за квартал".encode("cp1251")), (0x0C1A, STRING8, "Петров".encode("cp1251")),
         (0x5D01, STRING8, b"petrov@example.ru"), (0x3FFD, INT32, 1251),
         (0x1000, STRING8, "Коллеги, отчёт готов.\r\n".encode("cp1251")), (KEYWORDS, MV_STRING8, ["Отчёты".encode("cp1251")])],
        recipients=[[(0x0C15, INT32, 1), (0x3001, STRING8, "Команда".encode("cp1251")), (0x3003, STRING8, b"team@example.ru")]])
    return [Folder("Top of Personal Folders", folders=[Folder("Входящие", [mail])])]


def many(count, unicode=True):
    """One folder of `count` short messages: B-trees of several levels, a row matrix in blocks."""
    ndb = Spec(unicode)
    mails = [Message([string_prop(ndb, 0x0037, "Message %d" % k), *sender(ndb, "Sender %d" % (k % 7), "s%d@example.org" % (k % 7)),
                      (0x0039, TIME, filetime(2024, 1 + k % 12, 1 + k % 28, 9, 0, 0)), string_prop(ndb, 0x1000, "Body of message %d.\r\n" % k)],
                     recipients=[recipient(ndb, 1, "Inbox owner", "owner@example.org")]) for k in range(count)]
    return [Folder("Top of Personal Folders", folders=[Folder("Inbox", mails)])]


def fixtures():
    write("archive.pst", pst(archive()))
    write("archive-ansi.pst", pst(archive(unicode=False), unicode=False))
    write("archive-cyclic.pst", pst(archive(), crypt=2))
    write("archive-plain.pst", pst(many(3), crypt=0))
    write("codepage.pst", pst(codepage_archive()))
    write("many.pst", pst(many(600)))
    # The OST layout of Outlook 2013 and later: 4 KiB pages, blocks compressed with deflate
    # (many-4k.ost stores its blocks as they are).
    write("archive-4k.ost", pst(archive(), page4k=True, compress=True))
    write("many-4k.ost", pst(many(600), page4k=True))
    # 400 attachments: their subnodes need an SIBLOCK over two SLBLOCKs.
    ndb = Spec(True)
    crowded = Message([string_prop(ndb, 0x0037, "Four hundred attachments"), string_prop(ndb, 0x1000, "See the files.\r\n")],
                      attachments=[file_attachment(ndb, "file-%03d.txt" % k, b"attachment %d\n" % k, "text/plain") for k in range(400)])
    write("many-attachments.pst", pst([Folder("Top of Personal Folders", folders=[Folder("Inbox", [crowded])])]))


def hostile():
    """Damaged files: each rejected with a clear error, or read with what was lost reported."""
    def lose_block(ndb, nids):
        # The second Inbox message's data block points past the end of the file.
        target = nids["/Top of Personal Folders/Inbox/#1"]
        bid = next(d for nid, d, s, p in ndb.nbt if nid == target)
        ndb.bbt = [(b, ib + (1 << 40 if ndb.unicode else 1 << 30) if b == bid else ib, cb) for b, ib, cb in ndb.bbt]
    write("hostile-lost-message.pst", pst(many(5), damage=lose_block))

    def loop_xblock(ndb, nids):
        # The long message's body XBLOCK lists itself.
        for k, (b, ib, cb) in enumerate(ndb.bbt):
            if b & 2 and ndb.out[ib] == 1 and ndb.out[ib + 1] == 1:
                struct.pack_into("<Q", ndb.out, ib + 8, b)
                break
    write("hostile-xblock-loop.pst", pst(archive(), damage=loop_xblock))

    def lose_body(ndb, nids):
        # The long message's body (a subnode of 55,568 bytes of UTF-16 in an XBLOCK) is gone.
        ndb.bbt = [e for e in ndb.bbt if not (e[0] & 2 and ndb.out[e[1]] == 1 and struct.unpack_from("<I", ndb.out, e[1] + 4)[0] == 55568)]
    write("hostile-body-subnode.pst", pst(archive(), damage=lose_body))

    def bad_heap(ndb, nids):
        # The first Inbox message's heap page map points past its block.
        target = nids["/Top of Personal Folders/Inbox/#0"]
        bid = next(d for nid, d, s, p in ndb.nbt if nid == target)
        b, ib, cb = next(e for e in ndb.bbt if e[0] == bid)
        raw = bytearray(encode(ndb.out[ib:ib + cb], 0, bid))
        raw = bytearray(bytes(I[x] for x in raw))  # the file is permuted: decode, spoil, encode
        hnpm = struct.unpack_from("<H", raw, 0)[0]
        struct.pack_into("<H", raw, hnpm + 6, 0xFFF0)
        ndb.out[ib:ib + cb] = bytes(R[x] for x in raw)
    write("hostile-heap.pst", pst(many(3), damage=bad_heap))

    data = bytearray(pst(many(600)))
    nbt_ib = struct.unpack_from("<Q", data, 224)[0]
    level = data[nbt_ib + 491]
    assert level > 0
    struct.pack_into("<Q", data, nbt_ib + 16, nbt_ib)  # the first child is the page itself
    struct.pack_into("<Q", data, nbt_ib + 8, struct.unpack_from("<Q", data, nbt_ib + 504)[0])
    write("hostile-nbt-loop.pst", bytes(data))

    whole = pst(archive())
    write("hostile-truncated.pst", whole[:len(whole) // 2])
    ost = bytearray(pst(many(1)))
    struct.pack_into("<H", ost, 10, 36)  # claims 4 KiB pages, has 512-byte ones
    write("hostile-ost-4k.ost", bytes(ost))
    ost = bytearray(pst(many(1)))
    struct.pack_into("<H", ost, 10, 37)  # a version after the 4 KiB-page OST
    write("hostile-ost-version.ost", bytes(ost))

    def spoil_compressed(ndb, nids):
        # The first Inbox message's compressed data block: the second half of its deflate stream zeroed.
        target = nids["/Top of Personal Folders/Inbox/#0"]
        bid = next(d for nid, d, s, p in ndb.nbt if nid == target)
        ib, cb = next((ib, cb) for b, ib, cb in ndb.bbt if b == bid)
        span = span_4k(cb)
        assert struct.unpack_from("<H", ndb.out, ib + span - 24 + 18)[0] != cb, "the block is stored compressed"
        ndb.out[ib + cb // 2:ib + cb] = bytes(cb - cb // 2)
    write("hostile-ost-inflate.ost", pst(many(3), page4k=True, compress=True, damage=spoil_compressed))


def check():
    """Reads every fixture back with libpff: folders, messages, bodies, attachments."""
    import pypff
    for name in ("archive.pst", "archive-ansi.pst", "archive-cyclic.pst", "archive-plain.pst", "codepage.pst", "many.pst", "many-attachments.pst",
                 "archive-4k.ost", "many-4k.ost"):
        f = pypff.file()
        f.open(os.path.join(HERE, "outlook", name))
        total = []

        def walk(folder, path):
            for k in range(folder.number_of_sub_messages):
                m = folder.get_sub_message(k)
                total.append((path, m.subject, len(m.plain_text_body or b""), m.number_of_attachments))
            for k in range(folder.number_of_sub_folders):
                sub = folder.get_sub_folder(k)
                walk(sub, path + "/" + (sub.name or ""))
        walk(f.get_root_folder(), "")
        print(name, len(total), total[:8])
        f.close()


def reference():
    """What libpff reads from the fixtures, for the conformance test: per message its folder,
    subject, sender name, plain-text body, whether it has an HTML body, and its attachments'
    names and sizes. Written to outlook/pst-reference-libpff.json."""
    import json
    import pypff
    out = {}
    for name in ("archive.pst", "archive-ansi.pst", "archive-cyclic.pst", "archive-plain.pst", "many.pst", "many-attachments.pst",
                 "archive-4k.ost", "many-4k.ost"):
        f = pypff.file()
        f.open(os.path.join(HERE, "outlook", name))
        messages = []

        def walk(folder, path):
            for k in range(folder.number_of_sub_messages):
                m = folder.get_sub_message(k)
                attachments = []
                for a in range(m.number_of_attachments):
                    at = m.get_attachment(a)
                    attachments.append({"name": at.long_filename, "size": at.size})
                body = m.plain_text_body
                messages.append({"folder": path, "subject": m.subject, "sender": m.sender_name,
                                 "text": body.decode("utf-8") if body else None, "html": m.html_body is not None,
                                 "attachments": attachments})
            for k in range(folder.number_of_sub_folders):
                sub = folder.get_sub_folder(k)
                walk(sub, (path + "/" if path else "") + (sub.name or ""))
        walk(f.get_root_folder(), "")
        out[name] = messages
        f.close()
    with open(os.path.join(HERE, "outlook", "pst-reference-libpff.json"), "w", encoding="utf-8") as fh:
        json.dump(out, fh, ensure_ascii=False, indent=1, sort_keys=True)
        fh.write("\n")


def from_mbox(path, copies):
    """Messages of an mbox as archive messages: headers, text and HTML bodies, attachments."""
    import email
    import email.policy
    import mailbox
    from email.utils import getaddresses, parsedate_to_datetime
    ndb = Spec(True)
    out = []
    for raw in mailbox.mbox(path, factory=None):
        m = email.message_from_bytes(raw.as_bytes(), policy=email.policy.default)
        props = [string_prop(ndb, 0x0037, str(m.get("Subject", "")))]
        senders = getaddresses([str(m.get("From", ""))])
        if senders:
            props += sender(ndb, senders[0][0] or senders[0][1], senders[0][1])
        try:
            when = parsedate_to_datetime(str(m.get("Date")))
            props.append((0x0039, TIME, int((when.timestamp() + 11644473600) * 10_000_000)))
        except (TypeError, ValueError):
            pass
        if m.get("Message-ID"):
            props.append(string_prop(ndb, 0x1035, str(m["Message-ID"]).strip()))
        if m.get("In-Reply-To"):
            props.append(string_prop(ndb, 0x1042, str(m["In-Reply-To"]).strip()))
        header_end = raw.as_bytes().find(b"\n\n")
        props.append(string_prop(ndb, 0x007D, raw.as_bytes()[:header_end].decode("utf-8", "replace").replace("\n", "\r\n") + "\r\n\r\n"))
        body = m.get_body(preferencelist=("plain",))
        if body is not None:
            props.append(string_prop(ndb, 0x1000, body.get_content().replace("\n", "\r\n")))
        html = m.get_body(preferencelist=("html",))
        if html is not None:
            props += [(0x1013, BINARY, html.get_content().encode("utf-8")), (0x3FDE, INT32, 65001)]
        recipients = [recipient(ndb, kind, n or a, a) for kind, field in ((1, "To"), (2, "Cc")) for n, a in getaddresses([str(m.get(field, ""))]) if a]
        attachments = [file_attachment(ndb, part.get_filename() or "attachment", part.get_payload(decode=True) or b"", part.get_content_type())
                       for part in m.iter_attachments()]
        out.append(Message(props, recipients, attachments))
    folders = [Folder("Archive %d" % (k + 1), out) for k in range(copies)]
    return [Folder("Top of Personal Folders", folders=[Folder("Inbox", folders=folders)])]


if __name__ == "__main__":
    if "--big" in sys.argv:
        # --big COPIES OUT MBOX: the mbox's messages COPIES times over, one folder per copy.
        at = sys.argv.index("--big")
        copies, target, source = int(sys.argv[at + 1]), sys.argv[at + 2], sys.argv[at + 3]
        with open(target, "wb") as fh:
            fh.write(pst(from_mbox(source, copies)))
    elif "--check" in sys.argv:
        check()
    elif "--reference" in sys.argv:
        reference()
    else:
        fixtures()
        hostile()
        print("PST fixtures written to", os.path.join(HERE, "outlook"))
