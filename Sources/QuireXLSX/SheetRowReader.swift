public import QuireModel
import QuireOOXML
import QuireXML
import QuireZip

/// Rows of one sheet, pulled one at a time: `while let row = try rows.next() { … }`.
///
/// The sheet's part is inflated and scanned only as far as the rows asked for need, on the
/// calling thread (a large part is inflated ahead on another when the workbook was opened
/// with `parallelism` above 1), so memory stays flat for any sheet size and a caller that
/// stops early reads no further. Rows come in document order, each cell with its value,
/// display text and formula; ``OpenWorkbook/forEachRow(ofSheet:_:)`` is a loop over this
/// reader. After the last row, ``layout`` holds the sheet's used range, merged ranges,
/// hidden columns and hyperlinks.
///
/// Parts in UTF-16 or with a DTD go through libxml2 instead of the byte scanner, with the
/// same results. Get one from ``OpenWorkbook/rows(ofSheet:formatted:)``.
public final class SheetRowReader {
    private let workbook: OpenWorkbook
    private let part: String?
    /// The sheet's position in the workbook.
    private let index: Int
    private let formatted: Bool
    /// The rows taken from the sink, handed out one by one.
    private var batch: [SheetRow] = []
    private var head = 0
    private var source: PrefetchingEntryReader?
    private var scanner: ByteScanner<SheetState>?
    private var parser: XMLPushParser<SheetState>?
    /// What is left of the chunk being fed (valid until the source's next call), and
    /// whether the part has ended.
    private var rest = UnsafeRawBufferPointer(start: nil, count: 0)
    private var ended = false
    /// Bytes fed between two takes of rows.
    static let sliceSize = 16 * 1024
    /// Rows handed out so far, and rows to drop after a restart with libxml2.
    private var delivered = 0
    private var skip = 0
    private var finished = false
    /// The sheet's used range, merged ranges, hidden columns and hyperlinks; set after the last row.
    public private(set) var layout: OpenWorkbook.Layout?

    init(workbook: OpenWorkbook, index: Int, formatted: Bool) throws(DocumentError) {
        self.workbook = workbook
        self.formatted = formatted
        self.index = index
        guard index >= 0, index < workbook.sheetParts.count, workbook.workbook.sheets[index].kind == .worksheet,
            let part = workbook.sheetParts[index]
        else {
            part = nil
            finished = true
            layout = OpenWorkbook.Layout(dimension: nil, mergedRanges: [])
            return
        }
        guard workbook.package.hasPart(part) else {
            throw DocumentError(
                .missingPart, file: workbook.package.file, location: part,
                message: "the sheet '\(workbook.workbook.sheets[index].name)' points to a part that is not in the package.")
        }
        self.part = part
        try start(withLibXML: false)
    }

    /// The sheet's stated used range (`A1:L200001`) once the scan has passed it (it comes
    /// before the first row), nil when the sheet states none.
    public private(set) var dimension: String?

    /// The next row, or nil after the last one.
    /// - Throws: `DocumentError` for a damaged part (the rows before it were valid).
    public func next() throws(DocumentError) -> SheetRow? {
        while true {
            if head < batch.count {
                let row = batch[head]
                head += 1
                if skip > 0 {
                    skip -= 1
                    continue
                }
                delivered += 1
                return row
            }
            if finished { return nil }
            try advance()
        }
    }

    private func state() -> SheetState {
        var state = SheetState(sharedStrings: workbook.sharedStrings, styles: workbook.styles, uses1904Dates: workbook.workbook.uses1904Dates)
        state.formatting = formatted
        return state
    }

    /// Takes the rows the sink completed (the ones before are all handed out).
    private func take(_ sink: inout SheetState) {
        sink.takeRows(into: &batch)
        head = 0
        if dimension == nil { dimension = sink.dimension }
    }

