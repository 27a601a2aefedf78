import QuireMail
import QuireModel
import QuirePST

// An Outlook archive (.pst) one message at a time: the folder tree walked through its tables,
// each message read into the mail model with its folder path, and each folder's count of
// messages listed, read and failed at the end — nothing dropped without a number saying so.
//
//   swift run example-archive-folders archive.pst [FOLDER]
#if canImport(Glibc)
    import Glibc
#endif

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    print("usage: example-archive-folders ARCHIVE.pst [FOLDER]")
    exit(2)
}
do {
    let archive = try OutlookArchive(path: arguments[1])
    print("\(archive.file.format == .unicode ? "Unicode" : "ANSI") PST, blocks encoded: \(archive.file.encoding)")
    var messages = archive.messages(folder: arguments.count > 2 ? arguments[2] : nil)
    while let entry = messages.next() {
        switch entry.result {
        case .success(let message):
            let from = message.from.first.map { $0.name ?? $0.address } ?? "-"
            print("\(entry.folder) | \(from) | \(message.subject ?? "(no subject)") | \(message.attachments.count) attachment(s)")
        case .failure(let error):
            print("\(entry.folder) | message \(entry.index + 1) could not be read: \(error.message)")
        }
    }
    for folder in messages.folders where folder.listed > 0 || folder.error != nil {
        print("\(folder.path): \(folder.listed) listed, \(folder.read) read, \(folder.failed) failed\(folder.error.map { " (\($0))" } ?? "")")
    }
} catch {
    print("error: \(error)")
    exit(1)
}
