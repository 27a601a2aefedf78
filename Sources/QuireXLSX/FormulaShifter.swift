import QuireModel
import QuireOOXML
import QuireXML

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A cell refers to a shared string the workbook does not have.
struct SharedStringMissing: Error, CustomStringConvertible {
    let reference: String
    let index: String
    let available: Int

    var description: String {
        available == 0
            ? "cell \(reference) refers to shared string \(index), but the workbook has no shared strings part; the file is damaged."
            : "cell \(reference) refers to shared string \(index), but there are only \(available); the file is damaged."
    }
}

/// Moves the relative references of a shared formula to another cell.
enum FormulaShifter {
    static func shift(_ formula: String, rows: Int, columns: Int) -> String {
        guard rows != 0 || columns != 0 else { return formula }
        let chars = Array(formula.utf8)
        var out: [UInt8] = []
        var i = 0
        var inString = false
        while i < chars.count {
            let c = chars[i]
            if c == UInt8(ascii: "\"") {
                inString.toggle()
                out.append(c)
                i += 1
                continue
            }
            // A reference starts where no name character precedes it.
            let boundary = i == 0 || !isNameByte(chars[i - 1])
            if !inString, boundary, let (length, shifted) = reference(chars, at: i, rows: rows, columns: columns) {
                out.append(contentsOf: shifted)
                i += length
                continue
            }
            out.append(c)
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func isNameByte(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c | 0x20 >= 0x61 && c | 0x20 <= 0x7A) || c == UInt8(ascii: "_") || c == UInt8(ascii: ".")
    }

    /// Parses `$A$1`-style at `start`; returns its length and the shifted text.
    static func reference(_ chars: [UInt8], at start: Int, rows: Int, columns: Int) -> (Int, [UInt8])? {
        var i = start
        let columnAbsolute = i < chars.count && chars[i] == UInt8(ascii: "$")
        if columnAbsolute { i += 1 }
        var column = 0
        var letters = 0
        while i < chars.count, chars[i] >= UInt8(ascii: "A"), chars[i] <= UInt8(ascii: "Z"), letters < 3 {
            column = column * 26 + Int(chars[i] - UInt8(ascii: "A")) + 1
            letters += 1
            i += 1
        }
        guard letters > 0 else { return nil }
        let rowAbsolute = i < chars.count && chars[i] == UInt8(ascii: "$")
        if rowAbsolute { i += 1 }
        var row = 0
        var digits = 0
        while i < chars.count, chars[i] >= UInt8(ascii: "0"), chars[i] <= UInt8(ascii: "9"), digits < 7 {
            row = row * 10 + Int(chars[i] - UInt8(ascii: "0"))
            digits += 1
            i += 1
        }
        guard digits > 0, row > 0 else { return nil }
        // Not a reference when followed by a name character or `(` (a function like LOG10()).
        if i < chars.count, isNameByte(chars[i]) || chars[i] == UInt8(ascii: "(") { return nil }
        let newColumn = columnAbsolute ? column - 1 : column - 1 + columns
        let newRow = rowAbsolute ? row : row + rows
        guard newColumn >= 0, newRow >= 1 else { return nil }
        var text = ""
        if columnAbsolute { text += "$" }
        text += CellReference.columnName(newColumn)
        if rowAbsolute { text += "$" }
        text += String(newRow)
        return (i - start, Array(text.utf8))
    }
}
