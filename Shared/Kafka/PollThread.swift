internal import CRdKafka
import Foundation
import Synchronization

/// A dedicated thread that serves a producer-type client's callbacks (delivery reports, errors,
/// statistics, logs) with `rd_kafka_poll`, so neither the callbacks nor the wait run on Swift's
/// cooperative pool. It blocks in librdkafka between events: no busy loop.
final class PollThread: Sendable {
    private let client: RdKafkaClient
    private let stopping = Atomic<Bool>(false)
    private let stopped = DispatchSemaphore(value: 0)

    init(client: RdKafkaClient, name: String) {
        self.client = client
        let thread = Thread { [self] in
            while !stopping.load(ordering: .acquiring) {
                rd_kafka_poll(client.handle, 100)
            }
            stopped.signal()
        }
        thread.name = name
        thread.start()
    }

    /// Asks the thread to stop without waiting (from `deinit`s). The thread holds the client until
    /// it has left librdkafka, so the handle is destroyed only after the last poll.
    func requestStop() { stopping.store(true, ordering: .releasing) }

    /// Stops polling and waits (off the cooperative pool) until the thread has left librdkafka.
    func stop() async {
        guard !stopping.exchange(true, ordering: .acquiringAndReleasing) else { return }
        await Blocking.run { [stopped] in stopped.wait() }
    }
}
