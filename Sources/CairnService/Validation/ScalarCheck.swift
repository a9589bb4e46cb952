import CairnCore

/// The checks of one scalar value (string, number, boolean, timestamp, blob) against its shape, and the
/// messages AWS's JSON deserializer writes for a value of the wrong JSON type.
///
/// The type-mismatch messages are those of Coral's Jackson-based reader (`STRING_VALUE cannot be converted
/// to Integer`, `Start of structure or map found where not expected`); AWS answers them with
/// `SerializationException` and no member path.
enum ScalarCheck {
    /// One broken constraint: its kind and Coral's wording (`Member must have length less than or equal to 128`).
    struct Failure {
        let kind: APIViolation.Kind
        let constraint: String
    }

    enum Outcome {
        case valid
        case mismatch(String)
        case failures([Failure])
    }

    static func check(_ value: JSONValue, _ shape: APIShape, pattern: APIPattern?, isRequest: Bool) -> Outcome {
        switch shape.kind {
        case .string:
            guard case .string(let text) = value else { return .mismatch(mismatchMessage(value, expected: .string)) }
            return outcome(checkString(text, shape, pattern: pattern, isRequest: isRequest))
        case .integer, .long:
            guard case .number(let text) = value else { return .mismatch(mismatchMessage(value, expected: shape.kind)) }
            switch integral(text, isLong: shape.kind == .long) {
            case .value(let number): return isRequest ? outcome(checkRange(number, shape)) : .valid
            case .fractional: return .mismatch("DECIMAL_VALUE cannot be converted to \(javaName(shape.kind))")
            case .outOfRange:
                let range =
                    shape.kind == .long ? "long (\(Int64.min) - \(Int64.max))" : "int (\(Int32.min) - \(Int32.max))"
                return .mismatch("Numeric value (\(text)) out of range of \(range)")
            }
        case .double, .float, .timestamp:
            guard case .number(let text) = value else { return .mismatch(mismatchMessage(value, expected: shape.kind)) }
            guard let number = Double(text), number.isFinite,
                shape.kind != .float || abs(number) <= Double(Float.greatestFiniteMagnitude)
            else {
                let name = shape.kind == .float ? "float" : "double"
                return .mismatch("Numeric value (\(text)) out of range of \(name)")
            }
            return isRequest ? outcome(checkRange(number, shape)) : .valid
        case .boolean:
            guard case .bool = value else { return .mismatch(mismatchMessage(value, expected: .boolean)) }
            return .valid
        case .blob:
            guard case .string(let text) = value, isBase64(text) else {
                return .mismatch(mismatchMessage(value, expected: .blob))
            }
            return .valid
        case .structure, .list, .map:
            preconditionFailure("ScalarCheck.check called for \(shape.kind) shape \(shape.name)")
        }
    }

    private static func outcome(_ failures: [Failure]) -> Outcome {
        failures.isEmpty ? .valid : .failures(failures)
    }

    /// The enum, length (in Unicode scalars) and pattern failures of a string; for responses only the enum.
    ///
    /// The pattern is not run on a string already longer than its maximum, so an oversized value costs no
    /// regex time.
    static func checkString(_ text: String, _ shape: APIShape, pattern: APIPattern?, isRequest: Bool) -> [Failure] {
        var failures = [Failure]()
        if !shape.enumValues.isEmpty, !shape.enumValues.contains(text) {
            let values = shape.enumValues.joined(separator: ", ")
            failures.append(Failure(kind: .notInEnum, constraint: "Member must satisfy enum value set: [\(values)]"))
        }
        guard isRequest else { return failures }
        var tooLong = false
        if shape.min != nil || shape.max != nil {
            let length = Int64(text.unicodeScalars.count)
            if let min = shape.min, length < min {
                let constraint = "Member must have length greater than or equal to \(min)"
                failures.append(Failure(kind: .lengthBelowMinimum, constraint: constraint))
            }
            if let max = shape.max, length > max {
                tooLong = true
                let constraint = "Member must have length less than or equal to \(max)"
                failures.append(Failure(kind: .lengthAboveMaximum, constraint: constraint))
            }
        }
        if let pattern, !tooLong, !pattern.matches(text) {
            let constraint = "Member must satisfy regular expression pattern: \(pattern.source)"
            failures.append(Failure(kind: .patternMismatch, constraint: constraint))
        }
        return failures
    }

