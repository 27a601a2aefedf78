import QuireBatch
import QuireImport
public import QuireModel
import QuireXLSX
import QuireZip

/// The messages of some mail sources, as an async sequence; see `Quire.messages(in:)`.
public struct MailMessages: AsyncSequence, Sendable {
    /// Each message, read with its attachments; `origin` says where it came from.
    public typealias Element = MailMessage
    let paths: [String]
    let importer: Importer
    let onWarning: @Sendable (String) -> Void

    /// Walks the sources (the folder listing happens here) and reads the messages as they are asked for.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(reader: MailSourceReader(paths: paths, importer: importer), onWarning: onWarning)
    }

    /// Pulls the next message from the sources.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let reader: MailSourceReader
        let onWarning: @Sendable (String) -> Void
        var told = 0

        /// The next message, or nil after the last; warnings found on the way go to `onWarning` first.
        public mutating func next() async -> MailMessage? {
            let found = reader.next()
            while told < reader.warnings.count {
                onWarning(reader.warnings[told])
                told += 1
            }
            return found?.message
        }
    }
}

/// The rows of one sheet, as an async sequence; see ``Quire/rows(of:sheet:limits:)``.
public struct SheetRows: AsyncSequence, Sendable {
    /// One row of cells, values typed and formatted as Excel shows them.
    public typealias Element = SheetRow
    let path: String
    let sheet: String?
    let limits: ZipLimits

    /// Opens the workbook when the first row is asked for.
    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(rows: self) }

    /// Pulls the next row from the sheet's part.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let rows: SheetRows
        var reader: SheetRowReader?

        /// The next row, or nil after the last.
        /// - Throws: `DocumentError` when the workbook cannot be opened, has no such sheet, or is damaged.
        public mutating func next() async throws -> SheetRow? {
            if reader == nil {
                let book = try XLSXReader(options: XLSXReader.Options(limits: rows.limits)).open(path: rows.path)
                let sheets = book.workbook.sheets
                let index: Int
                if let name = rows.sheet {
                    let sheet = try Extractor.select(name, in: book.workbook, file: rows.path)
                    index = sheets.firstIndex { $0.name == sheet.name } ?? 0
                } else {
                    guard let first = sheets.firstIndex(where: { $0.kind == .worksheet }) else {
                        throw DocumentError(.missingPart, file: rows.path, message: "the workbook has no worksheet.")
                    }
                    index = first
                }
                reader = try book.rows(ofSheet: index)
            }
            return try reader?.next()
        }
    }
}
