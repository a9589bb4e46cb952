import CairnCore

/// Projections: the columns a reader needs to rebuild some fields of a record, for scans that look
/// at a few fields of every event (the selector what-if) and should not decode the large JSON
/// columns (requestParameters, responseElements) they never read.
extension SegmentColumn {
    /// The columns that rebuild the fields named (dotted JSON paths as in `CloudTrailSchema`:
    /// `eventName`, `userIdentity.arn`), with each split object's remainder column so the object
    /// exists for its member to be set on; eventTime always.
    ///
    /// - Precondition: every name is a schema field with a column of its own.
    public static func rebuilding(_ fields: [String]) -> Set<SegmentColumn> {
        var columns: Set<SegmentColumn> = [.eventTime]
        for name in fields {
            guard let index = CloudTrailSchema.index(of: name),
                let id = CloudTrailSchema.fields[index].column,
                let column = SegmentColumn(rawValue: id)
            else { preconditionFailure("\(name) is not a field with a segment column") }
            columns.insert(column)
            if let parent = CloudTrailSchema.parentIndex[index],
                let remainder = CloudTrailSchema.fields[CloudTrailSchema.remainder(of: parent)].column,
                let object = SegmentColumn(rawValue: remainder)
            {
                columns.insert(object)
            }
        }
        return columns
    }
}
