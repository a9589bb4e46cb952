public import CairnCore

/// A proposed trail selection to try on stored history.
///
/// It is what `cairn cost what-if` asks and the body of `POST /cost/what-if`:
///
/// ```json
/// {"advancedEventSelectors": [{"FieldSelectors": [{"Field": "eventCategory", "Equals": ["Data"]},
///                                                 {"Field": "resources.type", "Equals": ["AWS::S3::Object"]}]}],
///  "insightSelectors": [{"InsightType": "ApiCallRateInsight"}],
///  "month": "2026-10", "eventDataStore": "default"}
/// ```
///
/// `advancedEventSelectors` or `eventSelectors` (basic), one of them, as PutEventSelectors takes
/// them and checked by the same rules for a trail; `insightSelectors` as PutInsightSelectors takes
/// them on a trail; `month` (`YYYY-MM`, default the previous UTC month); `eventDataStore` (name, id
/// or ARN; default every store).
public struct SelectorWhatIfRequest: Sendable {
    /// The operation name errors carry.
    public static let operation = "CostWhatIf"
    static let members: Set<String> = [
        "advancedEventSelectors", "eventSelectors", "insightSelectors", "month", "eventDataStore",
    ]

    /// The selectors as checked (basic ones with every member filled).
    public var selectors: JSONValue
    public var isBasic: Bool
    /// The InsightSelector list as checked, empty when Insights stay off.
    public var insightSelectors: [JSONValue]
    /// `YYYY-MM`, nil for the previous month.
    public var month: String?
    public var eventDataStore: String?

    public init(json: JSONValue) throws(ServiceError) {
        guard case .object(let pairs) = json else {
            throw ServiceError(.serializationException, "the what-if request must be a JSON object")
        }
        for (key, _) in pairs where !Self.members.contains(key) {
            throw ServiceError(
                .validationException,
                "the what-if request has no member \(key); it takes \(Self.members.sorted().joined(separator: ", "))",
                operation: Self.operation,
                parameter: key
            )
        }
        let input = OperationInput(json, operation: Self.operation)
        switch (try input.objects("eventSelectors"), try input.list("advancedEventSelectors")) {
        case (let basic?, nil):
            selectors = try BasicEventSelectorRules.validate(basic, member: "eventSelectors", operation: Self.operation)
            isBasic = true
        case (nil, let advanced?):
            selectors = try AdvancedEventSelectorRules.validate(
                advanced,
                target: .trail,
                member: "advancedEventSelectors",
                operation: Self.operation
            )
            isBasic = false
        case (let basic, _):
            throw ServiceError(
                .invalidEventSelectorsException,
                basic == nil
                    ? "Give eventSelectors or advancedEventSelectors."
                    : "Give eventSelectors or advancedEventSelectors, not both.",
                operation: Self.operation,
                parameter: "eventSelectors"
            )
        }
        insightSelectors = try InsightSelectorRules.validate(
            try input.objects("insightSelectors") ?? [],
            onTrail: true,
            Self.operation
        )
        month = try input.string("month")
        eventDataStore = try input.string("eventDataStore")
    }

    /// How the proposed trail picks events.
    public var selection: EventSelection {
        isBasic ? .basic(BasicSelectorMatcher(selectors)) : .advanced(AdvancedSelectorMatcher(selectors))
    }

    public var insights: InsightsSettings { InsightsSettings(selectors: .array(insightSelectors)) }

    /// The month before the one holding `milliseconds` (UTC), `YYYY-MM`.
    public static func previousMonth(beforeMilliseconds milliseconds: Int64) -> String {
        let today = EventTimestamp.civilFromDays(Int(EventTimestamp.epochDay(milliseconds)))
        let lastDayBefore = EventTimestamp.daysFromCivil(year: today.year, month: today.month, day: 1) - 1
        return String(EventTimestamp.dateText(epochDay: Int64(lastDayBefore)).prefix(7))
    }
}