    private static func checkRange(_ number: Int64, _ shape: APIShape) -> [Failure] {
        rangeFailures(
            shape,
            isBelow: shape.min.map { number < $0 } ?? false,
            isAbove: shape.max.map { number > $0 } ?? false
        )
    }

    private static func checkRange(_ number: Double, _ shape: APIShape) -> [Failure] {
        rangeFailures(
            shape,
            isBelow: shape.min.map { number < Double($0) } ?? false,
            isAbove: shape.max.map { number > Double($0) } ?? false
        )
    }

    private static func rangeFailures(_ shape: APIShape, isBelow: Bool, isAbove: Bool) -> [Failure] {
        var failures = [Failure]()
        if isBelow, let min = shape.min {
            let constraint = "Member must have value greater than or equal to \(min)"
            failures.append(Failure(kind: .valueBelowMinimum, constraint: constraint))
        }
        if isAbove, let max = shape.max {
            let constraint = "Member must have value less than or equal to \(max)"
            failures.append(Failure(kind: .valueAboveMaximum, constraint: constraint))
        }
        return failures
    }

    enum Integral {
        case value(Int64)
        case fractional
        case outOfRange
    }

    /// The integer a JSON number denotes: `5`, `5.0` and `5e0` are 5; `5.5` is fractional.
    static func integral(_ text: String, isLong: Bool) -> Integral {
        let number: Int64
        if !text.utf8.contains(where: { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") })
        {
            guard let parsed = Int64(text) else { return .outOfRange }
            number = parsed
        } else {
            guard let double = Double(text), double.isFinite else { return .outOfRange }
            guard double.rounded(.towardZero) == double else { return .fractional }
            guard double >= -9.223_372_036_854_775_808e18, double < 9.223_372_036_854_775_808e18 else {
                return .outOfRange
            }
            number = Int64(double)
        }
        if !isLong, Int32(exactly: number) == nil { return .outOfRange }
        return .value(number)
    }

    /// Standard base64 with padding, as botocore encodes blobs.
    static func isBase64(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count % 4 == 0 else { return false }
        var padding = 0
        for (offset, byte) in bytes.enumerated() {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "/"):
                if padding > 0 { return false }
            case UInt8(ascii: "="):
                padding += 1
                if padding > 2 || offset < bytes.count - 2 { return false }
            default:
                return false
            }
        }
        return true
    }

    /// The deserializer's message for `value` where a `expected` shape belongs.
    static func mismatchMessage(_ value: JSONValue, expected: APIShape.Kind) -> String {
        switch value {
        case .object:
            return "Start of structure or map found where not expected"
        case .array:
            switch expected {
            case .structure, .map: return "Start of list found where not expected"
            default: return "Unrecognized collection type class \(javaClass(expected))"
            }
        case .null, .bool, .number, .string:
            switch expected {
            case .structure, .list, .map: return "Unexpected field type"
            case .blob: return "only base-64-encoded strings are convertible to bytes"
            case .boolean where value.isString: return "Unexpected token received from parser"
            default: return "\(token(value)) cannot be converted to \(javaName(expected))"
            }
        }
    }

    /// Jackson's token name for a scalar.
    private static func token(_ value: JSONValue) -> String {
        switch value {
        case .string: return "STRING_VALUE"
        case .bool(true): return "TRUE_VALUE"
        case .bool(false): return "FALSE_VALUE"
        case .number(let text):
            let isDecimal = text.utf8.contains {
                $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E")
            }
            return isDecimal ? "DECIMAL_VALUE" : "NUMBER_VALUE"
        default: return "NULL_VALUE"
        }
    }

    private static func javaName(_ kind: APIShape.Kind) -> String {
        switch kind {
        case .string: return "String"
        case .integer: return "Integer"
        case .long: return "Long"
        case .boolean: return "Boolean"
        case .double: return "Double"
        case .float: return "Float"
        case .timestamp: return "Date"
        case .blob: return "ByteBuffer"
        case .structure, .list, .map: return "Object"
        }
    }

    private static func javaClass(_ kind: APIShape.Kind) -> String {
        switch kind {
        case .timestamp: return "java.util.Date"
        case .blob: return "java.nio.ByteBuffer"
        default: return "java.lang." + javaName(kind)
        }
    }
}

extension JSONValue {
    fileprivate var isString: Bool {
        if case .string = self { return true }
        return false
    }
}
