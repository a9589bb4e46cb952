/// Operations beyond event data stores, queries, LookupEvents and tags, by wire name: each group
/// (trails, selectors, channels, resource policies) adds its handlers here.
extension CairnService {
    static let extraOperations: [String: OperationHandler] = [:]
}
