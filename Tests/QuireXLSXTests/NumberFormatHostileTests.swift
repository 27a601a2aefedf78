import QuireModel
import Testing

@testable import QuireXLSX

/// Extreme values under every kind of format code (issue 14): no overflow trap, no endless loop,
/// and what is shown stays meaningful.
struct NumberFormatHostileTests {
    static let codes = [
        "General", "0", "0.00", "#,##0.00", "0%", "0.00E+00", "0.00E+00%%%%%", "##0.0E+0", "# ?/?", "# ??/??",
        "# ??????/??????", "?/?", "# ?/8", "?/16", "# ?/0", "[h]:mm", "[mm]:ss", "[ss].000", "yyyy-mm-dd hh:mm",
        "h:mm AM/PM", "#,##0,,,", "0.000000000000000000000000", "@", "0;-0;\"zero\";@", "[>=1e300]\"huge\";0",
    ]
    static let values: [Double] = [
        1e300, -1e300, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 9.223_372_036_854_776e18, -9.223_372_036_854_776e18,
        4.5e15, 9e15, .leastNonzeroMagnitude, -.leastNonzeroMagnitude, 0, -0.0, .nan, .infinity, -.infinity, 2_958_465.9999999,
        2_958_466, 1 / 3, -1 / 3,
    ]

    @Test("every format code × every extreme value gives text, without a trap or a hang")
    func extremes() {
        var shown = 0
        for code in Self.codes {
            let format = NumberFormat(code: code)
            for value in Self.values {
                let text = format.format(value)
                #expect(!text.isEmpty || code.contains("\"zero\""), "\(code) of \(value) printed nothing")
                #expect(text.count < 400, "\(code) of \(value) printed \(text.count) characters")
                shown += 1
            }
        }
        #expect(shown == Self.codes.count * Self.values.count)
    }

    @Test(
        "values beyond what a format can show fall back to Excel's markers or General",
        arguments: [
            ("# ?/?", 1e300, "1E+300"), ("# ??/??", -1e300, "-1E+300"), ("?/?", 9e18, "9E+18"), ("# ?/0", 2.5, "2.5"),
            ("[h]:mm", 1e300, "########"), ("[ss]", -1e300, "########"), ("0.00E+00%%%%%", 1e300, "#NUM!"),
            ("0.00E+00%", 1e300, "1.00E+302%"), ("0.00", .nan, "#NUM!"), ("[h]:mm", 1.5, "36:00"),
        ])
    func fallbacks(code: String, value: Double, shown: String) {
        #expect(NumberFormat(code: code).format(value) == shown)
    }

    @Test("the fraction search matches a brute-force scan and stays fast for six-digit denominators")
    func fractions() {
        var generator = SplitMix(seed: 14)
        for _ in 0..<400 {
            let value = Double(generator.next() % 1_000_000) / 999_983
            let limit = Int64(1 + generator.next() % 120)
            let (p, q) = NumberFormat.bestFraction(value, limit: limit)
            var bestError = Double.infinity
            for d in 1...limit {
                let n = (value * Double(d)).rounded()
                bestError = min(bestError, abs(value - n / Double(d)))
            }
            #expect(q >= 1 && q <= limit)
            #expect(abs(value - Double(p) / Double(q)) <= bestError + 1e-12, "\(value) ≤ \(limit): \(p)/\(q)")
        }
        // π: the convergent 355/113 within three digits, 3 14093/99532 within five, a semiconvergent within six.
        #expect(NumberFormat(code: "# ???/???").format(Double.pi) == "3 16/113")
        #expect(NumberFormat(code: "# ?????/?????").format(Double.pi) == "3 14093/99532")
        #expect(NumberFormat(code: "# ??????/??????").format(Double.pi) == "3 140914/995207")
    }
}

/// A small deterministic generator, so that a failing case can be replayed.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
