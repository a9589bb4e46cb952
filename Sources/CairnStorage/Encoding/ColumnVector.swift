/// A decoded column chunk: the values of one column for the rows of one row group.
public enum ColumnVector: Sendable, Equatable {
    /// eventTime in epoch milliseconds; never null.
    case times([Int64])
    case strings([String?])
    case bools([Bool?])
    /// Dictionary-coded strings as stored: one code per row into `values`, -1 for null. Only
    /// returned when the reader is asked to keep dictionaries (query scans evaluate predicates and
    /// group once per distinct value); IP chunks then come as a dictionary built on decoding.
    case dictionary(values: [String], codes: [Int32])
    /// Plain strings packed in one buffer (`TextVector`). Like `dictionary`, only returned when the
    /// reader is asked to keep pages as stored (query scans).
    case text(TextVector)

    public var count: Int {
        switch self {
        case .times(let values): values.count
        case .strings(let values): values.count
        case .bools(let values): values.count
        case .dictionary(_, let codes): codes.count
        case .text(let text): text.count
        }
    }

    /// The values of a string column, dictionaries expanded; nil for times and booleans.
    public var stringValues: [String?]? {
        switch self {
        case .strings(let values): values
        case .dictionary(let values, let codes): codes.map { $0 < 0 ? nil : values[Int($0)] }
        case .text(let text): (0..<text.count).map { text[$0] }
        default: nil
        }
    }
}

/// Encodings of a page's values.
///
/// Raw values are part of the segment format: never reuse one.
enum PageEncoding: UInt8, Sendable {
    /// Varint lengths, then the bytes of every non-null string.
    case plainString = 0
    /// Bit-packed codes into the column chunk's dictionary page.
    case dictionaryCodes = 1
    /// First value, then frame-of-reference bit-packed deltas (rows sorted by time); written before
    /// `scaledDeltaTime`, still read.
    case deltaTime = 2
    /// 16 bytes per UUID, with an exception list for values that are not UUIDs.
    case uuid = 3
    /// 2-bit tags, then IPv4 as 4 bytes, IPv6 as 16, other text as strings.
    case ip = 4
    /// One bit per value.
    case bool = 5
    /// The dictionary page itself: the distinct strings in code order.
    case dictionary = 6
    /// JSON text as per-page skeletons and per-path scalar streams (`ShreddedJSON`), the streams as
    /// text; sealed segments written before `shreddedTypedJSON`, still read.
    case shreddedJSON = 7
    /// First value, the deltas' common divisor, then each delta over it as a zigzag varint
    /// (`TimeEncoding`); what the writer uses for eventTime.
    case scaledDeltaTime = 8
    /// As `shreddedJSON`, each scalar stream stored in its cheapest `ScalarStream` form (hex
    /// digits, IPv4 octets, dictionary codes or text); what the writer uses since encoding 7.
    case shreddedTypedJSON = 9

    /// Shredded JSON pages, in either form.
    var isShreddedJSON: Bool { self == .shreddedJSON || self == .shreddedTypedJSON }
}
