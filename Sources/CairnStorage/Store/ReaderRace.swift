import CairnCore

/// How a reader survives a writer.
///
/// A manifest or WAL file it listed may be replaced or removed (made obsolete by a newer catalog)
/// before it reads it. The reader then starts over from `CURRENT`, up to
/// `Limits.catalogReadAttemptCount` times.
enum ReaderRace {
    static func retrying<Result>(_ read: () throws(StorageError) -> Result) throws(StorageError) -> Result {
        var attempt = 1
        while true {
            do throws(StorageError) {
                return try read()
            } catch  where error.code == .notFound && attempt < Limits.catalogReadAttemptCount {
                attempt += 1
            }
        }
    }
}
