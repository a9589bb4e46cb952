public import CairnCore

/// Which Insights types a trail or event data store analyses, for which event categories, and how
/// many events that makes (spec §8, CloudTrail's Insights cost page).
///
/// ApiCallRateInsight analyses write management events, or every data event; ApiErrorRateInsight
/// analyses every management event (read and write), or every data event. With both types on,
/// write management events and data events count twice.
public struct InsightsSettings: Sendable, Equatable {
    public var managementCallRate = false
    public var managementErrorRate = false
    public var dataCallRate = false
    public var dataErrorRate = false

    public init(
        managementCallRate: Bool = false,
        managementErrorRate: Bool = false,
        dataCallRate: Bool = false,
        dataErrorRate: Bool = false
    ) {
        self.managementCallRate = managementCallRate
        self.managementErrorRate = managementErrorRate
        self.dataCallRate = dataCallRate
        self.dataErrorRate = dataErrorRate
    }

    /// From a list of InsightSelector (`[{"InsightType": ..., "EventCategories": [...]}]`); a
    /// selector without EventCategories covers management events.
    public init(selectors: JSONValue?) {
        guard case .array(let items)? = selectors else { return }
        for item in items {
            guard case .string(let type)? = item["InsightType"] else { continue }
            var categories = ["Management"]
            if case .array(let given)? = item["EventCategories"] {
                categories = given.compactMap { if case .string(let text) = $0 { text } else { nil } }
            }
            for category in categories {
                switch (type, category) {
                case ("ApiCallRateInsight", "Management"): managementCallRate = true
                case ("ApiErrorRateInsight", "Management"): managementErrorRate = true
                case ("ApiCallRateInsight", "Data"): dataCallRate = true
                case ("ApiErrorRateInsight", "Data"): dataErrorRate = true
                default: break
                }
            }
        }
    }

    public var isEnabled: Bool { managementCallRate || managementErrorRate || dataCallRate || dataErrorRate }

    /// Management events analysed from `read` read-only and `write` write events.
    public func managementEventsAnalysed(read: Int64, write: Int64) -> Int64 {
        (managementCallRate ? write : 0) + (managementErrorRate ? read + write : 0)
    }

    /// Data events analysed from `data` data events.
    public func dataEventsAnalysed(_ data: Int64) -> Int64 {
        (dataCallRate ? data : 0) + (dataErrorRate ? data : 0)
    }
}
