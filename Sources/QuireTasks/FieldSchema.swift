import Foundation
import QuireRender

/// The fields to extract from each file, message or row group: a small JSON Schema (an
/// object of named properties of type string, number, integer, boolean, a date, or an array
/// of those; `enum`, `description`, `required`), or the shorthand `"invoice_no, total:number,
/// due:date"`. Answers are checked against it locally, whatever the provider promised.
public struct FieldSchema: Sendable, Equatable {
    /// A value's type.
    public indirect enum FieldType: Sendable, Equatable {
        /// Text.
        case string
        /// A number, decimals allowed.
        case number
        /// A whole number.
        case integer
        /// True or false.
        case boolean
        /// A day, written `YYYY-MM-DD`.
        case date
        /// A list of values of one type.
        case array(FieldType)

        var name: String {
            switch self {
            case .string: "string"
            case .number: "number"
            case .integer: "integer"
            case .boolean: "boolean"
            case .date: "date"
            case .array(let item): "array of \(item.name)"
            }
        }
    }

    /// One field.
    public struct Field: Sendable, Equatable {
        /// Its name, the key of the answer.
        public var name: String
        /// Its type.
        public var type: FieldType
        /// What it is, for the model.
        public var description: String?
        /// The values allowed, when listed.
        public var allowed: [String]?
        /// Whether a value must be found (null is then an error).
        public var required: Bool
    }

    /// A value read and checked.
    public indirect enum Value: Sendable, Equatable {
        /// Not found, or not of the field's type.
        case null
        /// Text (a date too, as `YYYY-MM-DD`).
        case string(String)
        /// A number (an integer too).
        case number(Double)
        /// True or false.
        case boolean(Bool)
        /// A list.
        case array([Value])
    }

    /// The schema's name (its `title`, else `record`).
    public var name: String
    /// The fields, in order.
    public var fields: [Field]

    /// Why a schema cannot be used.
    public struct Invalid: Error, Sendable, Equatable, CustomStringConvertible {
        /// What is wrong.
        public var message: String
        /// The message.
        public var description: String { message }
    }

