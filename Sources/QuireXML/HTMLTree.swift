internal import CLibXML2

/// An element of a parsed HTML document: its name in lower case, its attributes and its
/// children (elements and text, in document order).
package final class HTMLElement {
    /// The tag name, lower-cased (`p`, `td`).
    package let name: String
    /// Attributes in document order, names lower-cased.
    package let attributes: [(name: String, value: String)]
    /// Elements and text runs, in document order.
    package internal(set) var children: [HTMLNode] = []

    init(name: String, attributes: [(name: String, value: String)]) {
        self.name = name
        self.attributes = attributes
    }

    /// The value of the attribute `name` (lower-case), if the element has it.
    package func attribute(_ name: String) -> String? {
        attributes.first { $0.name == name }?.value
    }

    /// The child elements, without the text between them.
    package var elements: [HTMLElement] {
        children.compactMap { if case .element(let element) = $0 { element } else { nil } }
    }
}

/// A node of a parsed HTML document.
package enum HTMLNode {
    case element(HTMLElement)
    /// Character data (CDATA included), entity references decoded.
    case text(String)
}

/// HTML, as mail bodies hold it, parsed by libxml2's HTML parser into `HTMLElement`s.
///
/// The parser recovers from broken markup as browsers do, never loads anything (no
/// network, no DTD) and prints nothing. QuireXML is the one module that talks to libxml2:
/// readers get Swift values, never the parser's pointers.
package enum HTMLTree {
    /// The document's root element (`html`), or nil when `bytes` hold no markup at all.
    ///
    /// - Parameters:
    ///   - maxNodes: elements and text runs kept; the rest of a larger document is left out.
    ///   - maxDepth: elements nested deeper are flattened into their ancestor at this depth
    ///     (their text is kept), so walking the tree never recurses without bound.
    package static func parse(_ bytes: [UInt8], maxNodes: Int = 1_000_000, maxDepth: Int = 256) -> HTMLElement? {
        guard !bytes.isEmpty else { return nil }
        let count = Int32(clamping: bytes.count)
        LibXMLErrors.silenceOnThisThread()
        let document = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                htmlReadMemory($0, count, nil, "UTF-8", options)
            }
        }
        guard let document else { return nil }
        defer { xmlFreeDoc(document) }
        guard let root = xmlDocGetRootElement(document) else { return nil }
        var builder = Builder(document: document, budget: maxNodes, maxDepth: maxDepth)
        let element = HTMLElement(name: Builder.name(root), attributes: builder.attributes(root))
        builder.addChildren(of: root, to: element, depth: 1)
        return element
    }

    /// No network, no messages, recovery from broken markup. `XML_PARSE_HUGE`: without it
    /// libxml2 drops everything after 256 nested elements; the tree is flattened below
    /// `maxDepth` instead, so no text is lost.
    private static let options: Int32 = {
        let flags: [UInt32] = [
            HTML_PARSE_NONET.rawValue, HTML_PARSE_NOERROR.rawValue, HTML_PARSE_NOWARNING.rawValue, HTML_PARSE_RECOVER.rawValue,
            HTML_PARSE_NOBLANKS.rawValue, HTML_PARSE_COMPACT.rawValue, XML_PARSE_HUGE.rawValue,
        ]
        return Int32(flags.reduce(0, |))
    }()

    /// Copies libxml2's tree into Swift values.
    private struct Builder {
        let document: xmlDocPtr
        var budget: Int
        let maxDepth: Int

        static func name(_ node: UnsafeMutablePointer<xmlNode>) -> String {
            node.pointee.name.map { String(cString: $0).lowercased() } ?? ""
        }

        func attributes(_ node: UnsafeMutablePointer<xmlNode>) -> [(name: String, value: String)] {
            var out: [(name: String, value: String)] = []
            var property = node.pointee.properties
            while let current = property {
                let name = current.pointee.name.map { String(cString: $0).lowercased() } ?? ""
                var value = ""
                if let text = xmlNodeListGetString(document, current.pointee.children, 1) {
                    value = String(cString: text)
                    quire_xml_free(text)
                }
                out.append((name, value))
                property = current.pointee.next
            }
            return out
        }

        /// Adds what lies under `node` to `parent`, in document order, without recursion:
        /// a frame per open element says where its children go on.
        mutating func addChildren(of node: UnsafeMutablePointer<xmlNode>, to parent: HTMLElement, depth: Int) {
            typealias Frame = (next: UnsafeMutablePointer<xmlNode>?, parent: HTMLElement, depth: Int)
            var stack: [Frame] = [(node.pointee.children, parent, depth)]
            while budget > 0, let frame = stack.popLast() {
                guard let current = frame.next else { continue }
                stack.append((current.pointee.next, frame.parent, frame.depth))
                switch current.pointee.type {
                case XML_ELEMENT_NODE:
                    if frame.depth >= maxDepth {
                        // Too deep to keep as structure: its content joins the ancestor.
                        stack.append((current.pointee.children, frame.parent, frame.depth))
                    } else {
                        budget -= 1
                        let element = HTMLElement(name: Builder.name(current), attributes: attributes(current))
                        frame.parent.children.append(.element(element))
                        stack.append((current.pointee.children, element, frame.depth + 1))
                    }
                case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                    if let content = current.pointee.content {
                        budget -= 1
                        frame.parent.children.append(.text(String(cString: content)))
                    }
                default:
                    break
                }
            }
        }
    }
}
