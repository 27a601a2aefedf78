public import QuireModel
package import QuireOOXML
import QuireXML
public import QuireZip

/// Reads Excel workbooks (.xlsx, .xlsm; Transitional and Strict) into a `Workbook`.
///
/// Worksheets are streamed: `forEachRow` hands rows over one at a time and never holds a
/// sheet; `read` collects them. Every cell carries its typed value (dates as dates, under
/// the 1900 or 1904 system), the text Excel would show, and its formula text.
public struct XLSXReader: Sendable {
    /// What the reader may cost and how many threads it may use.
    public struct Options: Sendable {
        /// Bounds on the ZIP container.
        public var limits: ZipLimits
        /// Threads the reader may use: 1 (the default) reads on the calling thread only;
        /// 2 or more inflates large sheets ahead and scans CSV on two threads.
        public var parallelism: Int
        /// Options from their values.
        public init(limits: ZipLimits = .default, parallelism: Int = 1) {
            self.limits = limits
            self.parallelism = parallelism
        }
    }

    /// The reader's options.
    public var options: Options

    /// A reader with `options` (by default: the standard limits, one thread).
    public init(options: Options = Options()) {
        self.options = options
    }

    /// Reads the whole workbook at `path`, every sheet's rows included.
    ///
    /// - Throws: `DocumentError` naming the file and the part: `.encrypted`, `.legacyFormat`,
    ///   `.truncated`, `.corrupt`, `.limitExceeded`, `.malformedXML`, `.unsafeXML`,
    ///   `.missingPart`, `.empty`, `.io`, `.unsupportedFormat`.
    public func read(path: String) throws(DocumentError) -> Workbook {
        try read(OPCPackage(path: path, limits: options.limits))
    }

    /// Reads a workbook held in memory; `name` labels it in errors and metadata.
    public func read(bytes: [UInt8], name: String) throws(DocumentError) -> Workbook {
        try read(OPCPackage(bytes: bytes, name: name, limits: options.limits))
    }

    /// The workbook's structure (sheets without their rows) and a way to stream each sheet.
    public func open(path: String) throws(DocumentError) -> OpenWorkbook {
        try OpenWorkbook(package: OPCPackage(path: path, limits: options.limits), parallel: options.parallelism > 1)
    }

    /// The structure of a workbook held in memory, and a way to stream each sheet; `name`
    /// labels it in errors and metadata.
    public func open(bytes: [UInt8], name: String) throws(DocumentError) -> OpenWorkbook {
        try OpenWorkbook(package: OPCPackage(bytes: bytes, name: name, limits: options.limits), parallel: options.parallelism > 1)
    }

    /// Opens an already opened package (the importer opens it once to tell the format).
    package func open(package: OPCPackage) throws(DocumentError) -> OpenWorkbook {
        try OpenWorkbook(package: package, parallel: options.parallelism > 1)
    }

    package func read(_ package: OPCPackage) throws(DocumentError) -> Workbook {
        let open = try OpenWorkbook(package: package, parallel: options.parallelism > 1)
        var workbook = open.workbook
        for index in workbook.sheets.indices where workbook.sheets[index].kind == .worksheet {
            var rows: [SheetRow] = []
            let layout = try open.forEachRow(ofSheet: index) { rows.append($0) }
            workbook.sheets[index].rows = rows
            workbook.sheets[index].dimension = layout.dimension
            workbook.sheets[index].mergedRanges = layout.mergedRanges
            workbook.sheets[index].hiddenColumns = layout.hiddenColumns
            workbook.sheets[index].hyperlinks = layout.hyperlinks
        }
        return workbook
    }
}

/// A workbook opened for streaming: its structure is read, its sheets are read on demand.
public struct OpenWorkbook: Sendable {
    /// Structure only: sheet names, kinds, visibility, defined names; `rows` are empty.
    public let workbook: Workbook
    let package: OPCPackage
    let sheetParts: [String?]
    /// Each sheet's relationships (its hyperlinks' targets), read once when the workbook is
    /// opened; empty when the sheet has none or they could not be read (a warning says so).
    let sheetRelationships: [Relationships]
    let sharedStrings: SharedStringBytes
    let styles: CellStyles
    /// Whether sheets may be read on more than one thread.
    let parallel: Bool
    /// Parts at least this big are inflated ahead on another thread, when `parallel`.
    var prefetchThreshold: Int64 { parallel ? 1 << 20 : .max }

