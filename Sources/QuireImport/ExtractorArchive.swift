import QuireMail
import QuireModel
import QuirePST
import QuireRender

extension Extractor {
    /// Renders the messages of an Outlook archive one at a time, in folder order, each with
    /// its folder path; a message that cannot be read becomes a line saying so. Afterwards
    /// `note` is told each folder's reconciliation: messages listed, read and failed.
    ///
    /// - Throws: `DocumentError` when the file is no archive, `folder` names no folder, or
    ///   the archive holds no message.
    func extractArchive(_ archive: OutlookArchive, file: String, write: @escaping @Sendable (String) -> Void) throws(DocumentError) {
        if format == .csv {
            throw DocumentError(
                .unsupportedFormat, file: file, message: "CSV output is for spreadsheets; this is a mailbox (use --format markdown, text, json or jsonl).")
        }
        var output = MailboxOutput(format: format, write: write, progress: progress, size: 0)
        var locations = archive.locations(folder: folder)
        let tallies = renderArchive(archive, walking: &locations, file: file) { output.emit($0, offset: 0) }
        let folders = locations.folders.enumerated().map { k, count in
            var count = count
            if k < tallies.count { (count.read, count.failed) = tallies[k] }
            return count
        }
        report(folders, of: file)
        if let folder, !folders.contains(where: { $0.error == nil }) {
            let names = locations.paths.filter { !$0.isEmpty }
            throw DocumentError(
                .missingPart, file: file,
                message: "no folder '\(folder)' in the archive; its folders are: \(names.joined(separator: ", ")).")
        }
        if output.count == 0, let broken = folders.first(where: { $0.error != nil }) {
            throw DocumentError(
                .corrupt, file: file, message: "no message could be read: folder '\(broken.path.isEmpty ? "(root)" : broken.path)': \(broken.error ?? "")")
        }
        try output.finish(file: file)
    }

    /// Reads and renders every message `locations` walks to, on two threads (one when
    /// `parallelism` is 1), handing the texts to `emit` in folder order; the folder walk stays
    /// on this thread. Returns, per folder of the walk, the messages read and those that failed.
    func renderArchive(
        _ archive: OutlookArchive, walking locations: inout OutlookArchive.Locations, file: String, emit: @escaping (String) -> Void
    ) -> [(read: Int, failed: Int)] {
        typealias Location = OutlookArchive.Locations.Location
        var tallies: [(read: Int, failed: Int)] = []
        func done(_ location: Location, _ result: (text: String, read: Bool)) {
            emit(result.text)
            while tallies.count <= location.folderIndex { tallies.append((0, 0)) }
            if result.read { tallies[location.folderIndex].read += 1 } else { tallies[location.folderIndex].failed += 1 }
        }
        let extractor = self
        // Each thread reads through caches of its own: shared ones cost more in waiting at
        // their locks and in their cache lines passing between the cores than they save.
        // Batches of 64 messages (about half a megabyte of a PST built from mail) keep each
        // thread's reads in runs of their own, so few stretches of the file are read twice.
        let workers: @Sendable (Int) -> (Location) -> (text: String, read: Bool) = { k in
            // Should the header no longer read (the file changed since it was opened), the
            // second thread shares the first one's caches: slower, nothing lost; each message
            // still reads or fails on its own.
            let archive = k == 0 ? archive : (try? archive.withOwnCaches()) ?? archive
            return { location in
                let result: Result<MailMessage, DocumentError>
                do throws(DocumentError) {
                    result = .success(try archive.message(nid: location.nid))
                } catch {
                    result = .failure(error)
                }
                let entry = OutlookArchive.Entry(folder: location.folder, index: location.index, nid: location.nid, result: result)
                if case .success = result { return (extractor.render(entry, file: file), true) }
                return (extractor.render(entry, file: file), false)
            }
        }
        let ordered = OrderedWorkers<Location, (text: String, read: Bool)>(
            parallel: importer.parallelism > 1, name: "quire-pst", batchSize: 64, workers: workers, done: done)
        while let location = locations.next() { ordered.submit(location) }
        ordered.finish()
        return tallies
    }

    /// The reconciliation: the total, then each folder's counts (or why it could not be read).
    func report(_ folders: [OutlookArchive.FolderCount], of file: String) {
        let listed = folders.reduce(0) { $0 + $1.listed }
        let failed = folders.reduce(0) { $0 + $1.failed }
        note?("\(file): \(listed) messages listed in \(folders.count) folder\(folders.count == 1 ? "" : "s"): \(listed - failed) read, \(failed) failed")
        for count in folders {
            let name = count.path.isEmpty ? "(root)" : count.path
            if let error = count.error {
                warn?("\(file): folder '\(name)' could not be read: \(error)")
            } else {
                note?("\(file): \(name): \(count.listed) listed, \(count.read) read, \(count.failed) failed")
            }
        }
    }

    /// One archive message rendered, or the line that says it could not be read.
    func render(_ entry: OutlookArchive.Entry, file: String) -> String {
        let label = "\(file) '\(entry.folder)' message \(entry.index + 1)"
        do throws(DocumentError) {
            let message = try importer.readMail(entry: entry, of: file)
            return try render(.mail(message), file: label)
        } catch {
            warn?("\(label) could not be read: \(error.location.map { $0 + ": " } ?? "")\(error.message)")
            switch format {
            case .json:
                var w = JSONWriter(pretty: false)
                w.beginObject()
                w.field("error", error.message)
                w.field("folder", entry.folder)
                w.field("index", entry.index)
                w.field("node", Int(entry.nid))
                w.endObject()
                return w.output + "\n"
            default: return "(\(label) could not be read: \(error.message))\n"
            }
        }
    }
}
