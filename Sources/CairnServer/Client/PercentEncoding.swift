/// Percent-decoding for S3 paths and listings (the server's request paths, the client's
/// `encoding-type=url` keys).
enum PercentEncoding {
    /// `text` with every `%XX` replaced by its byte; `+` becomes a space when `plusIsSpace` (S3's
    /// `encoding-type=url` listings encode spaces so).
    static func decode(_ text: String, plusIsSpace: Bool = false) -> String {
        var bytes = [UInt8]()
        let input = Array(text.utf8)
        var index = 0
        while index < input.count {
            if input[index] == 0x25, index + 2 < input.count,
                let value = UInt8(String(decoding: input[(index + 1)...(index + 2)], as: UTF8.self), radix: 16)
            {
                bytes.append(value)
                index += 3
            } else {
                bytes.append(plusIsSpace && input[index] == 0x2B ? 0x20 : input[index])
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
