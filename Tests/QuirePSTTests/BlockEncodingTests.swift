import Testing

@testable import QuirePST

@Suite("PST block encodings")
struct BlockEncodingTests {
    @Test("permute: two bytes per lookup decode as the byte table does, at every length and start; R and I are inverse permutations")
    func permute() {
        #expect(Set(BlockEncoding.r).count == 256 && Set(BlockEncoding.i).count == 256)
        for byte in 0..<256 { #expect(BlockEncoding.i[Int(BlockEncoding.r[byte])] == UInt8(byte)) }
        var generator = SystemRandomNumberGenerator()
        let plain = (0..<4099).map { _ in UInt8.random(in: 0...255, using: &generator) }
        // Decoded from slices that start inside a larger array, as blocks are cut from the
        // stretches of the file they were read in.
        let encoded = plain.map { BlockEncoding.r[Int($0)] }
        for length in [0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 4096, 4099] {
            for start in 0..<3 where start + length <= plain.count {
                let original = Array(plain[start..<(start + length)])
                let block = BlockEncoding.unpermuted(encoded[start..<(start + length)])
                #expect(block == original, "length \(length), start \(start)")
            }
        }
    }

    @Test("cyclic: its own inverse, keyed by the block id")
    func cyclic() {
        let plain = Array("The cyclic method of [MS-PST] 5.2 is keyed by the block id".utf8)
        var block = plain
        BlockEncoding.cyclic(&block, key: 0x1234_5678)
        #expect(block != plain)
        BlockEncoding.cyclic(&block, key: 0x1234_5678)
        #expect(block == plain)
    }
}
