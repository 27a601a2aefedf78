/// An error parsing an XML part, with the part's name and the line and column.
public struct XMLError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure this is. New codes may be added; switch with a `default`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        enum Kind: Hashable, Sendable { case malformed, entityDeclaration, handler, tooDeep }
        let kind: Kind
        /// The bytes are not well-formed XML.
        public static let malformed = Code(kind: .malformed)
        /// The part declares entities; refused, since that is how XXE and
        /// billion-laughs attacks work and no office part needs them.
        public static let entityDeclaration = Code(kind: .entityDeclaration)
        /// Elements nest deeper than `XMLPushParser.maxDepth`.
        public static let tooDeep = Code(kind: .tooDeep)
        /// The sink (``XMLSink``) rejected the content.
        public static let handler = Code(kind: .handler)
        public var description: String { "\(kind)" }
    }

    /// What kind of failure this is.
    public var code: Code
    /// The part (or file) being parsed, for example `word/document.xml`.
    public var part: String
    /// The line, from 1 (0 when unknown).
    public var line: Int
    /// The column, from 1 (0 when unknown).
    public var column: Int
    /// What went wrong, said so that a person can act on it.
    public var message: String
    /// The error a sink threw, for ``Code/handler``; not compared by `==`.
    public var underlying: (any Error & Sendable)?

    /// An error from its parts.
    public init(_ code: Code, part: String, line: Int, column: Int, message: String, underlying: (any Error & Sendable)? = nil) {
        self.code = code
        self.part = part
        self.line = line
        self.column = column
        self.message = message
        self.underlying = underlying
    }

    /// Equal when the code, place and message are.
    public static func == (a: XMLError, b: XMLError) -> Bool {
        a.code == b.code && a.part == b.part && a.line == b.line && a.column == b.column && a.message == b.message
    }

    /// libxml2's wording for the failures people meet most, said as what it means and what
    /// to do ("Input is not proper UTF-8, indicate encoding !" says neither).
    static func actionable(_ message: String) -> String {
        let lower = message.lowercased()
        if lower.contains("not proper utf-8") || lower.contains("input conversion failed") || lower.contains("invalid bytes in character encoding") {
            var bytes = ""
            if let range = message.firstRange(of: "Bytes: ") {
                let listed = message[range.upperBound...].replacing("0x", with: "").split(whereSeparator: { $0 == " " || $0.isNewline })
                bytes = " (bytes " + listed.joined(separator: " ") + ")"
            }
            return "not valid UTF-8\(bytes): the file is damaged or was written by a broken exporter; re-save it from its application"
        }
        if lower.hasPrefix("unsupported encoding") {
            let name = message.dropFirst("unsupported encoding".count).split(separator: " ").joined(separator: " ")
            return "declares the character encoding '\(name)', which this system cannot convert; re-save the file as UTF-8"
        }
        if lower.contains("document is empty") { return "the part holds no XML (it is empty, or not XML at all): the file is damaged" }
        if lower.contains("premature end of data") || lower.contains("extra content at the end") || lower.contains("not properly terminated") {
            return message + " (the part is cut short or damaged)"
        }
        return message
    }

    /// `part:line:column: message`, the form compilers use.
    public var description: String { "\(part):\(line):\(column): \(message)" }
}

extension XMLError.Code {
    /// Matches an error of this type with this code, so that a `catch` can name the code:
    /// `catch XMLError.malformed { … }`.
    public static func ~= (code: XMLError.Code, error: any Error) -> Bool {
        (error as? XMLError)?.code == code
    }
}

extension XMLError {
    /// ``Code/malformed``, for `catch XMLError.malformed`.
    public static var malformed: Code { .malformed }
    /// ``Code/entityDeclaration``, for `catch XMLError.entityDeclaration`.
    public static var entityDeclaration: Code { .entityDeclaration }
    /// ``Code/tooDeep``, for `catch XMLError.tooDeep`.
    public static var tooDeep: Code { .tooDeep }
    /// ``Code/handler``, for `catch XMLError.handler`.
    public static var handler: Code { .handler }
}
