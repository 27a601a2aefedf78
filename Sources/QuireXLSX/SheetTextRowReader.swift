public import QuireModel
import QuireOOXML
import QuireXML
import QuireZip

/// Rows of one sheet as the data text of their cells (`SheetTextRow`), pulled one at a
/// time — `while try rows.next(into: &row) { … }` — or as many as are at hand at once
/// (`while try rows.next(rows: &batch) { … }`, no copy per row).
///
/// The cheap shape of ``SheetRowReader``'s rows, for output that needs only the values —
/// CSV above all (`CSVSheetWriter` takes these rows as they come): no `Cell` is made, a
/// shared string or a number already in its shortest form is copied as bytes. The text of
/// each field is what `CellValue.dataText` gives for the cell ``SheetRowReader`` reads.
///
/// Memory stays flat for any sheet size; a caller that stops early reads no further. With
/// the workbook opened at `parallelism` 2 or more, a large sheet's part is inflated on
/// another thread and its rows are scanned in segments on two more, placed back in order —
/// the rows are the same. Parts in UTF-16 or with a DTD go through libxml2, with the same
/// rows. Get one from ``OpenWorkbook/textRows(ofSheet:)``.
public final class SheetTextRowReader {
    private let workbook: OpenWorkbook
    private let part: String?
    private var source: PrefetchingEntryReader?
    private var scan: SegmentedSheetScan?
    private var parser: XMLPushParser<TextRowState>?
    /// The rows taken from the sink, handed out one by one.
    private var batch = SheetTextRows()
    private var head = 0
    /// Rows handed out so far, and rows to drop after a restart with libxml2.
    private var delivered = 0
    private var skip = 0
    private var finished = false

    init(workbook: OpenWorkbook, index: Int) throws(DocumentError) {
        self.workbook = workbook
        guard index >= 0, index < workbook.sheetParts.count, workbook.workbook.sheets[index].kind == .worksheet,
            let part = workbook.sheetParts[index]
        else {
            part = nil
            finished = true
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

    deinit {
        scan?.stopWorkers()
    }

    /// The sheet's stated used range (`A1:L200001`) once the scan has passed it (it comes
    /// before the first row), nil when the sheet states none.
    public private(set) var dimension: String?

    /// Puts the next row in `row` (its storage is reused); false after the last row.
    /// - Throws: `DocumentError` for a damaged part (the rows before it were valid).
    public func next(into row: inout SheetTextRow) throws(DocumentError) -> Bool {
        while true {
            if head < batch.count {
                let k = head
                head += 1
                if skip > 0 {
                    skip -= 1
                    continue
                }
                row.assign(from: batch.fields, fields: batch.fieldRange(ofRow: k), index: batch.rows[k].index)
                delivered += 1
                return true
            }
            if finished { return false }
            try advance()
        }
    }

    /// Puts the next rows in `rows` — all those the reader has at hand, at least one, in
    /// one buffer (its storage is taken over and reused); false after the last row. The
    /// fastest way through a sheet: no copy per row.
    /// - Throws: `DocumentError` for a damaged part (the rows before it were valid).
    public func next(rows: inout SheetTextRows) throws(DocumentError) -> Bool {
        while true {
            if head == 0 && skip == 0 && !batch.isEmpty {
                swap(&rows, &batch)
                batch.removeAll()
                delivered += rows.count
                return true
            }
            if head < batch.count {
                // Partly handed out already, or rows to drop after a restart: the rest, copied.
                rows.removeAll()
                var row = SheetTextRow()
                while head < batch.count {
                    guard try next(into: &row) else { break }
                    rows.append(row)
                }
                if !rows.isEmpty { return true }
                continue
            }
            if finished { return false }
            try advance()
        }
    }

    /// The next row, or nil after the last one (a new value each time: ``next(into:)``
    /// reuses one).
    public func next() throws(DocumentError) -> SheetTextRow? {
        var row = SheetTextRow()
        return try next(into: &row) ? row : nil
    }

    private func start(withLibXML: Bool) throws(DocumentError) {
        guard let part, let entry = workbook.package.archive.entry(part) else {
            finished = true
            return
        }
        let prefetch = workbook.parallel && entry.uncompressedSize >= workbook.prefetchThreshold
        do {
            source = try PrefetchingEntryReader(archive: workbook.package.archive, entry: entry, prefetch: prefetch)
        } catch {
            throw DocumentError(zip: error)
        }
        let state = TextRowState(sharedStrings: workbook.sharedStrings, styles: workbook.styles, uses1904Dates: workbook.workbook.uses1904Dates)
        if withLibXML {
            parser = XMLPushParser(part: entry.path, namespaces: NS.table, localNames: SheetState.Tag.localNames, sink: state)
            scan = nil
        } else {
            scan = SegmentedSheetScan(sink: state, part: entry.path, parallel: workbook.parallel)
        }
    }

    /// Feeds the next chunk of the part (or ends it), then takes the rows it completed.
    private func advance() throws(DocumentError) {
        guard let source, let part else {
            finished = true
            return
        }
        let chunk: UnsafeRawBufferPointer?
        do {
            chunk = try source.next()
        } catch {
            finished = true
            throw DocumentError(zip: error)
        }
        do {
            if var scan {
                self.scan = nil
                defer { self.scan = scan }
                if let chunk { try scan.feed(chunk) } else { _ = try scan.finish() }
                scan.updateSink(take)
            } else if let parser {
                if let chunk { try parser.feed(chunk) } else { _ = try parser.finish() }
                parser.updateSink(take)
            }
        } catch {
            if let scan, scan.needsGeneralParser {
                // UTF-16 or a DTD: start again with libxml2, dropping the rows already given.
                self.scan = nil
                skip = delivered
                try start(withLibXML: true)
                return
            }
            finished = true
            throw DocumentError(xml: error, file: workbook.package.file, part: part)
        }
        if chunk == nil {
            finished = true
            self.source = nil
            scan = nil
            parser = nil
        }
    }

    /// Takes the rows the sink completed (the ones before are all handed out).
    private func take(_ sink: inout TextRowState) {
        sink.takeRows(into: &batch)
        if dimension == nil { dimension = sink.dimension }
        head = 0
    }
}

extension OpenWorkbook {
    /// A pull reader over the rows of sheet `index` (in `workbook.sheets`) as the data text
    /// of their cells; see ``SheetTextRowReader``.
    ///
    /// Chartsheets and other sheets without cells give no rows.
    /// - Throws: `DocumentError` when the sheet's part is missing or cannot be inflated.
    public func textRows(ofSheet index: Int) throws(DocumentError) -> SheetTextRowReader {
        try SheetTextRowReader(workbook: self, index: index)
    }
}