    init(package: OPCPackage, parallel: Bool = false) throws(DocumentError) {
        self.package = package
        self.parallel = parallel
        let main = try package.mainPart(fallback: "xl/workbook.xml")
        guard let root = try package.tree(of: main) else {
            throw DocumentError(
                .missingPart, file: package.file, location: main,
                message: "the package has no workbook part; it is not an Excel workbook (or it is damaged).")
        }
        let rels = try package.relationships(of: main)
        var workbook = Workbook(metadata: try package.metadata(format: .xlsx))
        if let properties = root.child("workbookPr", namespace: NS.spreadsheet),
            let flag = properties.attribute("date1904")
        {
            workbook.uses1904Dates = flag == "1" || flag.lowercased() == "true"
        }
        let persons = OpenWorkbook.persons(rels, package)
        var parts: [String?] = []
        var sheetRelationships: [Relationships] = []
        for sheet in root.child("sheets", namespace: NS.spreadsheet)?.children("sheet", namespace: NS.spreadsheet) ?? [] {
            let (entry, part, sheetRels) = try OpenWorkbook.sheet(
                sheet, position: parts.count, rels, package, persons: persons, warnings: &workbook.warnings)
            workbook.sheets.append(entry)
            parts.append(part)
            sheetRelationships.append(sheetRels)
        }
        for defined in root.child("definedNames", namespace: NS.spreadsheet)?.children("definedName", namespace: NS.spreadsheet) ?? [] {
            guard let name = defined.attribute("name") else { continue }
            workbook.definedNames.append(
                DefinedName(
                    name: name, value: defined.allText, sheetIndex: defined.attribute("localSheetId").flatMap { Int($0) },
                    isHidden: defined.attribute("hidden") == "1"))
        }
        sheetParts = parts
        self.sheetRelationships = sheetRelationships
        sharedStrings = try OpenWorkbook.sharedStrings(rels, package, prefetchThreshold: parallel ? 1 << 20 : .max)
        var styles = CellStyles()
        if let part = rels.first(typeSuffix: "/styles")?.target {
            let root = try OpenWorkbook.aside("the number formats (values are shown as General)", into: &workbook.warnings) {
                () throws(DocumentError) in try package.tree(of: part)
            }
            if let root = root ?? nil { styles = CellStyles(root) }
        }
        self.styles = styles
        self.workbook = workbook
    }

    /// The workbook's people (threaded comments name them by id), by id.
    static func persons(_ rels: Relationships, _ package: OPCPackage) -> [String: String] {
        var persons: [String: String] = [:]
        if let part = rels.first(typeSuffix: "/person")?.target, let list = try? package.tree(of: part) {
            for person in list.children where person.name.local == "person" {
                if let id = person.attribute("id"), let name = person.attribute("displayName") { persons[id] = name }
            }
        }
        return persons
    }

    /// A `sheet` element of the workbook part: the sheet without its rows (its tables and
    /// comments read aside), the part that holds its cells, and that part's relationships.
    static func sheet(
        _ sheet: XMLElement, position: Int, _ rels: Relationships, _ package: OPCPackage, persons: [String: String], warnings: inout [String]
    ) throws(DocumentError) -> (Sheet, String?, Relationships) {
        let name = sheet.attribute("name") ?? "Sheet\(position + 1)"
        let visibility: Sheet.Visibility =
            switch sheet.attribute("state") {
            case "hidden": .hidden
            case "veryHidden": .veryHidden
            default: .visible
            }
        let relationship = sheet.attribute("id", namespace: NS.r).flatMap { rels[id: $0] }
        var kind = Sheet.Kind.worksheet
        if let type = relationship?.type {
            if type.hasSuffix("/chartsheet") { kind = .chartsheet }
            if type.hasSuffix("/dialogsheet") { kind = .dialogsheet }
            if type.hasSuffix("/xlMacrosheet") { kind = .macrosheet }
        }
        var entry = Sheet(name: name, kind: kind, visibility: visibility)
        var sheetRels = Relationships(items: [])
        if kind == .worksheet, let part = relationship?.target, package.hasPart(part) {
            sheetRels =
                try aside("the tables, comments and hyperlink targets of sheet '\(name)'", into: &warnings) { () throws(DocumentError) in
                    try package.relationships(of: part)
                } ?? sheetRels
            entry.tables =
                try aside("the tables of sheet '\(name)'", into: &warnings) { () throws(DocumentError) in
                    try tables(sheetRels, package)
                } ?? []
            entry.comments =
                try aside("the comments of sheet '\(name)'", into: &warnings) { () throws(DocumentError) in
                    try comments(sheetRels, package, persons: persons)
                } ?? []
        }
        return (entry, relationship?.target, sheetRels)
    }

    /// The shared strings table (scanned, or read by libxml2 when the scanner hands it back).
    static func sharedStrings(_ rels: Relationships, _ package: OPCPackage, prefetchThreshold: Int64) throws(DocumentError) -> SharedStringBytes {
        guard let part = rels.first(typeSuffix: "/sharedStrings")?.target, package.hasPart(part) else { return SharedStringBytes() }
        let localNames = SharedStringsState.Tag.localNames
        return try package.stream(part, into: SharedStringsState(), localNames: localNames, parallelThreshold: prefetchThreshold)?.strings
            ?? SharedStringBytes()
    }

