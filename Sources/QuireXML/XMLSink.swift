/// An element name: the namespace as an id from the parser's namespace table, the local
/// name as an id from its local-name table, and the local name itself.
///
/// Ids make the hot path cheap: a sink switches on two integers instead of comparing
/// strings, and the local name is only turned into a `String` when asked for.
public struct XMLName: Equatable {
    /// No namespace.
    public static let noNamespace: Int32 = 0
    /// A namespace URI the table does not list.
    public static let unknownNamespace: Int32 = -1
    /// A local name the table does not list.
    public static let unknownLocalName: Int32 = -1

    /// The namespace's id in the parser's table: `noNamespace` for none, `unknownNamespace` for a
    /// URI the table does not list.
    public let namespace: Int32
    /// The local name's id in the parser's table, or `unknownLocalName`.
    public let localID: Int32
    private let pointer: UnsafePointer<UInt8>?
    /// The byte length at `pointer`, or -1 for a NUL-terminated string.
    private let length: Int
    private let stored: String?

    /// A name that owns its local name (for keeping beyond a callback).
    public init(namespace: Int32, local: String, localID: Int32 = XMLName.unknownLocalName) {
        self.namespace = namespace
        self.localID = localID
        self.pointer = nil
        self.length = 0
        self.stored = local
    }

    /// A name borrowing bytes (libxml2's interned string, or a recorded event's): valid
    /// only during the callback.
    @usableFromInline init(namespace: Int32, localID: Int32, pointer: UnsafePointer<UInt8>?, length: Int = -1) {
        self.namespace = namespace
        self.localID = localID
        self.pointer = pointer
        self.length = length
        self.stored = nil
    }

    /// The local name as text.
    public var local: String {
        if let stored { return stored }
        guard let pointer else { return "" }
        if length >= 0 { return String(decoding: UnsafeBufferPointer(start: pointer, count: length), as: UTF8.self) }
        return String(cString: pointer)
    }

    public static func == (a: XMLName, b: XMLName) -> Bool {
        a.namespace == b.namespace && a.local == b.local
    }
}

/// Receives a document's content as a parser streams through it.
///
/// A sink is a value: the parser that feeds it owns it for the parse (in memory that
/// needs no run-time exclusivity checks), calls its `mutating` methods in document order
/// and never from two threads at once, and hands it back when the parse is done
/// (``XMLPushParser/finish()``). Names and attribute values are only valid during the
/// call. A sink that throws stops the parse; the parser rethrows that error, with the
/// position, as `XMLError.Code.handler` (or as is, when it is already an `XMLError`).
///
/// ```swift
/// struct ElementCounter: XMLSink {
///     var count = 0
///     mutating func startElement(_ name: XMLName, attributes: XMLAttributes) throws { count += 1 }
///     mutating func endElement(_ name: XMLName) throws {}
///     mutating func characters(_ text: UnsafeRawBufferPointer) throws {}
/// }
/// ```
public protocol XMLSink {
    /// An element starts, with its attributes.
    mutating func startElement(_ name: XMLName, attributes: XMLAttributes) throws
    /// An element ends.
    mutating func endElement(_ name: XMLName) throws
    /// Character data in UTF-8 (entity references already decoded); may come in pieces.
    mutating func characters(_ text: UnsafeRawBufferPointer) throws
    /// Whether character data is wanted now. A parser may skip the text it is not asked
    /// for (the byte scanner does: it decodes no text while this is false); the default
    /// is true.
    var wantsText: Bool { get }
}

extension XMLSink {
    /// Text is wanted everywhere.
    public var wantsText: Bool { true }
}
