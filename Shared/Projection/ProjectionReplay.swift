import Foundation
import Kafka
public import Logging
import OrderEvents
public import ServiceAPI
import Synchronization

/// Where a replay starts reading.
public enum ReplayStart: Sendable, Equatable, CustomStringConvertible {
    case earliest
    /// The same offset in every partition (a partition whose log starts later starts there).
    case offset(Int64)
    /// The first record at or after this time (ms since 1970), per partition.
    case timestamp(Int64)

    /// `earliest`, an offset (`1200`), or a time (ISO 8601 `2026-11-22T05:00:00Z`, or `@<ms>`).
    public init(parsing text: String) throws(ReplayStartError) {
        if text == "earliest" {
            self = .earliest
        } else if let offset = Int64(text), offset >= 0 {
            self = .offset(offset)
        } else if text.hasPrefix("@"), let milliseconds = Int64(text.dropFirst()), milliseconds >= 0 {
            self = .timestamp(milliseconds)
        } else if let date = Timestamp.parse(text) {
            self = .timestamp(Timestamp.milliseconds(date))
        } else {
            throw ReplayStartError(text: text)
        }
    }

    public var description: String {
        switch self {
        case .earliest: "earliest"
        case .offset(let offset): "offset \(offset)"
        case .timestamp(let ms): "time \(Timestamp.format(Timestamp.date(milliseconds: ms)))"
        }
    }
}

public struct ReplayStartError: Error, CustomStringConvertible {
    public var text: String
    public var description: String {
        "cannot replay from '\(text)': give earliest, an offset (e.g. 1200), or a time (ISO 8601 like 2026-11-22T05:00:00Z, or @<milliseconds since 1970>)"
    }
}

/// Rebuilds a running projection from the log into a shadow database, compares it with the live
/// read model at the same offsets, and swaps it in.
///
/// 1. Snapshot the live model: its stored offsets and checksum, from one read transaction.
/// 2. Rebuild into `<database>.replay` from the start up to exactly those offsets.
/// 3. Compare checksums. From `earliest` they must be equal (that is the proof that the live
///    model holds each event exactly once); from an offset or a time they differ by design.
/// 4. Swap (when equal, or when forced): hold the runner's apply lock so the live model stops
///    moving, read the shadow on to the live model's current offsets, then copy the shadow over
///    the live database with SQLite's backup API, in one step that readers see atomically. The
///    consumer's in-memory position equals the offsets the shadow stored, so it goes on seamlessly.
public final class ProjectionReplay: Sendable {
    public let runner: ProjectionRunner
    public let shadowPath: String
    private let logger: Logger
    private let state = Mutex<(running: Bool, rebuild: ProjectionRebuild?)>((false, nil))

    /// A replay cut short by a crash or a kill leaves its shadow database behind; nothing else
    /// uses it, so a new instance removes it at once rather than at the next replay.
    public init(runner: ProjectionRunner, shadowPath: String, logger: Logger) {
        self.runner = runner
        self.shadowPath = shadowPath
        self.logger = logger
        if FileManager.default.fileExists(atPath: shadowPath) {
            logger.notice("removing \(shadowPath), left by a replay that did not finish")
            removeShadow()
        }
    }

