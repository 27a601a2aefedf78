extension ZipArchive {
    /// Where `entry`'s stored (compressed) bytes begin: after its local header, whose name
    /// and extra field lengths may differ from the central directory's. Checked against
    /// the file's size, so that the data cannot run past the end.
    func dataOffset(of entry: ZipEntry) throws(ZipError) -> Int64 {
        guard let header = try source.bytes(at: entry.localHeaderOffset, count: 30) else {
            throw ZipError(
                .truncated, archive: name, entry: entry.path, message: "the entry's local header is past the end of the file; the archive is truncated.")
        }
        var r = ByteReader(header)
        guard r.u32() == CentralDirectory.localHeaderSignature else {
            throw ZipError(
                .corrupt, archive: name, entry: entry.path, message: "the entry's local header is missing (bad signature at offset \(entry.localHeaderOffset))."
            )
        }
        r.skip(22)
        let nameLength = Int64(r.u16())
        let extraLength = Int64(r.u16())
        let offset = entry.localHeaderOffset + 30 + nameLength + extraLength
        // Compared without adding: a ZIP64 field can claim a size near 2^63.
        if offset > source.count || entry.compressedSize > source.count - offset {
            throw ZipError(
                .truncated, archive: name, entry: entry.path,
                message: "the entry's data runs past the end of the file; the archive is truncated.")
        }
        return offset
    }

    /// The entry's bytes as stored — deflated or not, never inflated — for copying it into
    /// another archive unchanged (``ZipWriter/addStored(_:data:)``). Refused past
    /// `limits.maxEntrySize`, like reading it.
    public func storedData(of entry: ZipEntry) throws(ZipError) -> [UInt8] {
        if entry.isEncrypted {
            throw ZipError(.encryptedEntry, archive: name, entry: entry.path, message: "the entry is encrypted (password-protected ZIP).")
        }
        if entry.compressedSize > limits.maxEntrySize {
            throw ZipError(
                .entryTooLarge, archive: name, entry: entry.path,
                message: "the entry stores \(entry.compressedSize) bytes, more than the limit of \(limits.maxEntrySize).")
        }
        let offset = try dataOffset(of: entry)
        guard let data = try source.bytes(at: offset, count: Int(entry.compressedSize)) else {
            throw ZipError(.truncated, archive: name, entry: entry.path, message: "the entry's data runs past the end of the file; the archive is truncated.")
        }
        return data
    }
}
