import CairnCore

/// StartLogging and StopLogging (spec §2.1): home region only; starting a trail that logs, or
/// stopping one that does not, changes nothing.
extension CairnService {
    func startLogging(_ input: OperationInput, _ context: CallContext) throws(ServiceError) -> JSONValue {
        try setLogging(true, input, context)
    }

    func stopLogging(_ input: OperationInput, _ context: CallContext) throws(ServiceError) -> JSONValue {
        try setLogging(false, input, context)
    }

    private func setLogging(_ on: Bool, _ input: OperationInput, _ context: CallContext) throws(ServiceError)
        -> JSONValue
    {
        try checkWritable(input.operation)
        let found = try resolveHomeTrail(
            try input.requiredString("Name"),
            context,
            member: "Name",
            operation: input.operation
        )
        try updateState { (state: inout ServiceState) throws(ServiceError) in
            guard var trail = state.trails[found.arn()] else {
                throw trailNotFound(found.arn(), context, input.operation)
            }
            guard trail.isLogging != on else { return }
            trail.isLogging = on
            if on {
                trail.startLoggingMilliseconds = context.receivedMilliseconds
            } else {
                trail.stopLoggingMilliseconds = context.receivedMilliseconds
            }
            state.trails[found.arn()] = trail
        }
        return .object([])
    }
}
