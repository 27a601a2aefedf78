import QuireInternalThreads

/// Prices of a backend, in dollars per million tokens.
public struct Pricing: Sendable, Equatable {
    /// Dollars per million input tokens.
    public var inputPerMillion: Double
    /// Dollars per million output tokens.
    public var outputPerMillion: Double
    /// Cached input tokens, when the provider bills them differently (defaults to input).
    public var cachedInputPerMillion: Double?

    /// Prices per million tokens; cached input at its own price when the provider gives one.
    public init(inputPerMillion: Double, outputPerMillion: Double, cachedInputPerMillion: Double? = nil) {
        self.inputPerMillion = inputPerMillion
        self.outputPerMillion = outputPerMillion
        self.cachedInputPerMillion = cachedInputPerMillion
    }

    /// The cost of `usage`.
    public func cost(_ usage: Usage) -> Double {
        let cached = Double(usage.cachedInputTokens)
        let uncached = Double(usage.inputTokens) - cached
        return (uncached * inputPerMillion + cached * (cachedInputPerMillion ?? inputPerMillion) + Double(usage.outputTokens) * outputPerMillion) / 1_000_000
    }
}

/// Tokens and cost per backend over a command, for the report at its end.
public final class UsageMeter: Sendable {
    /// One backend's calls and tokens.
    public struct Line: Sendable, Equatable {
        /// The backend's name.
        public var backend: String
        /// Requests that returned usage.
        public var calls: Int
        /// Tokens, summed.
        public var usage: Usage
        /// Nil when the backend has no prices in the config.
        public var cost: Double?
    }

    private let prices: [String: Pricing]
    private let lines = Locked<[String: Line]>([:])

    /// A meter that prices each backend's usage from `prices` (by backend name).
    public init(prices: [String: Pricing] = [:]) {
        self.prices = prices
    }

    /// Records one call's usage.
    public func record(backend: String, usage: Usage) {
        let cost = prices[backend].map { $0.cost(usage) }
        lines.withLock { lines in
            var line = lines[backend] ?? Line(backend: backend, calls: 0, usage: Usage(), cost: prices[backend] == nil ? nil : 0)
            line.calls += 1
            line.usage = line.usage + usage
            if let cost { line.cost = (line.cost ?? 0) + cost }
            lines[backend] = line
        }
    }

    /// Per backend, in name order.
    public var report: [Line] { lines.withLock { $0.values.sorted { $0.backend < $1.backend } } }

    /// All backends together; the cost only counts priced backends.
    public var total: (usage: Usage, cost: Double?) {
        let all = report
        let usage = all.reduce(Usage()) { $0 + $1.usage }
        let priced = all.compactMap(\.cost)
        return (usage, priced.isEmpty ? nil : priced.reduce(0, +))
    }

    /// One line per backend and a total, for standard error at the end of a command.
    public var summary: String {
        func money(_ value: Double?) -> String {
            guard let value else { return "no prices" }
            return "$" + String(Int((value * 10_000).rounded())).withDecimalPoint(4)
        }
        var out = ""
        for line in report {
            out +=
                "\(line.backend): \(line.calls) call\(line.calls == 1 ? "" : "s"), \(line.usage.inputTokens) in (\(line.usage.cachedInputTokens) cached), \(line.usage.outputTokens) out, \(money(line.cost))\n"
        }
        let total = self.total
        if report.count > 1 { out += "total: \(total.usage.inputTokens) in, \(total.usage.outputTokens) out, \(money(total.cost))\n" }
        return out
    }
}

extension String {
    /// "12345" with 4 decimals → "1.2345".
    fileprivate func withDecimalPoint(_ decimals: Int) -> String {
        var digits = self
        let negative = digits.hasPrefix("-")
        if negative { digits.removeFirst() }
        while digits.count <= decimals { digits = "0" + digits }
        let split = digits.index(digits.endIndex, offsetBy: -decimals)
        return (negative ? "-" : "") + digits[..<split] + "." + digits[split...]
    }
}
