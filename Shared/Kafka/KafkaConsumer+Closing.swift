internal import CRdKafka
public import ServiceLifecycle
import Synchronization

// Closing: leaving the group cleanly, or only ending the batches for an owner that closes later.
extension KafkaConsumer {
    /// Leaves the group (running the final revoke through the listener) and stops fetching.
    /// Waits for an in-progress fetch to end first; safe to call more than once.
    public func close() async {
        guard !closing.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let client = self.client
        await Blocking.run(on: thread) {
            let code = rd_kafka_consumer_close(client.handle)
            if code != RD_KAFKA_RESP_ERR_NO_ERROR {
                client.events.record(KafkaError(rdError: code, context: "consumer close"))
            }
        }
    }

    public var isClosed: Bool { closing.load(ordering: .acquiring) }

    /// Closed, closing, or asked to stop fetching: no further batch will come.
    public var isStopping: Bool { isClosed || stopped.load(ordering: .acquiring) }

    /// Ends the batches (`nextBatch` returns what it holds, then nil) without waiting: for a
    /// shutdown handler, which cannot await. The owner closes the consumer once its loop ends.
    public func stopFetching() { stopped.store(true, ordering: .releasing) }
}

extension KafkaConsumer: Service {
    /// Runs until graceful shutdown, then closes (leaving the group cleanly). Applications iterate
    /// `batches`/`events` in their own service; those end when this closes the consumer.
    public func run() async throws {
        try? await gracefulShutdown()
        await close()
    }
}