    private func start(withLibXML: Bool) throws(DocumentError) {
        guard let part, let entry = workbook.package.archive.entry(part) else { return }
        let prefetch = workbook.parallel && entry.uncompressedSize >= workbook.prefetchThreshold
        do {
            source = try PrefetchingEntryReader(archive: workbook.package.archive, entry: entry, prefetch: prefetch)
        } catch {
            throw DocumentError(zip: error)
        }
        if withLibXML {
            parser = XMLPushParser(part: entry.path, namespaces: NS.table, localNames: SheetState.Tag.localNames, sink: state())
            scanner = nil
        } else {
            scanner = ByteScanner(sink: state(), part: entry.path, namespaces: NS.table, localNames: SheetState.Tag.localNames)
        }
    }

    /// Feeds the next chunk of the part (or ends it), collecting the rows it completes.
    private func advance() throws(DocumentError) {
        guard let source, let part else {
            finished = true
            return
        }
        let chunk: UnsafeRawBufferPointer?
        var finalState: SheetState?
        if rest.isEmpty {
            do {
                rest = try source.next() ?? UnsafeRawBufferPointer(start: nil, count: 0)
                ended = rest.isEmpty
            } catch {
                throw DocumentError(zip: error)
            }
        }
        if ended {
            chunk = nil
        } else {
            // A slice at a time: a few hundred rows in hand keep the allocator's caches warm.
            let slice = UnsafeRawBufferPointer(rebasing: rest[..<min(rest.count, Self.sliceSize)])
            rest = UnsafeRawBufferPointer(rebasing: rest[slice.count...])
            chunk = slice
        }
        do {
            if var scanner {
                self.scanner = nil
                defer { self.scanner = scanner }
                if let chunk { try scanner.feed(chunk) } else { try scanner.finish() }
                scanner.updateSink(take)
            } else if let parser {
                if let chunk { try parser.feed(chunk) } else { finalState = try parser.finish() }
                parser.updateSink(take)
            }
        } catch {
            if let scanner, scanner.needsGeneralParser {
                // UTF-16 or a DTD: start again with libxml2, dropping the rows already given.
                skip = delivered
                rest = UnsafeRawBufferPointer(start: nil, count: 0)
                ended = false
                try start(withLibXML: true)
                return
            }
            finished = true
            throw DocumentError(xml: error, file: workbook.package.file, part: part)
        }
        if chunk == nil {
            finished = true
            self.source = nil
            if let final = scanner?.sink ?? finalState { layout = workbook.layout(ofSheet: index, from: final) }
            scanner = nil
            parser = nil
        }
    }
}

extension OpenWorkbook {
    /// A pull reader over the rows of sheet `index` (in `workbook.sheets`); see ``SheetRowReader``.
    ///
    /// Chartsheets and other sheets without cells give no rows. `formatted` false leaves each
    /// cell's display text empty (cheaper, for output that needs only the values).
    /// - Throws: `DocumentError` when the sheet's part is missing or cannot be inflated.
    public func rows(ofSheet index: Int, formatted: Bool = true) throws(DocumentError) -> SheetRowReader {
        try SheetRowReader(workbook: self, index: index, formatted: formatted)
    }

    /// The sheet's layout from the reader state left after its last row: hyperlink targets
    /// resolved through the relationships read when the workbook was opened.
    func layout(ofSheet index: Int, from state: SheetState) -> Layout {
        var links: [CellHyperlink] = []
        if !state.hyperlinks.isEmpty {
            let rels = sheetRelationships[index]
            for link in state.hyperlinks {
                if let id = link.relationship, let target = rels[id: id]?.target {
                    links.append(CellHyperlink(reference: link.reference, target: .url(target + (link.location.map { "#" + $0 } ?? ""))))
                } else if let location = link.location {
                    links.append(CellHyperlink(reference: link.reference, target: .location(location)))
                }
            }
        }
        return Layout(dimension: state.dimension, mergedRanges: state.mergedRanges, hiddenColumns: state.hiddenColumns, hyperlinks: links)
    }
}
