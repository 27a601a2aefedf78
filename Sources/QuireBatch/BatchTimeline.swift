import Foundation

/// What a batch did over time: its finished items counted by the date of what they hold (a
/// message's or a thread's latest date), per month — per day when they all fall in one
/// month, per year past three years — with the cost of each period when the backend had
/// prices. Periods in between with nothing are kept (at zero), so the axis is time.
public struct BatchTimeline: Sendable, Equatable {
    /// One period.
    public struct Period: Sendable, Equatable {
        /// `2024-03`, `2024-03-14` or `2024`.
        public var label: String
        /// Items finished in the period.
        public var items: Int
        /// Their cost in the prices' currency, when any was priced.
        public var cost: Double?
    }

    /// The periods, oldest first.
    public var periods: [Period]
    /// `day`, `month` or `year`.
    public var unit: String
    /// Finished items without a date (documents, undated messages), not in any period.
    public var undated: Int

    /// The timeline of finished items given as (date in seconds since 1970, cost).
    public init(_ items: [(date: Int64?, cost: Double?)]) {
        let dated = items.compactMap { item in item.date.map { (Date(timeIntervalSince1970: TimeInterval($0)), item.cost) } }
        undated = items.count - dated.count
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        guard let first = dated.map(\.0).min(), let last = dated.map(\.0).max() else {
            periods = []
            unit = "month"
            return
        }
        let months = calendar.dateComponents([.month], from: calendar.startOfMonth(first), to: calendar.startOfMonth(last)).month ?? 0
        let days = calendar.dateComponents([.day], from: calendar.startOfDay(for: first), to: calendar.startOfDay(for: last)).day ?? 0
        let component: Calendar.Component
        let format: String
        if months == 0 && days <= 31 {
            (component, format, unit) = (.day, "yyyy-MM-dd", "day")
        } else if months <= 36 {
            (component, format, unit) = (.month, "yyyy-MM", "month")
        } else {
            (component, format, unit) = (.year, "yyyy", "year")
        }
        let formatter = DateFormatter()
        formatter.calendar = calendar
        formatter.timeZone = calendar.timeZone
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = format
        var byLabel: [String: Period] = [:]
        for (date, cost) in dated {
            let label = formatter.string(from: date)
            var period = byLabel[label] ?? Period(label: label, items: 0, cost: nil)
            period.items += 1
            if let cost { period.cost = (period.cost ?? 0) + cost }
            byLabel[label] = period
        }
        var out: [Period] = []
        var cursor = calendar.dateInterval(of: component, for: first)?.start ?? first
        while cursor <= last, out.count < 400 {
            let label = formatter.string(from: cursor)
            out.append(byLabel[label] ?? Period(label: label, items: 0, cost: nil))
            guard let next = calendar.date(byAdding: component, value: 1, to: cursor) else { break }
            cursor = next
        }
        periods = out
    }

    /// Whether any finished item has a cost.
    public var isPriced: Bool { periods.contains { $0.cost != nil } }
}

extension Calendar {
    fileprivate func startOfMonth(_ date: Date) -> Date { dateInterval(of: .month, for: date)?.start ?? date }
}

extension BatchLedger {
    /// The date and cost of every finished item (the digest left out), for ``BatchTimeline``.
    public func finishedDatesAndCosts() throws(LedgerError) -> [(date: Int64?, cost: Double?)] {
        try locked { () throws(LedgerError) in
            try db.rows("SELECT date, cost FROM items WHERE state = 'done' AND kind != 'digest' ORDER BY seq").map { row in
                (row[0].int.map { Int64($0) }, row[1].double)
            }
        }
    }
}
