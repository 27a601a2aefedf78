/// An element name: the namespace as an id from the parser's namespace table, and the local name.
public struct XMLName: Sendable, Equatable {
    /// No namespace.
    public static let noNamespace: Int32 = 0
    /// A namespace URI the table does not list.
    public static let unknownNamespace: Int32 = -1

    public var namespace: Int32
    public var local: String

    public init(namespace: Int32, local: String) {
        self.namespace = namespace
        self.local = local
    }
}

/// Receives a document's content as the parser streams through it.
///
/// Names and attribute values are only valid during the call. A handler that throws stops
/// the parse; the parser rethrows that error, with the position, as `XMLError.Code.handler`
/// (or as is, when it is already an `XMLError`).
public protocol XMLContentHandler: AnyObject {
    func startElement(_ name: XMLName, attributes: XMLAttributes) throws
    func endElement(_ name: XMLName) throws
    /// Character data in UTF-8 (entity references already decoded); may come in pieces.
    func characters(_ text: UnsafeRawBufferPointer) throws
}
