import Testing

@testable import CairnStorage

/// Ingest counts billed categories from a batch's bytes; the answer must be the one the spec's
/// rules give from the text (spec §8), for every combination of category, readOnly and
/// managementEvent, near-misses of the three names included.
@Suite struct UsageCategoryTests {
    static func expected(_ category: String?, _ readOnly: Bool?, _ management: Bool?) -> UsageCategory {
        if category == nil, management == false { return .data }
        switch category {
        case "Data": return .data
        case "NetworkActivity": return .networkActivity
        case "Insight": return .insight
        default: return readOnly == true ? .managementRead : .managementWrite
        }
    }

    @Test func bytesAndTextGiveTheSpecCategory() {
        let categories: [String?] = [
            nil, "Data", "NetworkActivity", "Insight", "Management", "", "data", "Data ", "Dat", "Insights",
            "NetworkActivitY", "Ínsight",
        ]
        for category in categories {
            for readOnly: Bool? in [nil, true, false] {
                for management: Bool? in [nil, true, false] {
                    let want = Self.expected(category, readOnly, management)
                    #expect(
                        UsageCategory(eventCategory: category, readOnly: readOnly, managementEvent: management) == want
                    )
                    var text = category
                    let fromBytes: UsageCategory
                    if text != nil {
                        fromBytes = text!.withUTF8 {
                            UsageCategory(
                                eventCategoryBytes: UnsafeRawBufferPointer($0),
                                readOnly: readOnly,
                                managementEvent: management
                            )
                        }
                    } else {
                        fromBytes = UsageCategory(
                            eventCategoryBytes: nil,
                            readOnly: readOnly,
                            managementEvent: management
                        )
                    }
                    #expect(fromBytes == want, "\(String(describing: category)) \(String(describing: readOnly))")
                }
            }
        }
    }
}
