public import Kafka
public import ServiceAPI

extension HealthReport.Check {
    /// `kafka`: unhealthy while a broker owes this client answers and has sent nothing for
    /// `threshold` (it is stopped, unreachable or overwhelmed). Read from librdkafka's statistics,
    /// so it is known within one statistics interval (5 s) of crossing the threshold; before the
    /// first statistics arrive, nothing is claimed.
    public static func kafka(_ statistics: KafkaStatistics?, silentAfter threshold: Duration = .seconds(10)) -> Self {
        guard let statistics else { return .init(name: "kafka", status: .ok, detail: "no client statistics yet") }
        let silent = statistics.silentBrokers(threshold: threshold)
        guard !silent.isEmpty else {
            let connected = (statistics.brokers ?? [:]).values.filter { ($0.nodeID ?? -1) >= 0 && $0.state == "UP" }.count
            return .init(name: "kafka", status: .ok, detail: "\(connected) broker connection(s) up and answering")
        }
        let detail = silent.map {
            "\($0.name) has not answered for \($0.silentFor.components.seconds) s (\($0.waiting) request(s) waiting)"
        }
        return .init(
            name: "kafka", status: .unhealthy,
            detail: detail.joined(separator: "; ")
                + ": is the broker running and reachable? The service keeps retrying and catches up when it answers")
    }
}