    /// Reads a part beside the cells (see `SidePart`): the cells are never lost with it.
    static func aside<T>(_ what: String, into warnings: inout [String], _ read: () throws(DocumentError) -> T) throws(DocumentError) -> T? {
        try SidePart.read(what, still: "the cells are all read", into: &warnings, read)
    }

    static func tables(_ rels: Relationships, _ package: OPCPackage) throws(DocumentError) -> [SheetTable] {
        var tables: [SheetTable] = []
        for rel in rels.all(typeSuffix: "/table") {
            guard let root = try package.tree(of: rel.target), let ref = root.attribute("ref"), let range = CellRange(ref) else { continue }
            let name = root.attribute("displayName") ?? root.attribute("name") ?? rel.target
            let headers = root.attribute("headerRowCount").flatMap { Int($0) } ?? 1
            tables.append(SheetTable(name: name, range: range, headerRowCount: headers))
        }
        return tables
    }

    /// Threaded comments in the order written (replies marked), then the notes (legacy
    /// comments) of cells without a thread.
    static func comments(_ rels: Relationships, _ package: OPCPackage, persons: [String: String]) throws(DocumentError) -> [CellComment] {
        var comments: [CellComment] = []
        var threadedCells = Set<String>()
        for rel in rels.all(typeSuffix: "/threadedComment") {
            guard let root = try package.tree(of: rel.target) else { continue }
            for comment in root.children where comment.name.local == "threadedComment" {
                guard let ref = comment.attribute("ref") else { continue }
                threadedCells.insert(ref)
                let author = comment.attribute("personId").flatMap { persons[$0] }
                let text = comment.child("text")?.allText ?? ""
                comments.append(
                    CellComment(
                        reference: ref, author: author, text: text, isThreaded: true, isReply: comment.attribute("parentId") != nil,
                        date: comment.attribute("dT")))
            }
        }
        for rel in rels.all(typeSuffix: "/comments") {
            guard let root = try package.tree(of: rel.target) else { continue }
            let authors = root.child("authors", namespace: NS.spreadsheet)?.children("author", namespace: NS.spreadsheet).map(\.allText) ?? []
            for comment in root.child("commentList", namespace: NS.spreadsheet)?.children("comment", namespace: NS.spreadsheet) ?? [] {
                // Excel keeps a note copy of every threaded comment for old readers: skip those.
                guard let ref = comment.attribute("ref"), !threadedCells.contains(ref) else { continue }
                let author = comment.attribute("authorId").flatMap { Int($0) }.flatMap { $0 < authors.count ? authors[$0] : nil }
                let text = comment.child("text", namespace: NS.spreadsheet).map { textOf($0) } ?? ""
                comments.append(CellComment(reference: ref, author: author, text: text))
            }
        }
        return comments
    }

    /// The text of a rich-text element: its `t` runs, phonetic runs left out.
    static func textOf(_ element: XMLElement) -> String {
        var out = ""
        for child in element.children {
            switch child.name.local {
            case "t": out += child.allText
            case "r": out += child.children.filter { $0.name.local == "t" }.map(\.allText).joined()
            default: break
            }
        }
        return out
    }

    /// What a sheet's XML says besides its cells (read with them, so known at the end).
    public struct Layout: Sendable, Equatable {
        /// The sheet's stated used range (`A1:G123`), when it has one.
        public var dimension: String?
        /// Merged ranges.
        public var mergedRanges: [CellRange]
        /// Hidden columns, 0-based.
        public var hiddenColumns: [Int] = []
        /// Hyperlinks on cells.
        public var hyperlinks: [CellHyperlink] = []
    }

    /// Streams the rows of sheet `index` (in `workbook.sheets`) to `body`, one at a time.
    ///
    /// Chartsheets and other sheets without cells give no rows.
    public func forEachRow(ofSheet index: Int, _ body: (SheetRow) throws -> Void) throws(DocumentError) -> Layout {
        try forEachRow(ofSheet: index, formatted: true, onDimension: { _ in }, body)
    }

    /// As `forEachRow(ofSheet:_:)`, with `onDimension` told the sheet's stated used range
    /// before the first row, and display text left empty when `formatted` is false (for
    /// output that needs only the values).
    ///
    /// A loop over ``rows(ofSheet:formatted:)``: the closures run on the calling thread.
    public func forEachRow(
        ofSheet index: Int, formatted: Bool, onDimension: (String) -> Void, _ body: (SheetRow) throws -> Void
    ) throws(DocumentError) -> Layout {
        let reader = try rows(ofSheet: index, formatted: formatted)
        var toldDimension = false
        while let row = try reader.next() {
            if !toldDimension, let dimension = reader.dimension { onDimension(dimension) }
            toldDimension = true
            do {
                try body(row)
            } catch {
                throw DocumentError(xml: error, file: package.file, part: sheetParts[index] ?? "")
            }
        }
        if !toldDimension, let dimension = reader.dimension { onDimension(dimension) }
        return reader.layout ?? Layout(dimension: nil, mergedRanges: [])
    }
}
