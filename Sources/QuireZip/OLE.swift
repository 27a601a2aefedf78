/// Tells apart the two kinds of OLE compound file a user hands us instead of a ZIP.
enum OLE {
    /// A password-protected OOXML file is an OLE container with `EncryptionInfo` and
    /// `EncryptedPackage` streams; anything else is a legacy binary document (.doc, .xls).
    static func classify(_ source: ByteSource) throws(ZipError) -> ZipError {
        // Directory entry names are UTF-16LE; the directory is small and usually early,
        // so scanning the first few MiB for the stream name is enough.
        let length = Int(min(source.count, 8 << 20))
        let bytes = try source.bytes(at: 0, count: length) ?? []
        let needle = Array("EncryptedPackage".utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })
        if contains(bytes, needle) {
            return ZipError(
                .encryptedDocument, archive: source.name,
                message:
                    "the document is password-protected (encrypted Office file). Remove the password in Word or Excel (File › Info › Protect) and try again.")
        }
        return ZipError(
            .legacyOLEDocument, archive: source.name,
            message:
                "this is a legacy binary Office file (.doc/.xls, an OLE compound file), not an Office Open XML document. Save it as .docx/.xlsx first (for example: libreoffice --headless --convert-to docx FILE)."
        )
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, haystack.count >= needle.count else { return false }
        let first = needle[0]
        var i = 0
        let last = haystack.count - needle.count
        while i <= last {
            if haystack[i] == first && haystack[i..<(i + needle.count)].elementsEqual(needle) { return true }
            i += 1
        }
        return false
    }
}
