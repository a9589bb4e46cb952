import CairnCore
import CairnSQL

extension ScalarFunction {
    static let lower = ScalarFunction("lower", arity: 1...1, readsMapText: true, type: stringToString) { a, _ in
        .string(a[0].text!.lowercased())
    }
    static let upper = ScalarFunction("upper", arity: 1...1, readsMapText: true, type: stringToString) { a, _ in
        .string(a[0].text!.uppercased())
    }
    static let length = ScalarFunction(
        "length",
        aliases: ["strlen"],
        arity: 1...1,
        readsMapText: true,
        type: { $0.all(\.isStringy) ? .bigint : nil }
    ) { a, _ in .integer(Int64(a[0].text!.count)) }
    static let strpos = ScalarFunction(
        "strpos",
        arity: 2...2,
        readsMapText: true,
        type: { $0.all(\.isStringy) ? .bigint : nil }
    ) { a, _ in
        let text = a[0].text!
        let needle = a[1].text!
        if needle.isEmpty { return .integer(1) }
        guard let range = text.firstRange(of: needle) else { return .integer(0) }
        return .integer(Int64(text.distance(from: text.startIndex, to: range.lowerBound) + 1))
    }
    static let replace = ScalarFunction(
        "replace",
        arity: 2...3,
        readsMapText: true,
        type: stringToString
    ) { a, _ in
        let replacement = a.count > 2 ? a[2].text! : ""
        let needle = a[1].text!
        if needle.isEmpty { return a[0] }
        return .string(a[0].text!.replacing(needle, with: replacement))
    }
    static let substr = ScalarFunction(
        "substr",
        aliases: ["substring"],
        arity: 2...3,
        type: { $0[0].isStringy && $0.dropFirst().allSatisfy(\.isNumeric) ? .varchar : nil }
    ) { a, _ in
        let characters = Array(a[0].text!)
        guard var start = a[1].integerValue else { return .null }
        if start < 0 { start = Int64(characters.count) + start + 1 }
        guard start >= 1, start <= characters.count else { return .string("") }
        var end = characters.count
        if a.count > 2, let length = a[2].integerValue {
            guard length >= 0 else { return .string("") }
            // Compared before adding: a huge length must not overflow.
            end =
                length >= Int64(characters.count)
                ? characters.count : Int(Swift.min(Int64(characters.count), start - 1 + length))
        }
        return .string(String(characters[Int(start - 1)..<end]))
    }
    /// `concat(a, b, ...)`: strings, or arrays joined.
    static let concat = ScalarFunction("concat", arity: 1...Int.max, handlesNulls: true, type: concatType) { a, _ in
        concatenate(a)
    }

    static func stringToString(_ types: [DataType]) -> DataType? { types.all(\.isStringy) ? .varchar : nil }

    /// The Unicode scalars of a string argument (Trino counts code points).
    static func scalars(_ value: Value) -> [Unicode.Scalar] { Array(value.text!.unicodeScalars) }

    /// `lpad` / `rpad`: pads with `padding` repeated, or truncates, to `size` code points.
    static func pad(_ arguments: [Value], left: Bool) throws(QueryError) -> Value {
        let text = scalars(arguments[0])
        let padding = scalars(arguments[2])
        guard let size = arguments[1].integerValue, size >= 0, size <= Int32.max else {
            throw QueryError(.invalidValue, "Target length must be in the range [0.. \(Int32.max)]")
        }
        guard !padding.isEmpty else { throw QueryError(.invalidValue, "Padding string must not be empty") }
        guard size <= StringFunctions.maxResultLength else {
            throw QueryError(
                .limitExceeded,
                "\(left ? "lpad" : "rpad") result of \(size) characters is over the limit of \(StringFunctions.maxResultLength)"
            )
        }
        if size <= text.count { return .string(String(String.UnicodeScalarView(text.prefix(Int(size))))) }
        var fill = [Unicode.Scalar]()
        while fill.count < Int(size) - text.count { fill.append(padding[fill.count % padding.count]) }
        return .string(String(String.UnicodeScalarView(left ? fill + text : text + fill)))
    }
}

/// String functions (Trino's "String functions and operators").
enum StringFunctions {
    /// The longest string `lpad`, `rpad` build, in code points.
    static let maxResultLength: Int64 = 1 << 20

