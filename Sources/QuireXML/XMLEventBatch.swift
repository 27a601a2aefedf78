internal import CLibXML2

/// One attribute of a recorded start event: its name is libxml2's interned string, its
/// value lives in the batch's bytes.
@usableFromInline struct RecordedAttribute {
    /// The namespace URI, interned too; resolved to an id only when a handler asks.
    @usableFromInline var uri: UnsafePointer<UInt8>?
    @usableFromInline var name: UnsafePointer<UInt8>?
    @usableFromInline var valueOffset: Int32
    @usableFromInline var valueLength: Int32
}

/// Parser events recorded on the parsing thread, to be replayed into a sink on another.
///
/// Compact on purpose: a few arrays per batch, no object per event, so recording costs the
/// parsing thread little and the sink's work moves to the other core. Names are not
/// copied: they point into libxml2's dictionary of interned names.
///
/// `@unchecked Sendable`: besides plain values it holds pointers to those interned names,
/// which are immutable and live until the parser context is freed — and the parser frees
/// it only after the replaying thread has finished.
struct XMLEventBatch: @unchecked Sendable {
    enum Kind: UInt8, Sendable { case start, end, text }

    struct Event {
        var kind: Kind
        /// Interned local name and namespace URI; turned into ids on the replaying thread,
        /// which keeps that work off the tokenising one.
        var name: UnsafePointer<UInt8>?
        var uri: UnsafePointer<UInt8>?
        /// Start: first attribute index; text: byte offset.
        var first: Int32
        /// Start: attribute count; text: byte length.
        var count: Int32
        var line: Int32
    }

    var events: [Event] = []
    var attributes: [RecordedAttribute] = []
    var bytes: [UInt8] = []

    static let eventLimit = 4096
    static let byteLimit = 128 * 1024

    var isFull: Bool { events.count >= XMLEventBatch.eventLimit || bytes.count >= XMLEventBatch.byteLimit }

    /// Empties the batch, keeping its buffers for the next one.
    mutating func clear() {
        events.removeAll(keepingCapacity: true)
        attributes.removeAll(keepingCapacity: true)
        bytes.removeAll(keepingCapacity: true)
    }

    mutating func reserve() {
        events.reserveCapacity(XMLEventBatch.eventLimit)
        bytes.reserveCapacity(XMLEventBatch.byteLimit + 4096)
    }

    mutating func start(
        name: UnsafePointer<xmlChar>?, uri: UnsafePointer<xmlChar>?, line: Int32,
        attributes raw: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?, count: Int
    ) {
        let first = Int32(attributes.count)
        if let raw {
            for i in 0..<count {
                let base = raw + i * 5
                let valueOffset = Int32(bytes.count)
                var length = 0
                if let start = base[3], let end = base[4], end > start {
                    length = end - start
                    bytes.append(contentsOf: UnsafeBufferPointer(start: start, count: length))
                }
                attributes.append(
                    RecordedAttribute(
                        uri: base[2], name: base[0], valueOffset: valueOffset, valueLength: Int32(length)))
            }
        }
        events.append(Event(kind: .start, name: name, uri: uri, first: first, count: Int32(count), line: line))
    }

    mutating func end(name: UnsafePointer<xmlChar>?, uri: UnsafePointer<xmlChar>?, line: Int32) {
        events.append(Event(kind: .end, name: name, uri: uri, first: 0, count: 0, line: line))
    }

    mutating func text(_ text: UnsafeRawBufferPointer, line: Int32) {
        let offset = Int32(bytes.count)
        bytes.append(contentsOf: text)
        events.append(Event(kind: .text, name: nil, uri: nil, first: offset, count: Int32(text.count), line: line))
    }

    /// Plays the events into `sink`; on a sink error, returns it with the line.
    /// `namespaces`, `localNames`: the replaying thread's own caches (caches are not shared
    /// between threads).
    func replay<Sink: XMLSink>(
        into sink: inout Sink, namespaces: NamespaceCache, localNames: LocalNameCache
    ) -> (error: any Error, line: Int)? {
        guard !events.isEmpty else { return nil }
        // A zero-length buffer has no base address; give both a valid one.
        let bytes = self.bytes.isEmpty ? [0] : self.bytes
        let attributes = self.attributes.isEmpty ? [RecordedAttribute(uri: nil, name: nil, valueOffset: 0, valueLength: 0)] : self.attributes
        return bytes.withUnsafeBufferPointer { bytes -> (error: any Error, line: Int)? in
            attributes.withUnsafeBufferPointer { attributes -> (error: any Error, line: Int)? in
                let base = bytes.baseAddress!
                for event in events {
                    do {
                        switch event.kind {
                        case .start:
                            let name = XMLName(
                                namespace: namespaces.id(event.uri), localID: localNames.id(event.name), pointer: event.name)
                            let attrs = XMLAttributes(
                                records: attributes.baseAddress! + Int(event.first), count: Int(event.count), bytes: base,
                                namespaces: Unmanaged.passUnretained(namespaces))
                            try sink.startElement(name, attributes: attrs)
                        case .end:
                            try sink.endElement(
                                XMLName(namespace: namespaces.id(event.uri), localID: localNames.id(event.name), pointer: event.name))
                        case .text:
                            try sink.characters(UnsafeRawBufferPointer(start: base + Int(event.first), count: Int(event.count)))
                        }
                    } catch {
                        return (error, Int(event.line))
                    }
                }
                return nil
            }
        }
    }
}
