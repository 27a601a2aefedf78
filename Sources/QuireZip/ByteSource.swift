internal import QuireInternalThreads

#if canImport(Glibc)
    internal import Glibc
#elseif canImport(Darwin)
    internal import Darwin
#endif

/// Random-access bytes behind an archive: an open file read with `pread`, or a buffer.
///
/// Reading with `pread` keeps memory flat however large the file is, and lets several
/// threads read different entries at once.
package final class ByteSource: Sendable {
    private enum Backing: Sendable {
        case file(Int32)
        case memory([UInt8])
    }

    private let backing: Backing
    package let count: Int64
    package let name: String
    /// Bytes inflated from this archive so far, for `ZipLimits.maxTotalSize`.
    let inflatedTotal = Locked<Int64>(0)

    package init(path: String) throws(ZipError) {
        name = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            let reason = String(cString: strerror(errno))
            throw ZipError(.io, archive: path, message: "cannot open the file: \(reason).")
        }
        var info = stat()
        if fstat(fd, &info) != 0 || (info.st_mode & S_IFMT) == S_IFDIR {
            close(fd)
            throw ZipError(.io, archive: path, message: "not a regular file.")
        }
        backing = .file(fd)
        count = Int64(info.st_size)
    }

    package init(bytes: [UInt8], name: String) {
        self.name = name
        backing = .memory(bytes)
        count = Int64(bytes.count)
    }

    deinit {
        if case .file(let fd) = backing {
            close(fd)
        }
    }

    /// Copies `length` bytes at `offset` into `buffer`; returns how many were available.
    package func read(at offset: Int64, into buffer: UnsafeMutableRawBufferPointer) throws(ZipError) -> Int {
        guard offset >= 0, offset < count, buffer.count > 0 else { return 0 }
        let wanted = Int(min(Int64(buffer.count), count - offset))
        switch backing {
        case .memory(let bytes):
            bytes.withUnsafeBytes { source in
                buffer.baseAddress!.copyMemory(
                    from: source.baseAddress! + Int(offset), byteCount: wanted)
            }
            return wanted
        case .file(let fd):
            var done = 0
            while done < wanted {
                let n = pread(fd, buffer.baseAddress! + done, wanted - done, off_t(offset) + off_t(done))
                if n < 0 {
                    if errno == EINTR { continue }
                    let reason = String(cString: strerror(errno))
                    throw ZipError(.io, archive: name, message: "read failed: \(reason).")
                }
                if n == 0 { break }
                done += n
            }
            return done
        }
    }

    /// Reads exactly `length` bytes at `offset`, or nil when the source ends first.
    package func bytes(at offset: Int64, count length: Int) throws(ZipError) -> [UInt8]? {
        if length == 0 { return [] }
        var failure: ZipError?
        let result = [UInt8](unsafeUninitializedCapacity: length) { buffer, initialized in
            do throws(ZipError) {
                initialized = try read(at: offset, into: UnsafeMutableRawBufferPointer(buffer))
            } catch {
                failure = error
                initialized = 0
            }
        }
        if let failure { throw failure }
        return result.count == length ? result : nil
    }
}
