#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where the project's fixtures and the shared corpus live, found from this file's path.
public enum Fixtures {
    /// The package root (the folder holding Package.swift).
    public static let root: String = {
        var path = #filePath
        for _ in 0..<3 {
            if let slash = path.lastIndex(of: "/") { path = String(path[..<slash]) }
        }
        return path
    }()

    /// `TestDocuments/<name>`.
    public static func path(_ name: String) -> String { root + "/TestDocuments/" + name }

    /// `../shared/corpus`, or nil when it is not beside the checkout.
    public static var corpus: String? {
        let candidate = root + "/../shared/corpus"
        return exists(candidate + "/MANIFEST.tsv") ? candidate : nil
    }

    /// `../shared/bench`, or nil.
    public static var bench: String? {
        let candidate = root + "/../shared/bench"
        return exists(candidate) ? candidate : nil
    }

    public static func exists(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0
    }

    /// The whole content of a file.
    public static func bytes(_ path: String) -> [UInt8]? {
        guard let file = fopen(path, "rb") else { return nil }
        defer { fclose(file) }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = fread(&buffer, 1, buffer.count, file)
            if n <= 0 { break }
            out.append(contentsOf: buffer[0..<n])
        }
        return out
    }

    /// The path of the built `quire` executable (debug build of this checkout).
    public static var quireExecutable: String {
        for candidate in [".build/debug/quire", ".build/release/quire"] where exists(root + "/" + candidate) {
            return root + "/" + candidate
        }
        return root + "/.build/debug/quire"
    }
}
