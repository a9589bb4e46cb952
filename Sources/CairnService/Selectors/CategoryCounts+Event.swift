/// Counting selected events by billed category, the same way for trail deliveries and the selector
/// what-if.
extension CategoryCounts {
    /// Counts `event` once in its category: `Data`, `NetworkActivity` and `Insight` by
    /// `eventCategory` (derived as `SelectableEvent` does), any other a management event, read when
    /// `readOnly` is true and a write otherwise (CloudTrail marks reads).
    public mutating func count(_ event: SelectableEvent) {
        switch event.eventCategory {
        case "Data": data += 1
        case "NetworkActivity": networkActivity += 1
        case "Insight": insight += 1
        default:
            if event.readOnly == true { managementRead += 1 } else { managementWrite += 1 }
        }
    }
}
