/// How a file frames its records.
public enum RecordFraming: String, Sendable {
    case envelope, array, objectStream
}

extension RecordFramer where Decoder == EventRecordDecoder {
    package init() { self.init(decoder: EventRecordDecoder()) }
}

/// Finds CloudTrail records in a file's bytes, whatever the framing: the S3 delivery envelope
/// `{"Records":[...]}`, a bare JSON array of records, or a stream of objects (NDJSON, one pretty
/// object, or objects one after another).
///
/// A record that is valid JSON but not a valid record is reported and skipped. A syntax error inside
/// an array ends that file (the array's structure is lost past it); in a stream of objects the
/// framer resynchronises at the next line, so one bad NDJSON line costs one record.
///
/// Generic over what a record decodes to: an `EventRecord` (`EventRecordDecoder`), or fields staged
/// for columns (the ingest path).
package struct RecordFramer<Decoder: RecordDecoding> {
    package typealias Framing = RecordFraming

    /// One record found in the input, or the error that stopped it being one.
    package struct Item {
        /// Offset of the record's first byte in the whole input.
        package var byteOffset: Int
        /// The record's byte range relative to the buffer given to `scan`.
        package var range: Range<Int>
        /// The decoded record, or why it is not one.
        package var result: Result<Decoder.Output, CoreError>
        /// Whether the record's text is already compact JSON (no whitespace between tokens).
        package var isCompact: Bool = false
        /// `.cloudWatchLogs` for a record on a CloudWatch Logs export line (`TIMESTAMP {record}`).
        package var format = RecordFormat.cloudTrail
    }

    /// What `scan` got through.
    package struct Outcome {
        /// Bytes consumed; less than the buffer's count when the buffer ends inside a record and more
        /// input may follow (`isFinal == false`).
        package var consumedByteCount: Int
        /// The framing detected, when the buffer held anything.
        package var framing: Framing?
        /// A syntax error that ended the file early, with its offset.
        package var fatalError: CoreError?
    }

    package var decoder: Decoder

    package init(decoder: Decoder) { self.decoder = decoder }

    /// Calls `body` for every record in `bytes`.
    ///
    /// `baseOffset` is the offset of `bytes[0]` in the
    /// whole input; `isFinal` says whether more input follows (chunked NDJSON).
    package mutating func scan(
        _ bytes: UnsafeRawBufferPointer,
        baseOffset: Int = 0,
        isFinal: Bool = true,
        body: (Item) -> Void
    ) -> Outcome {
        var scanner = JSONScanner(bytes: bytes, baseOffset: baseOffset)
        guard let first = scanner.peek() else {
            return Outcome(consumedByteCount: bytes.count, framing: nil, fatalError: nil)
        }
        if first == 0x5B {
            let fatal = scanArray(&scanner, body: body)
            return Outcome(consumedByteCount: bytes.count, framing: .array, fatalError: fatal ?? trailing(&scanner))
        }
        if first == 0x7B, isEnvelope(scanner) {
            scanner.position += 1
            _ = try? scanner.scanString()
            _ = try? scanner.expect(0x3A, "':'")
            var fatal = scanArray(&scanner, body: body)
            if fatal == nil { fatal = finishEnvelope(&scanner) }
            return Outcome(consumedByteCount: bytes.count, framing: .envelope, fatalError: fatal ?? trailing(&scanner))
        }
        let consumed = scanObjectStream(&scanner, isFinal: isFinal, body: body)
        return Outcome(consumedByteCount: consumed, framing: .objectStream, fatalError: nil)
    }

    private func isEnvelope(_ scanner: JSONScanner) -> Bool {
        var probe = scanner
        probe.position += 1
        guard probe.peek() == 0x22, let key = try? probe.scanString(), key.end - key.start == 7,
            String(decoding: UnsafeRawBufferPointer(rebasing: probe.bytes[key.start..<key.end]), as: UTF8.self)
                == "Records",
            (try? probe.expect(0x3A, "':'")) != nil
        else { return false }
        return probe.peek() == 0x5B
    }

    /// Scans `[record, ...]`; returns a syntax error that ended it early.
    private mutating func scanArray(_ scanner: inout JSONScanner, body: (Item) -> Void) -> CoreError? {
        do throws(CoreError) {
            try scanner.expect(0x5B, "'['")
            if scanner.peek() == 0x5D {
                scanner.position += 1
                return nil
            }
            while true {
                _ = scanner.peek()
                try scanElement(&scanner, body: body)
                guard let next = scanner.peek() else { throw scanner.error(.malformedJSON, "unterminated array") }
                scanner.position += 1
                if next == 0x2C { continue }
                if next == 0x5D { return nil }
                throw scanner.error(.malformedJSON, "expected ',' or ']' after a record", at: scanner.position - 1)
            }
        } catch {
            return error
        }
    }

    /// Decodes the record at `start`, noting whether its text was already compact.
    private mutating func decodeItem(_ scanner: inout JSONScanner, from start: Int) throws(CoreError) -> Item {
        scanner.skippedWhitespace = false
        let record = try decoder.decode(&scanner)
        var found = item(scanner, start..<scanner.position, .success(record))
        found.isCompact = !scanner.skippedWhitespace
        return found
    }

    /// Decodes one element; a bad record is reported and skipped when the JSON around it is intact.
    private mutating func scanElement(_ scanner: inout JSONScanner, body: (Item) -> Void) throws(CoreError) {
        let start = scanner.position
        do throws(CoreError) {
            body(try decodeItem(&scanner, from: start))
        } catch {
            scanner.position = start
            try scanner.skipValue()  // rethrows when the syntax itself is broken
            body(item(scanner, start..<scanner.position, .failure(error)))
        }
    }

    private func item(_ scanner: JSONScanner, _ range: Range<Int>, _ result: Result<Decoder.Output, CoreError>) -> Item
    {
        var result = result
        if case .success = result, range.count > Limits.maxEventByteCount {
            let compactCount = scanner.compactLength(range)
            if compactCount > Limits.maxEventByteCount {
                result = .failure(
                    CoreError(
                        .tooLarge,
                        "record is \(compactCount) bytes, over the limit of \(Limits.maxEventByteCount)",
                        byteOffset: scanner.baseOffset + range.lowerBound
                    )
                )
            }
        }
        return Item(byteOffset: scanner.baseOffset + range.lowerBound, range: range, result: result)
    }

    /// After the `Records` array: skips any other members and the closing brace.
    private func finishEnvelope(_ scanner: inout JSONScanner) -> CoreError? {
        do throws(CoreError) {
            while scanner.peek() == 0x2C {
                scanner.position += 1
                _ = try scanner.scanString()
                try scanner.expect(0x3A, "':'")
                try scanner.skipValue()
            }
            try scanner.expect(0x7D, "'}' closing the Records envelope")
            return nil
        } catch {
            return error
        }
    }

    private func trailing(_ scanner: inout JSONScanner) -> CoreError? {
        scanner.peek() == nil ? nil : scanner.error(.malformedJSON, "unexpected data after the end of the records")
    }

    /// Scans objects one after another; returns the bytes consumed.
    private mutating func scanObjectStream(_ scanner: inout JSONScanner, isFinal: Bool, body: (Item) -> Void) -> Int {
        while let first = scanner.peek() {
            let lineStart = scanner.position
            var start = lineStart
            var format = RecordFormat.cloudTrail
            if first != 0x7B, let recordStart = exportLineRecordStart(lineStart, scanner) {
                start = recordStart
                scanner.position = recordStart
                format = .cloudWatchLogs
            }
            if scanner.bytes[start] == 0x7B {
                do throws(CoreError) {
                    var found = try decodeItem(&scanner, from: start)
                    found.format = format
                    body(found)
                    continue
                } catch {
                    var probe = scanner
                    probe.position = start
                    let skipped = (try? probe.skipValue()) != nil
                    if !skipped, !isFinal, probe.isAtEnd || isTruncated(from: start, scanner) { return lineStart }
                    var failed = item(
                        scanner,
                        start..<max(start + 1, min(scanner.position, scanner.bytes.count)),
                        .failure(error)
                    )
                    failed.format = format
                    body(failed)
                    scanner.position = skipped ? probe.position : nextLine(after: start, scanner)
                    continue
                }
            }
            // Not an object: report it and resynchronise at the next line.
            let end = nextLine(after: start, scanner)
            let error = scanner.error(.notARecord, "expected a JSON object (a record), found other data", at: start)
            body(item(scanner, start..<end, .failure(error)))
            scanner.position = end
        }
        return scanner.bytes.count
    }

    /// Where the record starts on a CloudWatch Logs export line (`2026-10-01T12:00:00.000Z {...}`, an
    /// ISO 8601 timestamp, a space, the message), or nil when the line at `start` is not one.
    private func exportLineRecordStart(_ start: Int, _ scanner: JSONScanner) -> Int? {
        let bytes = scanner.bytes
        guard start + 20 < bytes.count else { return nil }
        for (offset, byte) in [UInt8]("0000-00-00T".utf8).enumerated() {
            let actual = bytes[start + offset]
            guard byte == 0x30 ? (0x30...0x39).contains(actual) : actual == byte else { return nil }
        }
        var index = start + 11
        let limit = min(bytes.count, start + 64)
        while index < limit, bytes[index] != 0x20, bytes[index] != 0x0A { index += 1 }
        guard index < limit, bytes[index] == 0x20 else { return nil }
        while index < limit, bytes[index] == 0x20 { index += 1 }
        return index < bytes.count && bytes[index] == 0x7B ? index : nil
    }

    /// Whether the object starting at `start` simply runs past the end of the buffer.
    private func isTruncated(from start: Int, _ scanner: JSONScanner) -> Bool {
        var probe = scanner
        probe.position = start
        do throws(CoreError) {
            try probe.skipValue()
            return false
        } catch {
            return (error.byteOffset ?? 0) >= scanner.baseOffset + scanner.bytes.count - 1
                || error.message.contains("unexpected end") || error.message.contains("unterminated")
        }
    }

    private func nextLine(after start: Int, _ scanner: JSONScanner) -> Int {
        var index = start + 1
        while index < scanner.bytes.count, scanner.bytes[index] != 0x0A { index += 1 }
        return min(index + 1, scanner.bytes.count)
    }
}
