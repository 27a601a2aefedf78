import QuireModel
import QuireOOXML
import QuireXML

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Number formats by cell style index, from `styles.xml` (`numFmts` and `cellXfs`).
struct CellStyles {
    var formats: [NumberFormat] = []
    /// Per style: 0 plain number, 1 date, 2 duration (what CSV needs, without copying formats).
    private(set) var valueKinds: [UInt8] = []

    init() {}

    init(_ root: XMLElement) {
        var custom: [Int: String] = [:]
        if let numFmts = root.child("numFmts", namespace: NS.spreadsheet) {
            for format in numFmts.children("numFmt", namespace: NS.spreadsheet) {
                if let id = format.attribute("numFmtId").flatMap({ Int($0) }), let code = format.attribute("formatCode") {
                    custom[id] = code
                }
            }
        }
        var cache: [Int: NumberFormat] = [:]
        if let xfs = root.child("cellXfs", namespace: NS.spreadsheet) {
            for xf in xfs.children("xf", namespace: NS.spreadsheet) {
                let id = xf.attribute("numFmtId").flatMap { Int($0) } ?? 0
                if let format = cache[id] {
                    formats.append(format)
                    continue
                }
                let code = custom[id] ?? NumberFormat.builtIn(id) ?? CellStyles.fallback(id)
                let format = NumberFormat(code: code)
                cache[id] = format
                formats.append(format)
            }
        }
        valueKinds = formats.map { $0.isDuration ? 2 : ($0.isDate ? 1 : 0) }
    }

    /// 0 for a plain number, 1 for a date, 2 for a duration.
    func valueKind(_ index: Int?) -> UInt8 {
        guard let index, index >= 0, index < valueKinds.count else { return 0 }
        return valueKinds[index]
    }

    /// Ids Excel reserves for locale-dependent formats: the East Asian date ids are dates.
    static func fallback(_ id: Int) -> String {
        switch id {
        case 27...36, 50...58: return "yyyy-mm-dd"
        default: return "General"
        }
    }

    func format(_ index: Int?) -> NumberFormat {
        guard let index, index >= 0, index < formats.count else { return .general }
        return formats[index]
    }
}