    private func removeShadow() {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: shadowPath + suffix) }
    }

    public typealias Report = ReplayReport

    public struct AlreadyRunning: Error, CustomStringConvertible {
        public var description: String { "a replay of this projection is already running; watch it at \(ProjectionEndpoints.replayState)" }
    }

    /// Progress of the replay in flight, if any.
    public var progress: ProjectionRebuild.Progress? { state.withLock { $0.rebuild?.current } }

    public func run(from start: ReplayStart, swap: SwapPolicy) async throws -> Report {
        try state.withLock { state in
            if state.running { throw AlreadyRunning() }
            state.running = true
        }
        defer { state.withLock { $0 = (false, nil) } }
        let began = ContinuousClock.now
        let topic = runner.topic
        let admin = try KafkaAdmin.make(configuration: runner.kafkaConfiguration, logger: logger)
        guard let metadata = try await admin.metadata(topic: topic).topic(topic), metadata.error == nil else {
            throw KafkaError(
                .admin, "topic \(topic) does not exist: nothing to replay (is the service pointed at the right cluster and --topic?)")
        }
        let partitions = metadata.partitions.map(\.id).sorted()

        var starts: [Int32: KafkaOffset] = [:]
        var lookup: [String: String]?
        switch start {
        case .earliest:
            break
        case .offset(let offset):
            for partition in partitions {
                let low = try await admin.queryWatermarks(TopicPartition(topic, partition)).low
                starts[partition] = KafkaOffset(max(offset, max(low, 0)))
            }
        case .timestamp(let milliseconds):
            let answers = try await TimestampOffsetLookup(configuration: runner.kafkaConfiguration, logger: logger)
                .offsets(topic: topic, partitions: partitions, atOrAfter: milliseconds, admin: admin)
            lookup = [:]
            for (partition, answer) in answers {
                lookup?[String(partition)] = answer.method.rawValue
                // No record that late: start where the live model is (it has nothing newer either).
                starts[partition] = answer.offset.map { KafkaOffset($0) }
            }
        }

        let live = try await runner.database.snapshot(topic: topic)
        removeShadow()
        let shadow = try ProjectionDatabase(path: shadowPath, projection: runner.database.projection)
        defer { removeShadow() }
        // A mid-log start is stored first, so the rebuilt model's position is right even for a
        // partition it reads nothing from.
        var exactStarts: [Int32: Int64] = [:]
        for partition in partitions {
            if case .earliest = start { continue }
            exactStarts[partition] = starts[partition]?.exact ?? live.offsets[partition] ?? 0
        }
        let tooFar = exactStarts.filter { $0.value > (live.offsets[$0.key] ?? 0) }
        guard tooFar.isEmpty else {
            throw ReplayAheadOfLive(partitions: tooFar.keys.sorted(), live: live.offsets, starts: exactStarts)
        }
        _ = try await shadow.apply(
            [], storing: exactStarts.map { TopicPartitionOffset(TopicPartition(topic, $0.key), KafkaOffset($0.value)) })

        let rebuild = try ProjectionRebuild(
            database: shadow, kafka: runner.kafkaConfiguration, topic: topic, midLog: start != .earliest, logger: logger)
        state.withLock { $0.rebuild = rebuild }
        let replayChecksum: String
        var afterSwap: String?
        do {
            try await rebuild.run(from: [:], to: live.offsets)
            replayChecksum = try await shadow.checksum()
            logger.info(
                "replay from \(start): \(rebuild.current.applied) events applied, checksum \(replayChecksum) vs live \(live.checksum)")
            if swap == .always || (swap == .whenEqual && replayChecksum == live.checksum) {
                afterSwap = try await runner.applyLock.withLock {
                    let now = try await runner.database.storedOffsets(topic: topic)
                    try await rebuild.run(from: [:], to: now)
                    try shadow.writer.backup(to: runner.database.writer)
                    return try await runner.database.checksum()
                }
                logger.info("replay swapped in; live checksum now \(afterSwap ?? "?")")
            }
        } catch {
            await rebuild.close()
            throw error
        }
        await rebuild.close()
        let matches = replayChecksum == live.checksum
        return Report(
            from: start.description,
            startOffsets: Dictionary(uniqueKeysWithValues: partitions.map { (String($0), start == .earliest ? 0 : exactStarts[$0]) }),
            timestampLookup: lookup,
            targetOffsets: Dictionary(uniqueKeysWithValues: live.offsets.map { (String($0.key), $0.value) }),
            progress: rebuild.current, liveChecksum: live.checksum, replayChecksum: replayChecksum, checksumsMatch: matches,
            swapped: afterSwap != nil, checksumAfterSwap: afterSwap, seconds: (ContinuousClock.now - began).seconds)
    }

    public enum SwapPolicy: String, Sendable, Codable {
        /// Only compare (the shadow is deleted).
        case never
        /// Swap when the checksums are equal (the safe default for a full replay).
        case whenEqual = "when-equal"
        /// Swap whatever the comparison says (a replay from an offset or a time builds a different model by design).
        case always
    }
}

/// The live model has not reached the replay's start offsets yet.
public struct ReplayAheadOfLive: Error, CustomStringConvertible {
    public var partitions: [Int32]
    public var live: [Int32: Int64]
    public var starts: [Int32: Int64]
    public var description: String {
        let detail = partitions.map { "partition \($0): start \(starts[$0] ?? 0), live model at \(live[$0] ?? 0)" }
        return
            "the replay would start past the live model (\(detail.joined(separator: "; "))); wait until \(ProjectionEndpoints.offsets) shows it caught up, or pick an earlier start"
    }
}