    /// The shorthand: names separated by commas, each with an optional `:type` (string,
    /// number, integer, boolean, date; `[]` after it for a list) and `!` for required.
    public static func parse(fields text: String) throws(Invalid) -> FieldSchema {
        var fields: [Field] = []
        for part in text.split(separator: ",") where !part.trimmingSpaces().isEmpty {
            let pieces = part.split(separator: ":", maxSplits: 1).map { $0.trimmingSpaces() }
            var name = pieces.first ?? ""
            let required = name.hasSuffix("!")
            if required { name.removeLast() }
            guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) else {
                throw Invalid(message: "--fields: '\(part.trimmingSpaces())' is not a field name (letters, digits, _ and -).")
            }
            var typeName = pieces.count > 1 ? pieces[1].lowercased() : "string"
            let isList = typeName.hasSuffix("[]")
            if isList { typeName.removeLast(2) }
            guard let type = Self.scalar(typeName) else {
                throw Invalid(message: "--fields: '\(typeName)' of '\(name)' is no type (string, number, integer, boolean, date, with [] for a list).")
            }
            guard !fields.contains(where: { $0.name == name }) else { throw Invalid(message: "--fields: '\(name)' is named twice.") }
            fields.append(Field(name: name, type: isList ? .array(type) : type, description: nil, allowed: nil, required: required))
        }
        guard !fields.isEmpty else { throw Invalid(message: "--fields names no field.") }
        return FieldSchema(name: "record", fields: fields)
    }

    static func scalar(_ name: String) -> FieldType? {
        switch name {
        case "string", "text": .string
        case "number", "float", "decimal": .number
        case "integer", "int": .integer
        case "boolean", "bool": .boolean
        case "date": .date
        default: nil
        }
    }

    /// A JSON Schema document: `{"type": "object", "properties": {…}, "required": […]}`.
    public static func parse(jsonSchema text: String) throws(Invalid) -> FieldSchema {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] else {
            throw Invalid(message: "the schema is not a JSON object.")
        }
        guard (object["type"] as? String ?? "object") == "object", let properties = object["properties"] as? [String: Any], !properties.isEmpty else {
            throw Invalid(message: "the schema must be an object with properties ({\"type\": \"object\", \"properties\": {…}}).")
        }
        let required = Set(object["required"] as? [String] ?? [])
        // Properties in the order the file writes them (JSONSerialization does not keep it).
        let order = Self.keyOrder(text, of: Array(properties.keys))
        var fields: [Field] = []
        for name in order {
            guard let property = properties[name] as? [String: Any] else { throw Invalid(message: "property '\(name)' is not an object.") }
            let type = try Self.type(of: property, name: name)
            let allowed = (property["enum"] as? [Any])?.map { "\($0)" }
            fields.append(Field(name: name, type: type, description: property["description"] as? String, allowed: allowed, required: required.contains(name)))
        }
        let title = (object["title"] as? String).map { $0.filter { $0.isLetter || $0.isNumber || $0 == "_" } } ?? ""
        return FieldSchema(name: title.isEmpty ? "record" : title, fields: fields)
    }

    static func type(of property: [String: Any], name: String) throws(Invalid) -> FieldType {
        var typeName = property["type"] as? String
        if let list = property["type"] as? [String] { typeName = list.first { $0 != "null" } }
        switch typeName {
        case "string"?: return property["format"] as? String == "date" ? .date : .string
        case "number"?: return .number
        case "integer"?: return .integer
        case "boolean"?: return .boolean
        case "array"?:
            guard let items = property["items"] as? [String: Any] else { throw Invalid(message: "property '\(name)' is an array without items.") }
            let item = try Self.type(of: items, name: name)
            if case .array = item { throw Invalid(message: "property '\(name)': lists of lists are not supported.") }
            return .array(item)
        default:
            throw Invalid(message: "property '\(name)' has type '\(typeName ?? "none")'; use string, number, integer, boolean, or an array of those.")
        }
    }

    /// `keys` in the order their first `"key":` appears in `text`.
    static func keyOrder(_ text: String, of keys: [String]) -> [String] {
        var positions: [(key: String, at: Int)] = []
        for key in keys {
            let found = text.range(of: "\"" + key + "\"")
            positions.append((key, found.map { text.distance(from: text.startIndex, to: $0.lowerBound) } ?? Int.max))
        }
        positions.sort { $0.at != $1.at ? $0.at < $1.at : $0.key < $1.key }
        return positions.map(\.key)
    }

    /// The schema providers are sent: every field present (null allowed where none is
    /// found), nothing else — the form OpenAI's strict structured output requires.
    public var wireSchema: String {
        var w = JSONWriter(pretty: false)
        w.beginObject()
        w.field("type", "object")
        w.key("properties")
        w.beginObject()
        for field in fields {
            w.key(field.name)
            Self.write(field.type, nullable: true, description: field.description, allowed: field.allowed, to: &w)
        }
        w.endObject()
        w.key("required")
        w.beginArray()
        for field in fields { w.string(field.name) }
        w.endArray()
        w.field("additionalProperties", false)
        w.endObject()
        return w.takeOutput()
    }

    static func write(_ type: FieldType, nullable: Bool, description: String?, allowed: [String]?, to w: inout JSONWriter) {
        w.beginObject()
        let base: String
        switch type {
        case .string, .date: base = "string"
        case .number: base = "number"
        case .integer: base = "integer"
        case .boolean: base = "boolean"
        case .array: base = "array"
        }
        w.key("type")
        if nullable {
            w.beginArray()
            w.string(base)
            w.string("null")
            w.endArray()
        } else {
            w.string(base)
        }
        var text = description ?? ""
        if type == .date {
            w.field("format", "date")
            text += (text.isEmpty ? "" : " ") + "A date as YYYY-MM-DD."
        }
        if !text.isEmpty { w.field("description", text) }
        if let allowed {
            w.key("enum")
            w.beginArray()
            for value in allowed { w.string(value) }
            if nullable { w.null() }
            w.endArray()
        }
        if case .array(let item) = type {
            w.key("items")
            write(item, nullable: false, description: nil, allowed: nil, to: &w)
        }
        w.endObject()
    }
}
