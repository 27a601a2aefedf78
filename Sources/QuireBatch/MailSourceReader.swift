public import QuireImport
import QuireMail
public import QuireModel

/// Every message of some mail sources, pulled one at a time: mbox files, Maildir folders,
/// .eml and Apple Mail .emlx files, and folders of them, walked as `quire batch` walks them
/// (by content, in name order, Maildir `cur/` and `new/` but never `tmp/`, symbolic link
/// loops walked once).
///
/// ```swift
/// let source = MailSourceReader(paths: ["Takeout/Mail/All mail.mbox"])
/// while let found = source.next() { print(found.folder ?? "-", found.message.subject ?? "") }
/// print(source.warnings)
/// ```
///
/// Each message is read with its attachments (Word, Excel and mail files read too) and
/// knows where it came from (`MailMessage.origin`). Folders are walked as ``next()`` goes —
/// the first message comes before the rest of the tree is listed — and memory holds one
/// message at a time (an mbox is read in 1 MiB pieces) plus the listings of the folders
/// being walked. A message that cannot
/// be read, or a file that cannot be opened, is not dropped in silence: it is counted in
/// ``failed`` and described in ``warnings`` (file, message number, byte offset, reason),
/// and the others go on.
public final class MailSourceReader {
    /// One message and the mail folder it was found in (`INBOX/Archive`, an mbox's name), if any.
    public struct Found: Sendable {
        /// The message, with its attachments read.
        public var message: MailMessage
        /// The folder path within the source, when the source has folders.
        public var folder: String?
    }

    /// What could not be read, one line each; grows as ``next()`` goes.
    public private(set) var warnings: [String] = []
    /// Messages and files that could not be opened or read.
    public var failed: Int { readFailures + walker.unreadable }
    /// Files that are no mail (images, indexes, documents), not read; grows as ``next()`` goes.
    public var skipped: Int { walker.skipped }

    private let importer: Importer
    private var walker: SourceWalker
    private var readFailures = 0
    private var mbox: (reader: MboxMessageReader, folder: String?)?
    private var files: (paths: [String], next: Int, folder: String?, kind: MessageLocation.Container)?
    private var archive: (messages: OutlookArchive.Messages, path: String)?

    /// The sources at `paths` (files or folders); `importer` reads the messages (its limits and plugins apply).
    public init(paths: [String], importer: Importer = Importer()) {
        walker = SourceWalker()
        walker.importer = importer
        for path in paths { walker.add(path) }
        self.importer = importer
    }

    /// The next message, or nil after the last one.
    public func next() -> Found? {
        while true {
            if let found = nextFromMbox() ?? nextFromArchive() ?? nextFromFiles() { return found }
            let next = walker.next()
            warnings += walker.warnings
            walker.warnings = []
            guard let container = next else { return nil }
            switch container {
            case .mbox(let path, let folder):
                do {
                    mbox = (try importer.mboxReader.messages(path: path), folder)
                } catch {
                    fail(error.description)
                }
            case .maildir(let directory, let folder):
                let paths = ["cur", "new"].flatMap { sub in
                    SourceWalker.names(in: directory + "/" + sub).filter { !$0.hasPrefix(".") }.map { directory + "/" + sub + "/" + $0 }
                }
                files = (paths, 0, folder, .maildir)
            case .eml(let path, let folder):
                files = ([path], 0, folder, .eml)
            case .emlx(let path, let folder):
                files = ([path], 0, folder, .emlx)
            case .msg(let path, let folder):
                files = ([path], 0, folder, .msg)
            case .pst(let path, _):
                do {
                    archive = (try importer.outlookArchive(path: path).messages(), path)
                } catch {
                    fail(error.description)
                }
            case .document:
                break
            }
        }
    }

    private func fail(_ warning: String) {
        readFailures += 1
        warnings.append(warning)
    }

    private func nextFromMbox() -> Found? {
        guard let (reader, folder) = mbox else { return nil }
        while true {
            let entry: MboxReader.Entry?
            do {
                entry = try reader.next()
            } catch {
                fail(error.description)
                entry = nil
            }
            guard let entry else {
                mbox = nil
                return nil
            }
            do {
                return Found(message: try importer.readMail(entry: entry, of: reader.path), folder: folder)
            } catch {
                fail("\(reader.path): message \(entry.index + 1) at byte \(entry.offset): \(error.message)")
            }
        }
    }

    /// The next message of an Outlook archive; its folders that could not be read are
    /// counted and described when the archive ends.
    private func nextFromArchive() -> Found? {
        guard case (var messages, let path)? = archive else { return nil }
        defer { archive = archive.map { _ in (messages, path) } }
        while let entry = messages.next() {
            do {
                return Found(message: try importer.readMail(entry: entry, of: path), folder: entry.folder)
            } catch {
                fail("\(path): folder '\(entry.folder)' message \(entry.index + 1): \(error.location.map { $0 + ": " } ?? "")\(error.message)")
            }
        }
        for folder in messages.folders {
            if let error = folder.error { fail("\(path): folder '\(folder.path.isEmpty ? "(root)" : folder.path)' could not be read: \(error)") }
        }
        archive = nil
        return nil
    }

    private func nextFromFiles() -> Found? {
        guard let (paths, start, folder, kind) = files else { return nil }
        var index = start
        defer { files = index < paths.count ? (paths, index, folder, kind) : nil }
        while index < paths.count {
            let path = paths[index]
            index += 1
            do {
                if kind == .emlx {
                    let (bytes, truncation) = try ItemLoader.message(at: MessageLocation(container: .emlx, file: path), limit: importer.maxMessageBytes)
                    var message = try importer.readMail(bytes: bytes, name: path)
                    if let truncation { message.warnings.append(truncation) }
                    message.origin = .file(path)
                    return Found(message: message, folder: folder)
                }
                if kind == .msg {
                    guard case .mail(let message) = try importer.read(path: path) else { throw BatchReadError(path: path, message: "not a mail message.") }
                    return Found(message: message, folder: folder)
                }
                return Found(message: try importer.readMailFile(path: path), folder: folder)
            } catch {
                fail("\(error)")
            }
        }
        return nil
    }
}
