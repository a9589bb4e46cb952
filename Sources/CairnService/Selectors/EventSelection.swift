import CairnCore

/// Which events a trail copies: its advanced selectors, its basic selectors, or the default (every
/// management event) when PutEventSelectors never ran (spec §2.1, §5).
public enum EventSelection: Sendable {
    case basic(BasicSelectorMatcher)
    case advanced(AdvancedSelectorMatcher)

    public init(_ trail: TrailRecord) {
        if let advanced = trail.advancedEventSelectors {
            self = .advanced(AdvancedSelectorMatcher(advanced))
        } else {
            self = .basic(BasicSelectorMatcher(trail.eventSelectors ?? TrailRecord.defaultEventSelectors))
        }
    }

    public func matches(_ event: SelectableEvent) -> Bool {
        switch self {
        case .basic(let matcher): matcher.matches(event)
        case .advanced(let matcher): matcher.matches(event)
        }
    }
}
