/// A small in-memory element tree, for the short parts of a package (relationships,
/// styles, numbering, properties). Large parts are streamed with `XMLPushParser`.
package final class XMLElement {
    package let name: XMLName
    package let attributes: [(namespace: Int32, local: String, value: String)]
    package internal(set) var children: [XMLElement] = []
    /// The element's own character data (not its descendants').
    package internal(set) var text = ""

    init(name: XMLName, attributes: [(namespace: Int32, local: String, value: String)]) {
        self.name = name
        self.attributes = attributes
    }

    /// An attribute's value by local name, in the given namespace id or any.
    package func attribute(_ local: String, namespace: Int32? = nil) -> String? {
        attributes.first { $0.local == local && (namespace == nil || $0.namespace == namespace!) }?.value
    }

    /// The first child with this local name (and namespace id, when given).
    package func child(_ local: String, namespace: Int32? = nil) -> XMLElement? {
        children.first { $0.name.local == local && (namespace == nil || $0.name.namespace == namespace!) }
    }

    package func children(_ local: String, namespace: Int32? = nil) -> [XMLElement] {
        children.filter { $0.name.local == local && (namespace == nil || $0.name.namespace == namespace!) }
    }

    /// The text of this element and all its descendants, in document order.
    package var allText: String {
        var out = text
        for child in children { out += child.allText }
        return out
    }
}

/// Builds an `XMLElement` tree from a push parse.
package struct XMLTreeBuilder: XMLSink {
    private var stack: [XMLElement] = []
    package private(set) var root: XMLElement?
    private let maxElements: Int
    private var elementCount = 0

    /// - Parameter maxElements: a bound on the tree's size; past it the parse fails.
    package init(maxElements: Int = 2_000_000) {
        self.maxElements = maxElements
    }

    package mutating func startElement(_ name: XMLName, attributes: XMLAttributes) throws {
        elementCount += 1
        if elementCount > maxElements {
            throw XMLTreeTooLarge(limit: maxElements)
        }
        let element = XMLElement(name: XMLName(namespace: name.namespace, local: name.local), attributes: attributes.all())
        if let parent = stack.last {
            parent.children.append(element)
        } else {
            root = element
        }
        stack.append(element)
    }

    package mutating func endElement(_ name: XMLName) throws {
        stack.removeLast()
    }

    package mutating func characters(_ text: UnsafeRawBufferPointer) throws {
        stack.last?.text += String(decoding: text, as: UTF8.self)
    }

    /// Parses `bytes` into a tree.
    package static func parse(_ bytes: [UInt8], part: String, namespaces: [String: Int32]) throws -> XMLElement {
        let builder = try bytes.withUnsafeBytes { try XMLPushParser.parse($0, part: part, namespaces: namespaces, sink: XMLTreeBuilder()) }
        guard let root = builder.root else {
            throw XMLError(.malformed, part: part, line: 1, column: 1, message: "the part has no root element.")
        }
        return root
    }
}

struct XMLTreeTooLarge: Error, CustomStringConvertible {
    let limit: Int
    var description: String { "the part has more than \(limit) elements." }
}
