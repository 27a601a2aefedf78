import CLibXML2

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Keeps libxml2 from printing on standard error.
///
/// Parser errors reach Quire through the parser context (and become `XMLError`s that name the
/// part, line and column); but libxml2 raises some errors with no context — an encoding
/// conversion that fails half-way, an I/O error of its encoder — and those go to its generic
/// handler, which prints "encoding error : input conversion failed…" on the process's
/// standard error before Quire's own message. A structured handler that ignores them takes
/// their place. libxml2 keeps the handler per thread, so every call that parses sets it first
/// (a thread-local store; nothing is lost: the context still records its last error).
enum LibXMLErrors {
    static func silenceOnThisThread() {
        xmlSetStructuredErrorFunc(nil, ignoreStructuredError)
        // The few messages libxml2 writes straight to its generic handler ("xmlParseChunk:
        // encoder error"): with no handler function, it prints to the context it is given
        // as a FILE — here /dev/null.
        if let devNull { xmlSetGenericErrorFunc(devNull, nil) }
    }

    nonisolated(unsafe) static let devNull: UnsafeMutablePointer<FILE>? = fopen("/dev/null", "w")
}

private func ignoreStructuredError(_ context: UnsafeMutableRawPointer?, _ error: xmlErrorPtr?) {}
