import Foundation
package import QuireRender

extension FieldSchema {
    /// An answer checked against the schema: the values read (every field, null where the
    /// answer has none or a wrong one) and what is wrong, one line per problem.
    public struct Checked: Sendable, Equatable {
        /// The values by field name.
        public var values: [String: Value]
        /// What does not follow the schema (empty: the answer is valid).
        public var errors: [String]
        /// Whether the answer follows the schema.
        public var isValid: Bool { errors.isEmpty }
    }

    /// Checks a model's answer: one JSON object (text around it is ignored), each field of
    /// its type — a number written as text is not taken, a date must be `YYYY-MM-DD` — and
    /// one of the allowed values when they are listed; a required field must not be null;
    /// keys the schema does not name are errors.
    public func check(_ answer: String) -> Checked {
        guard let start = answer.firstIndex(of: "{"), let end = answer.lastIndex(of: "}"), start < end,
            let object = (try? JSONSerialization.jsonObject(with: Data(answer[start...end].utf8))) as? [String: Any]
        else {
            return Checked(values: Dictionary(uniqueKeysWithValues: fields.map { ($0.name, .null) }), errors: ["the answer is not a JSON object"])
        }
        var values: [String: Value] = [:]
        var errors: [String] = []
        for field in fields {
            let raw = object[field.name]
            if raw == nil || raw is NSNull {
                values[field.name] = .null
                if field.required { errors.append("\(field.name): required, but null or missing") }
                continue
            }
            switch Self.value(raw!, as: field.type) {
            case .success(let value):
                if let allowed = field.allowed, case .string(let text) = value, !allowed.contains(text) {
                    errors.append("\(field.name): '\(text)' is not one of \(allowed.joined(separator: ", "))")
                    values[field.name] = .null
                } else {
                    values[field.name] = value
                }
            case .failure(let problem):
                errors.append("\(field.name): \(problem.message)")
                values[field.name] = .null
            }
        }
        for key in object.keys.sorted() where !fields.contains(where: { $0.name == key }) { errors.append("\(key): not a field of the schema") }
        return Checked(values: values, errors: errors)
    }

    static func value(_ raw: Any, as type: FieldType) -> Result<Value, Invalid> {
        // JSONSerialization gives booleans as NSNumber too: tell them apart by their type.
        let isBool = raw is Bool && (raw as? NSNumber).map { String(cString: $0.objCType) == "c" } ?? (raw is Bool)
        switch type {
        case .string:
            guard let text = raw as? String else { return .failure(Invalid(message: "expected a string, got \(describe(raw))")) }
            return .success(.string(text))
        case .date:
            guard let text = raw as? String, TriageRules.days(ofISO: text) != nil, text.count == 10 else {
                return .failure(Invalid(message: "expected a date as YYYY-MM-DD, got \(describe(raw))"))
            }
            return .success(.string(text))
        case .number:
            guard !isBool, let number = (raw as? NSNumber)?.doubleValue, number.isFinite else {
                return .failure(Invalid(message: "expected a number, got \(describe(raw))"))
            }
            return .success(.number(number))
        case .integer:
            guard !isBool, let number = (raw as? NSNumber)?.doubleValue, number == number.rounded(), abs(number) < 1e15 else {
                return .failure(Invalid(message: "expected an integer, got \(describe(raw))"))
            }
            return .success(.number(number))
        case .boolean:
            guard isBool, let flag = raw as? Bool else { return .failure(Invalid(message: "expected true or false, got \(describe(raw))")) }
            return .success(.boolean(flag))
        case .array(let item):
            guard let list = raw as? [Any] else { return .failure(Invalid(message: "expected a list, got \(describe(raw))")) }
            var out: [Value] = []
            for (k, element) in list.enumerated() {
                switch value(element, as: item) {
                case .success(let v): out.append(v)
                case .failure(let problem): return .failure(Invalid(message: "item \(k + 1): \(problem.message)"))
                }
            }
            return .success(.array(out))
        }
    }

    static func describe(_ raw: Any) -> String {
        if let text = raw as? String { return "\"\(text.prefix(40))\"" }
        if let number = raw as? NSNumber { return "\(number)" }
        if raw is [Any] { return "a list" }
        if raw is [String: Any] { return "an object" }
        return "\(raw)"
    }

    /// The values as one JSON object, in the schema's field order.
    package func write(_ values: [String: Value], to w: inout JSONWriter) {
        w.beginObject()
        for field in fields {
            w.key(field.name)
            Self.write(values[field.name] ?? .null, to: &w)
        }
        w.endObject()
    }

    static func write(_ value: Value, to w: inout JSONWriter) {
        switch value {
        case .null: w.null()
        case .string(let text): w.string(text)
        case .number(let x): w.number(x)
        case .boolean(let flag): w.bool(flag)
        case .array(let items):
            w.beginArray()
            for item in items { write(item, to: &w) }
            w.endArray()
        }
    }
}
