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
        /// The content handler rejected the content.
        public static let handler = Code(kind: .handler)
        public var description: String { "\(kind)" }
    }

    public var code: Code
    /// The part (or file) being parsed, for example `word/document.xml`.
    public var part: String
    public var line: Int
    public var column: Int
    public var message: String

    public init(_ code: Code, part: String, line: Int, column: Int, message: String) {
        self.code = code
        self.part = part
        self.line = line
        self.column = column
        self.message = message
    }

    /// `part:line:column: message`, the form compilers use.
    public var description: String { "\(part):\(line):\(column): \(message)" }
}
