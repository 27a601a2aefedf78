import QuireOOXML
import QuireXML

/// `numbering.xml`: list definitions, and the counters Word keeps while laying out a document.
struct Numbering {
    struct Level {
        var format = "decimal"
        var text = "%1."
        var start = 1
        var restartAfter: Int?
    }

    struct Instance {
        var abstractID: String
        var startOverrides: [Int: Int] = [:]
        var levelOverrides: [Int: Level] = [:]
    }

    var abstracts: [String: [Int: Level]] = [:]
    var instances: [String: Instance] = [:]

    // Layout state: counters per abstract definition (lists sharing one continue each
    // other), nil where a level has not been used since its last restart.
    private var counters: [String: [Int?]] = [:]
    private var startedInstances: Set<String> = []
    /// Each instance's nine levels with its overrides applied, built on first use.
    private var resolved: [String: [Level]] = [:]

    init() {}

    init(_ root: XMLElement) {
        for abstract in root.children("abstractNum", namespace: NS.w) {
            guard let id = abstract.attribute("abstractNumId") else { continue }
            var levels: [Int: Level] = [:]
            for lvl in abstract.children("lvl", namespace: NS.w) {
                guard let ilvl = lvl.attribute("ilvl").flatMap({ Int($0) }) else { continue }
                levels[ilvl] = Numbering.level(lvl)
            }
            abstracts[id] = levels
        }
        for num in root.children("num", namespace: NS.w) {
            guard let id = num.attribute("numId"),
                let abstractID = num.child("abstractNumId", namespace: NS.w)?.attribute("val")
            else { continue }
            var instance = Instance(abstractID: abstractID)
            for override in num.children("lvlOverride", namespace: NS.w) {
                guard let ilvl = override.attribute("ilvl").flatMap({ Int($0) }) else { continue }
                if let start = override.child("startOverride", namespace: NS.w)?.attribute("val").flatMap({ Int($0) }) {
                    instance.startOverrides[ilvl] = start
                }
                if let lvl = override.child("lvl", namespace: NS.w) {
                    instance.levelOverrides[ilvl] = Numbering.level(lvl)
                }
            }
            instances[id] = instance
        }
    }

    static func level(_ lvl: XMLElement) -> Level {
        var level = Level()
        if let start = lvl.child("start", namespace: NS.w)?.attribute("val").flatMap({ Int($0) }) { level.start = start }
        if let format = lvl.child("numFmt", namespace: NS.w)?.attribute("val") { level.format = format }
        if let text = lvl.child("lvlText", namespace: NS.w)?.attribute("val") { level.text = text }
        if let restart = lvl.child("lvlRestart", namespace: NS.w)?.attribute("val").flatMap({ Int($0) }) {
            level.restartAfter = restart
        }
        return level
    }

    static let levelCount = 9

    private mutating func levels(of numID: String, _ instance: Instance) -> [Level] {
        if let levels = resolved[numID] { return levels }
        var levels: [Level] = []
        for ilvl in 0..<Numbering.levelCount {
            var level = instance.levelOverrides[ilvl] ?? abstracts[instance.abstractID]?[ilvl] ?? Level()
            if let start = instance.startOverrides[ilvl] { level.start = start }
            levels.append(level)
        }
        resolved[numID] = levels
        return levels
    }

    /// Advances the counters for a paragraph numbered (`numID`, `ilvl`) and returns the
    /// marker Word shows and whether the list is ordered; nil when the number is off.
    mutating func next(numID: String, level ilvl: Int) -> (marker: String, ordered: Bool)? {
        guard numID != "0", let instance = instances[numID] else { return nil }
        let ilvl = min(max(ilvl, 0), Numbering.levelCount - 1)
        let definitions = levels(of: numID, instance)
        let key = instance.abstractID
        var values = counters.removeValue(forKey: key) ?? Array(repeating: nil, count: Numbering.levelCount)
        if !startedInstances.contains(numID) {
            startedInstances.insert(numID)
            // A list instance with start overrides restarts those levels when first used.
            for (level, start) in instance.startOverrides where level < Numbering.levelCount {
                values[level] = start - 1
            }
        }
        let definition = definitions[ilvl]
        values[ilvl] = (values[ilvl] ?? (definition.start - 1)) + 1
        // Deeper levels restart after this one (lvlRestart 0 means never).
        for deeper in (ilvl + 1)..<Numbering.levelCount {
            let restart = definitions[deeper].restartAfter
            if restart == 0 { continue }
            if let restart, restart - 1 < ilvl { continue }
            values[deeper] = nil
        }
        defer { counters[key] = values }
        if definition.format == "bullet" {
            return (Numbering.bulletGlyph(definition.text), false)
        }
        return (Numbering.expand(definition.text, levels: definitions, values: values), true)
    }

    private static func expand(_ text: String, levels: [Level], values: [Int?]) -> String {
        var out = ""
        var scalars = text.unicodeScalars.makeIterator()
        while let c = scalars.next() {
            if c == "%", let digit = scalars.next() {
                if let n = Int(String(digit)), n >= 1, n <= levelCount {
                    let definition = levels[n - 1]
                    out += format(values[n - 1] ?? definition.start, definition.format)
                } else {
                    out.unicodeScalars.append(c)
                    out.unicodeScalars.append(digit)
                }
            } else {
                out.unicodeScalars.append(c)
            }
        }
        return out
    }

    static func bulletGlyph(_ text: String) -> String {
        guard let scalar = text.unicodeScalars.first else { return "•" }
        // Symbol and Wingdings bullets live in the private-use area; show a plain bullet.
        if (0xE000...0xF8FF).contains(scalar.value) { return "•" }
        if text == "o" { return "◦" }
        return text
    }

    static func format(_ value: Int, _ format: String) -> String {
        switch format {
        case "lowerLetter": return letters(value, upper: false)
        case "upperLetter": return letters(value, upper: true)
        case "lowerRoman": return roman(value).lowercased()
        case "upperRoman": return roman(value)
        case "decimalZero": return value < 10 && value >= 0 ? "0\(value)" : "\(value)"
        case "none": return ""
        case "ordinal": return ordinal(value)
        default: return "\(value)"
        }
    }

    /// a, b, …, z, aa, bb, … as Word counts letters.
    static func letters(_ value: Int, upper: Bool) -> String {
        guard value > 0 else { return "\(value)" }
        let letter = Character(Unicode.Scalar(UInt8((upper ? 65 : 97) + (value - 1) % 26)))
        return String(repeating: String(letter), count: (value - 1) / 26 + 1)
    }

    static func roman(_ value: Int) -> String {
        guard value > 0, value < 4000 else { return "\(value)" }
        let table: [(Int, String)] = [
            (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
            (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
        ]
        var n = value
        var out = ""
        for (amount, symbol) in table {
            while n >= amount {
                out += symbol
                n -= amount
            }
        }
        return out
    }

    static func ordinal(_ value: Int) -> String {
        let suffix: String
        switch (value % 100, value % 10) {
        case (11...13, _): suffix = "th"
        case (_, 1): suffix = "st"
        case (_, 2): suffix = "nd"
        case (_, 3): suffix = "rd"
        default: suffix = "th"
        }
        return "\(value)\(suffix)"
    }
}