    static let all: [ScalarFunction] = [
        .lower, .upper, .length, .strpos, .replace, .substr, .concat,
        ScalarFunction("reverse", arity: 1...1, type: ScalarFunction.stringToString) { a, _ in
            .string(String(a[0].text!.reversed()))
        },
        ScalarFunction("trim", arity: 1...1, type: ScalarFunction.stringToString) { a, _ in
            .string(String(a[0].text!.trimmingSpaces))
        },
        ScalarFunction("ltrim", arity: 1...1, type: ScalarFunction.stringToString) { a, _ in
            .string(String(a[0].text!.drop(while: { $0 == " " })))
        },
        ScalarFunction("rtrim", arity: 1...1, type: ScalarFunction.stringToString) { a, _ in
            var text = a[0].text![...]
            while text.last == " " { text.removeLast() }
            return .string(String(text))
        },
        ScalarFunction(
            "split_part",
            arity: 3...3,
            type: { $0[0].isStringy && $0[1].isStringy && $0[2].isNumeric ? .varchar : nil }
        ) { a, _ throws(QueryError) in
            guard let index = a[2].integerValue, index >= 1 else {
                throw QueryError(.invalidValue, "split_part index must be greater than zero")
            }
            let delimiter = a[1].text!
            let parts =
                delimiter.isEmpty
                ? [a[0].text!]
                : a[0].text!.split(separator: delimiter, omittingEmptySubsequences: false).map(String.init)
            return index <= parts.count ? .string(parts[Int(index - 1)]) : .null
        },
        ScalarFunction("split", arity: 2...2, type: { $0.all(\.isStringy) ? .array(.varchar) : nil }) {
            a,
            _ throws(QueryError) in
            let delimiter = a[1].text!
            guard !delimiter.isEmpty else { throw QueryError(.invalidValue, "split delimiter is empty") }
            return .array(
                a[0].text!.split(separator: delimiter, omittingEmptySubsequences: false).map { .string(String($0)) }
            )
        },
        ScalarFunction("starts_with", arity: 2...2, type: { $0.all(\.isStringy) ? .boolean : nil }) { a, _ in
            .boolean(a[0].text!.hasPrefix(a[1].text!))
        },
        ScalarFunction(
            "lpad",
            arity: 3...3,
            type: { $0[0].isStringy && $0[1].isNumeric && $0[2].isStringy ? .varchar : nil }
        ) { a, _ throws(QueryError) in try ScalarFunction.pad(a, left: true) },
        ScalarFunction(
            "rpad",
            arity: 3...3,
            type: { $0[0].isStringy && $0[1].isNumeric && $0[2].isStringy ? .varchar : nil }
        ) { a, _ throws(QueryError) in try ScalarFunction.pad(a, left: false) },
        ScalarFunction("chr", arity: 1...1, type: { $0[0].isNumeric ? .varchar : nil }) { a, _ throws(QueryError) in
            guard let code = a[0].integerValue, code >= 0, code <= 0x10FFFF, let scalar = Unicode.Scalar(UInt32(code))
            else {
                throw QueryError(.invalidValue, "Not a valid Unicode code point: \(a[0].lakeText ?? "")")
            }
            return .string(String(Character(scalar)))
        },
        ScalarFunction("codepoint", arity: 1...1, type: { $0[0].isStringy ? .bigint : nil }) {
            a,
            _ throws(QueryError) in
            let text = ScalarFunction.scalars(a[0])
            guard text.count == 1 else {
                throw QueryError(.invalidValue, "Input string must be a single character string")
            }
            return .integer(Int64(text[0].value))
        },
        ScalarFunction("levenshtein_distance", arity: 2...2, type: { $0.all(\.isStringy) ? .bigint : nil }) {
            a,
            _ throws(QueryError) in
            let (x, y) = (ScalarFunction.scalars(a[0]), ScalarFunction.scalars(a[1]))
            guard x.count * y.count <= 1_000_000 else {
                throw QueryError(.invalidValue, "The combined inputs for Levenshtein distance are too large")
            }
            return .integer(Int64(StringFunctions.levenshtein(x, y)))
        },
        ScalarFunction("hamming_distance", arity: 2...2, type: { $0.all(\.isStringy) ? .bigint : nil }) {
            a,
            _ throws(QueryError) in
            let (x, y) = (ScalarFunction.scalars(a[0]), ScalarFunction.scalars(a[1]))
            guard x.count == y.count else {
                throw QueryError(
                    .invalidValue,
                    "The input strings to hamming_distance function must have the same length"
                )
            }
            return .integer(Int64(zip(x, y).filter { $0 != $1 }.count))
        },
        ScalarFunction("translate", arity: 3...3, type: ScalarFunction.stringToString) { a, _ in
            let (from, to) = (ScalarFunction.scalars(a[1]), ScalarFunction.scalars(a[2]))
            // The first occurrence of a character in `from` decides; past `to`'s end it is deleted.
            var mapping = [Unicode.Scalar: Unicode.Scalar?]()
            for (index, scalar) in from.enumerated() where mapping[scalar] == nil {
                mapping.updateValue(index < to.count ? to[index] : nil, forKey: scalar)
            }
            var result = String.UnicodeScalarView()
            for scalar in a[0].text!.unicodeScalars {
                if let replacement = mapping[scalar] {
                    if let replacement { result.append(replacement) }
                } else {
                    result.append(scalar)
                }
            }
            return .string(String(result))
        },
    ]

    static func levenshtein(_ x: [Unicode.Scalar], _ y: [Unicode.Scalar]) -> Int {
        if x.isEmpty { return y.count }
        var previous = Array(0...y.count)
        var current = previous
        for i in 1...x.count {
            current[0] = i
            for j in stride(from: 1, through: y.count, by: 1) {
                current[j] = Swift.min(
                    previous[j] + 1,
                    current[j - 1] + 1,
                    previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1)
                )
            }
            swap(&previous, &current)
        }
        return previous[y.count]
    }
}
