import Testing

@testable import QuirePST

@Suite("PST property values")
struct ValueTests {
    @Test("fixed-size values are kept inline and give back their bytes; every way of making one gives the same value")
    func inline() {
        let cases: [(type: UInt16, bytes: [UInt8], integer: Int64?)] = [
            (0x0002, [0xFE, 0xFF], -2),  // a 16-bit integer, sign-extended
            (0x0003, [0x00, 0x00, 0x00, 0x80], Int64(Int32.min)),
            (0x000B, [0x01], 1),
            (0x000B, [0x00], 0),
            (0x0040, [0x00, 0x80, 0x3E, 0xD5, 0xDE, 0xB1, 0x9D, 0x01], 0x019D_B1DE_D53E_8000),
            (0x0014, [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], -1),
            (0x0003, [], nil),  // no bytes: no number
        ]
        for (type, bytes, integer) in cases {
            let value = PSTFile.Value(type: type, bytes: bytes)
            #expect(value.bytes == bytes, "type \(type)")
            #expect(value.integer == integer, "type \(type)")
            #expect(PSTFile.Value(type: type, littleEndian: bytes[...]) == value)
            var bits: UInt64 = 0
            for (k, byte) in bytes.enumerated() { bits |= UInt64(byte) << (8 * UInt64(k)) }
            // Bits above the value's size are not part of it.
            #expect(PSTFile.Value(type: type, bits: bits | (bytes.count < 8 ? 1 << 63 : 0), count: bytes.count) == value)
        }
    }

    @Test("strings, binaries and oversized fixed values keep all their bytes and are no number")
    func stored() {
        let text = PSTFile.Value(type: 0x001F, bytes: Array("Hi".utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }))
        #expect(text.bytes == [0x48, 0, 0x69, 0])
        #expect(text.integer == nil)
        let short = PSTFile.Value(type: 0x0102, bytes: [1, 2])
        #expect(short.bytes == [1, 2] && short.integer == nil)
        #expect(short != PSTFile.Value(type: 0x0003, bytes: [1, 2]))
        let long = PSTFile.Value(type: 0x0040, bytes: Array(0..<12))
        #expect(long.bytes == Array(0..<12) && long.integer == nil)
    }
}
