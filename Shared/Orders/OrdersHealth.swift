import Kafka
import Outbox
import ServiceAPI

/// `/health` of `orders`: unhealthy when events wait in the outbox because Kafka does not take them.
enum OrdersHealth {
    static func report(relay: OutboxRelay, producer: KafkaProducer) async -> HealthReport {
        let pending = (try? await relay.pendingCount()) ?? -1
        let age = (try? await relay.oldestPendingAge()) ?? nil
        let outbox: HealthReport.Check
        if let age, age > 10 {
            let reason = producer.lastError.map { "; last Kafka error: \($0)" } ?? ""
            outbox = .init(
                name: "outbox", status: .unhealthy,
                detail: "\(pending) events waiting, the oldest for \(Int(age)) s: Kafka is not taking them\(reason)")
        } else {
            outbox = .init(name: "outbox", status: .ok, detail: "\(pending) events waiting; \(relay.publishedCount) published since start")
        }
        return HealthReport(checks: [outbox, .kafka(producer.statistics)])
    }
}
