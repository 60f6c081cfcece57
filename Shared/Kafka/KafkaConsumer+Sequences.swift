extension KafkaConsumer {
    /// `AsyncSequence` of batches; ends when the consumer closes, throws on fatal errors.
    public struct Batches: AsyncSequence, Sendable {
        public typealias Element = ConsumerBatch
        let consumer: KafkaConsumer
        let maxMessages: Int
        let maxWait: Duration

        public struct AsyncIterator: AsyncIteratorProtocol {
            let consumer: KafkaConsumer
            let maxMessages: Int
            let maxWait: Duration

            public mutating func next() async throws(KafkaError) -> ConsumerBatch? {
                while true {
                    guard let batch = try await consumer.nextBatch(maxMessages: maxMessages, maxWait: maxWait) else { return nil }
                    if !batch.isEmpty { return batch }
                }
            }
        }

        public func makeAsyncIterator() -> AsyncIterator {
            AsyncIterator(consumer: consumer, maxMessages: maxMessages, maxWait: maxWait)
        }
    }

    /// `AsyncSequence` of single events, flattened from `Batches`.
    public struct Events: AsyncSequence, Sendable {
        public typealias Element = ConsumerEvent
        let batches: Batches

        public struct AsyncIterator: AsyncIteratorProtocol {
            var batches: Batches.AsyncIterator
            var pending: [ConsumerEvent] = []
            var index = 0

            public mutating func next() async throws(KafkaError) -> ConsumerEvent? {
                while index == pending.count {
                    guard let batch = try await batches.next() else { return nil }
                    pending =
                        batch.errors.map(ConsumerEvent.error) + batch.messages.map(ConsumerEvent.message)
                        + batch.endOfPartition.map(ConsumerEvent.endOfPartition)
                    index = 0
                }
                defer { index += 1 }
                return pending[index]
            }
        }

        public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(batches: batches.makeAsyncIterator()) }
    }
}
