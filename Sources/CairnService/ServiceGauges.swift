import CairnStorage

/// Gauges the server's `/metrics` reports about the service.
extension CairnService {
    public func gauges() -> [(name: String, help: String, value: Int)] {
        let running = queryJobs.all.filter { !$0.snapshot.status.isTerminal }.count
        let unflushed = stores.all.reduce(0) { $0 + $1.unflushedEventCount }
        let acknowledged = stores.all.reduce(0) { $0 + $1.acknowledgedEventCount }
        return [
            ("cairn_queries_running", "Lake queries queued or running.", running),
            ("cairn_unflushed_events", "Acknowledged events in the WAL and memtables, not yet in segments.", unflushed),
            ("cairn_acknowledged_events", "Events acknowledged since the service started.", acknowledged),
            ("cairn_event_data_stores", "Event data stores open.", stores.all.count),
        ]
    }
}
