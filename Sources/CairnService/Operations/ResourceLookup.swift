/// Which trail, channel and dashboard ARNs exist: each resource group answers for its own.
extension CairnService {
    /// Whether `arn` names a trail or channel of the caller that its region sees.
    ///
    /// A trail counts at home and, when multi-region, as a shadow elsewhere; a channel only in its
    /// region. Cairn has no dashboards yet.
    func resourceExists(_ arn: String, _ context: CallContext) -> Bool {
        let state = currentState
        if let parsed = TrailNameRules.parseARN(arn) {
            guard let trail = state.trails[arn] else { return false }
            return parsed.accountId == context.accountId && trail.isVisible(in: context.region)
        }
        if let parsed = Self.parseChannelARN(arn) {
            return parsed.accountId == context.accountId && parsed.region == context.region
                && state.channels[arn] != nil
        }
        return false
    }
}
