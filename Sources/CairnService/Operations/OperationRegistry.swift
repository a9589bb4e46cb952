/// Operations beyond event data stores, queries, LookupEvents and tags, by wire name: each group
/// (trails, selectors, channels, resource policies) adds its handlers here.
extension CairnService {
    static let extraOperations: [String: OperationHandler] = [
        // Trails
        "CreateTrail": { s, input, context throws(ServiceError) in try s.createTrail(input, context) },
        "UpdateTrail": { s, input, context throws(ServiceError) in try s.updateTrail(input, context) },
        "DeleteTrail": { s, input, context throws(ServiceError) in try s.deleteTrail(input, context) },
        "GetTrail": { s, input, context throws(ServiceError) in try s.getTrail(input, context) },
        "DescribeTrails": { s, input, context throws(ServiceError) in try s.describeTrails(input, context) },
        "ListTrails": { s, input, context throws(ServiceError) in try s.listTrails(input, context) },
        "GetTrailStatus": { s, input, context throws(ServiceError) in try s.getTrailStatus(input, context) },
        "StartLogging": { s, input, context throws(ServiceError) in try s.startLogging(input, context) },
        "StopLogging": { s, input, context throws(ServiceError) in try s.stopLogging(input, context) },
        // Selectors
        "PutEventSelectors": { s, input, context throws(ServiceError) in try s.putEventSelectors(input, context) },
        "GetEventSelectors": { s, input, context throws(ServiceError) in try s.getEventSelectors(input, context) },
        "PutInsightSelectors": { s, input, context throws(ServiceError) in try s.putInsightSelectors(input, context) },
        "GetInsightSelectors": { s, input, context throws(ServiceError) in try s.getInsightSelectors(input, context) },
        // Channels
        "CreateChannel": { s, input, context throws(ServiceError) in try s.createChannel(input, context) },
        "GetChannel": { s, input, context throws(ServiceError) in try s.getChannel(input, context) },
        "ListChannels": { s, input, context throws(ServiceError) in try s.listChannels(input, context) },
        "UpdateChannel": { s, input, context throws(ServiceError) in try s.updateChannel(input, context) },
        "DeleteChannel": { s, input, context throws(ServiceError) in try s.deleteChannel(input, context) },
        // Resource policies
        "PutResourcePolicy": { s, input, context throws(ServiceError) in try s.putResourcePolicy(input, context) },
        "GetResourcePolicy": { s, input, context throws(ServiceError) in try s.getResourcePolicy(input, context) },
        "DeleteResourcePolicy": { s, input, context throws(ServiceError) in
            try s.deleteResourcePolicy(input, context)
        },
        // Log file integrity
        "ListPublicKeys": { s, input, context throws(ServiceError) in try s.listPublicKeys(input, context) },
    ]
}
