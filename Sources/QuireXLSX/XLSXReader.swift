public import QuireModel
public import QuireZip
import QuireOOXML
import QuireXML

/// Reads Excel workbooks (.xlsx, .xlsm; Transitional and Strict) into a `Workbook`.
///
/// Worksheets are streamed: `forEachRow` hands rows over one at a time and never holds a
/// sheet; `read` collects them. Every cell carries its typed value (dates as dates, under
/// the 1900 or 1904 system), the text Excel would show, and its formula text.
public struct XLSXReader: Sendable {
    public struct Options: Sendable {
        public var limits: ZipLimits
        public init(limits: ZipLimits = .default) {
            self.limits = limits
        }
    }

    public var options: Options

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
        try OpenWorkbook(package: OPCPackage(path: path, limits: options.limits))
    }

    func read(_ package: OPCPackage) throws(DocumentError) -> Workbook {
        let open = try OpenWorkbook(package: package)
        var workbook = open.workbook
        for index in workbook.sheets.indices where workbook.sheets[index].kind == .worksheet {
            var rows: [SheetRow] = []
            let layout = try open.forEachRow(ofSheet: index) { rows.append($0) }
            workbook.sheets[index].rows = rows
            workbook.sheets[index].dimension = layout.dimension
            workbook.sheets[index].mergedRanges = layout.mergedRanges
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
    let sharedStrings: [String]
    let styles: CellStyles

    init(package: OPCPackage) throws(DocumentError) {
        self.package = package
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
        var parts: [String?] = []
        for sheet in root.child("sheets", namespace: NS.spreadsheet)?.children("sheet", namespace: NS.spreadsheet) ?? [] {
            let name = sheet.attribute("name") ?? "Sheet\(parts.count + 1)"
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
            workbook.sheets.append(Sheet(name: name, kind: kind, visibility: visibility))
            parts.append(relationship?.target)
        }
        for defined in root.child("definedNames", namespace: NS.spreadsheet)?.children("definedName", namespace: NS.spreadsheet) ?? [] {
            guard let name = defined.attribute("name") else { continue }
            workbook.definedNames.append(
                DefinedName(
                    name: name, value: defined.allText, sheetIndex: defined.attribute("localSheetId").flatMap { Int($0) },
                    isHidden: defined.attribute("hidden") == "1"))
        }
        self.workbook = workbook
        sheetParts = parts

        var strings: [String] = []
        if let part = rels.first(typeSuffix: "/sharedStrings")?.target, package.hasPart(part) {
            let reader = SharedStringsReader()
            try package.stream(part, into: reader, localNames: SharedStringsReader.Tag.localNames)
            strings = reader.strings
        }
        sharedStrings = strings
        var styles = CellStyles()
        if let part = rels.first(typeSuffix: "/styles")?.target, let root = try package.tree(of: part) {
            styles = CellStyles(root)
        }
        self.styles = styles
    }

    /// What a sheet's XML says besides its cells.
    public struct Layout: Sendable {
        public var dimension: String?
        public var mergedRanges: [CellRange]
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
    /// For a large sheet the closures run on another thread while this one waits; calls are
    /// in order and never concurrent.
    public func forEachRow(
        ofSheet index: Int, formatted: Bool, onDimension: (String) -> Void, _ body: (SheetRow) throws -> Void
    ) throws(DocumentError) -> Layout {
        guard index >= 0, index < sheetParts.count, workbook.sheets[index].kind == .worksheet,
            let part = sheetParts[index]
        else { return Layout(dimension: nil, mergedRanges: []) }
        guard package.hasPart(part) else {
            throw DocumentError(
                .missingPart, file: package.file, location: part,
                message: "the sheet '\(workbook.sheets[index].name)' points to a part that is not in the package.")
        }
        return try withoutActuallyEscaping(body) { (rows) throws(DocumentError) -> Layout in
            try withoutActuallyEscaping(onDimension) { (dimension) throws(DocumentError) -> Layout in
                let reader = WorksheetReader(
                    sharedStrings: sharedStrings, styles: styles, uses1904Dates: workbook.uses1904Dates, onRow: rows)
                reader.onDimension = dimension
                reader.formatting = formatted
                try package.stream(part, into: reader, localNames: WorksheetReader.Tag.localNames)
                return Layout(dimension: reader.dimension, mergedRanges: reader.mergedRanges)
            }
        }
    }
}
