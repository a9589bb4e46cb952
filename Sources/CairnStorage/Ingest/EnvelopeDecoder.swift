import CairnCore

/// Decodes the CloudTrail records inside EventBridge events and CloudWatch Logs log events and
/// payloads (`RecordEnvelope`), for the ingest parser.
///
/// Called only for objects that did not decode as a record, so its decoder is made on first use:
/// a file of plain records never allocates one.
struct EnvelopeDecoder {
    private var decoder: ColumnRecordDecoder?

    /// Adds the records wrapped in `item` to `unit` (or their rejections); false when the item is no
    /// known envelope.
    mutating func unwrap(
        _ raw: UnsafeRawBufferPointer,
        _ item: RecordFramer<ColumnRecordDecoder>.Item,
        recordIndex: Int,
        into unit: inout ParsedUnit
    ) -> Bool {
        guard raw[item.range.lowerBound] == 0x7B, let unwrapped = RecordEnvelope.unwrap(raw, item.range) else {
            return false
        }
        let itemText = UnsafeRawBufferPointer(rebasing: raw[item.range])
        if let rejection = unwrapped.rejection {
            unit.reject(recordIndex: recordIndex, byteOffset: item.byteOffset, rejection, text: itemText)
        }
        for (position, inner) in unwrapped.records.enumerated() {
            let label = unwrapped.format == .cloudWatchSubscription ? "logEvents[\(position)]" : unwrapped.format.label
            switch inner {
            case .object(let range):
                decode(raw, range, format: unwrapped.format, label: label, recordIndex: recordIndex, item: item, &unit)
            case .text(let text):
                text.withUnsafeBytes { buffer in
                    let start = buffer.firstIndex { !JSONScanner.isWhitespace($0) } ?? 0
                    decode(
                        buffer,
                        start..<buffer.count,
                        format: unwrapped.format,
                        label: label,
                        recordIndex: recordIndex,
                        item: item,
                        &unit
                    )
                }
            }
        }
        return true
    }

    /// Decodes a skipped object (`StagedRecord.defersToEnvelopes`) that is no envelope as the plain
    /// record it is.
    mutating func decodePlain(
        _ raw: UnsafeRawBufferPointer,
        _ item: RecordFramer<ColumnRecordDecoder>.Item,
        recordIndex: Int,
        into unit: inout ParsedUnit
    ) {
        decode(raw, item.range, format: item.format, label: nil, recordIndex: recordIndex, item: item, &unit)
    }

    /// Decodes the record starting at `range.lowerBound` of `bytes` and appends it to `unit`;
    /// rejections say `in its LABEL:` when the record was inside an envelope.
    private mutating func decode(
        _ bytes: UnsafeRawBufferPointer,
        _ range: Range<Int>,
        format: RecordFormat,
        label: String?,
        recordIndex: Int,
        item: RecordFramer<ColumnRecordDecoder>.Item,
        _ unit: inout ParsedUnit
    ) {
        if decoder == nil { decoder = ColumnRecordDecoder() }
        let text = UnsafeRawBufferPointer(rebasing: bytes[range])
        var scanner = JSONScanner(bytes: UnsafeRawBufferPointer(rebasing: bytes[..<range.upperBound]))
        scanner.position = range.lowerBound
        do throws(CoreError) {
            try decoder!.decode(&scanner)
        } catch {
            unit.reject(
                recordIndex: recordIndex,
                byteOffset: item.byteOffset,
                Self.reason(error.message, label),
                text: text
            )
            return
        }
        let recordRange = range.lowerBound..<scanner.position
        let staged = decoder!.staged
        if let reason = staged.rejectionReason {
            let text = UnsafeRawBufferPointer(rebasing: bytes[recordRange])
            unit.reject(recordIndex: recordIndex, byteOffset: item.byteOffset, Self.reason(reason, label), text: text)
            return
        }
        let size = scanner.compactLength(recordRange)
        guard size <= Limits.maxEventByteCount else {
            let reason = "record is \(size) bytes, over the limit of \(Limits.maxEventByteCount)"
            let text = UnsafeRawBufferPointer(rebasing: bytes[recordRange])
            unit.reject(recordIndex: recordIndex, byteOffset: item.byteOffset, Self.reason(reason, label), text: text)
            return
        }
        unit.appendEvent(bytes, recordRange, isCompact: false, staged, format: format)
    }
}

extension EnvelopeDecoder {
    static func reason(_ reason: String, _ label: String?) -> String {
        label.map { "in its \($0): \(reason)" } ?? reason
    }
}

extension ParsedUnit {
    /// Adds an accepted record: its compact JSON (for the WAL, or its size) and its columns.
    mutating func appendEvent(
        _ raw: UnsafeRawBufferPointer,
        _ range: Range<Int>,
        isCompact: Bool,
        _ staged: StagedRecord,
        format: RecordFormat
    ) {
        // The compact size is billed; the text itself only goes to the WAL.
        let scanner = JSONScanner(bytes: raw)
        let size = isCompact ? range.count : scanner.compactLength(range)
        encoded.append(length: size) { json in
            if size == range.count {
                json.append(contentsOf: raw[range])
            } else {
                scanner.appendCompact(range, to: &json)
            }
        }
        events.append(staged, jsonByteCount: size)
        formatCounts[format.rawValue] += 1
    }

    /// Counts a rejected record, with where it is, why, and its text (`text`, cut to the limit).
    mutating func reject(recordIndex: Int, byteOffset: Int, _ reason: String, text: UnsafeRawBufferPointer?) {
        rejectedCount += 1
        var issue = IngestSummary.Issue(file: path, recordIndex: recordIndex, byteOffset: byteOffset, message: reason)
        if let text {
            issue.recordText = Array(text.prefix(Limits.maxRejectedRecordTextByteCount))
            issue.isRecordTextCut = text.count > Limits.maxRejectedRecordTextByteCount
        }
        issues.append(issue)
    }
}
