import Synchronization

/// Detects a consumer position beyond its partition's log end, and says so instead of waiting.
///
/// Apache Kafka answers a fetch beyond the log end with OFFSET_OUT_OF_RANGE, which librdkafka
/// turns into an `_AUTO_OFFSET_RESET` error under `auto.offset.reset=error`. The local Tansu broker
/// answers with an empty fetch instead, so a consumer whose stored offset outlived the broker's
/// data (Tansu keeps it in memory) would wait silently, then skip every new record below its
/// offset. This guard compares each partition's next offset with the high watermark of the latest
/// Fetch responses; when the position stays beyond it for `grace` (long enough for a stale cached
/// watermark to be refreshed by a new fetch), it reports the partition once.
///
/// Invariant: only exact positions are tracked (a start at `.beginning`/`.committed` is unknown
/// until the first record arrives).
final class LogEndGuard: Sendable {
    struct Violation: Sendable {
        var partition: TopicPartition
        var position: Int64
        var logEnd: Int64
    }

    private struct Entry {
        var position: Int64?
        var beyondSince: ContinuousClock.Instant?
        var reported = false
    }

    let grace: Duration
    private let entries = Mutex<[TopicPartition: Entry]>([:])

    init(grace: Duration = .seconds(2)) { self.grace = grace }

    /// Starting positions, from an assign or a seek.
    func start(_ offsets: [TopicPartitionOffset]) {
        entries.withLock { entries in
            for offset in offsets { entries[offset.topicPartition] = Entry(position: offset.offset.exact) }
        }
    }

    func remove(_ partitions: [TopicPartition]) {
        entries.withLock { entries in for partition in partitions { entries[partition] = nil } }
    }

    /// Positions after records were handed to the application.
    func advance(_ next: [TopicPartitionOffset]) {
        entries.withLock { entries in
            for offset in next { entries[offset.topicPartition] = Entry(position: offset.offset.exact) }
        }
    }

    /// Partitions that have just stayed beyond their log end for `grace`. Each is reported once
    /// per start position.
    func check(now: ContinuousClock.Instant = .now, logEnd: (TopicPartition) -> Int64?) -> [Violation] {
        entries.withLock { entries in
            var violations: [Violation] = []
            for (partition, entry) in entries {
                guard let position = entry.position, !entry.reported else { continue }
                guard let end = logEnd(partition), end >= 0, position > end else {
                    entries[partition]?.beyondSince = nil
                    continue
                }
                let since = entry.beyondSince ?? now
                entries[partition]?.beyondSince = since
                if now - since >= grace {
                    entries[partition]?.reported = true
                    violations.append(Violation(partition: partition, position: position, logEnd: end))
                }
            }
            return violations.sorted { $0.partition < $1.partition }
        }
    }
}
