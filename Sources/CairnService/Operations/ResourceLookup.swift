/// Which trail, channel and dashboard ARNs exist: each resource group answers for its own.
extension CairnService {
    func resourceExists(_ arn: String, _ context: CallContext) -> Bool {
        false
    }
}
