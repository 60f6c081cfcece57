import Foundation
import Kafka
import OrderEvents
import Projection
import SimulationControl
import SupportProjection

/// Each projection's catch-up against what bounds it, in rounds. A round measures raw consume and
/// decoding on every core, then for each projection its fold-and-write rate right before its
/// catch-up (and the Python peer right after support's), so every ratio compares runs seconds
/// apart. The report gives each
/// ratio's median over the rounds and its range: on a shared machine the same measurement was
/// seen to move by 1.7× within a day, and one round's ratio by ±0.15.
struct CatchUpComparison {
    struct Round {
        var consume: Double
        var decode = 0.0
        var sqlite: [String: Double] = [:]
        var catchUp: [String: Double] = [:]
        /// The Python peer doing support's projection on the same events (nil without a Python).
        var peer: Double?
    }

    let rounds: [Round]
    /// The projection `bench/peer_projection.py` does too (its tables, its rules).
    static let peerProjection = SupportProjection().name

    static func measure(
        _ bench: ProjectionBench, _ filled: ProjectionBench.FilledTopic, decoded: [(OrderEvent, EventPosition)],
        records: [KafkaConsumerMessage], rounds count: Int, python: String?
    ) async throws -> CatchUpComparison {
        var rounds: [Round] = []
        for number in 1...count {
            var round = Round(consume: try await bench.rawConsume(filled))
            round.decode = await bench.decodeOnAllCores(records)
            OutputLine.write(
                "round \(number)/\(count): raw consume \(Int(round.consume)) events/s, decoding on every core \(Int(round.decode)) events/s"
            )
            for projection in ProjectionBench.projections {
                let name = projection.name
                round.sqlite[name] = try await bench.rawSQLite(projection, decoded)
                round.catchUp[name] = try await bench.catchUp(projection, filled).rate
                OutputLine.write(
                    "  \(name): fold and write alone \(Int(round.sqlite[name]!)) events/s, catch-up \(Int(round.catchUp[name]!)) events/s")
                if name == Self.peerProjection, let python {
                    round.peer = try bench.pythonPeer(python: python, filled)
                    OutputLine.write("  Python peer (support): \(Int(round.peer!)) events/s")
                }
            }
            rounds.append(round)
        }
        return CatchUpComparison(rounds: rounds)
    }

    var consume: Double { BenchReport.median(rounds.map(\.consume)) }
    var decode: Double { BenchReport.median(rounds.map(\.decode)) }
    func sqlite(_ name: String) -> Double { BenchReport.median(rounds.map { $0.sqlite[name] ?? 0 }) }
    func catchUp(_ name: String) -> Double { BenchReport.median(rounds.map { $0.catchUp[name] ?? 0 }) }

    /// Per round: catch-up / min(raw consume, decoding on every core).
    func ratios(_ name: String) -> [Double] {
        rounds.map { ($0.catchUp[name] ?? 0) / min($0.consume, $0.decode) }
    }

    /// The report's section: the catch-up table, then support against the Python peer.
    func markdown(events: Int, decodeRate: Double) -> [String] {
        func format(_ value: Double) -> String { String(format: "%.2f", value) }
        func spread(_ values: [Double]) -> String { "\(format(values.min() ?? 0))–\(format(values.max() ?? 0))" }
        var lines = [
            "## Catch-up vs the smaller of raw consume and decoding on every core (\(events) events; goal ≥ 0.6)", "",
            "\(rounds.count) rounds; in each, raw consume and decoding on every core are measured first, then every projection's fold-and-write run right before its catch-up. Rates are medians over the rounds; the ratio is the median of the rounds' own ratios, with their range.",
            "",
            "Raw consume (our binding, all partitions from the beginning): **\(Int(consume)) events/s**. Decoding alone on every core (`BatchDecoder`, as the runtime decodes, records already read): **\(Int(decode)) events/s**; on one core, \(Int(decodeRate)) events/s.",
            "",
            "| projection | fold + write alone (events/s) | baseline = min (events/s) | catch-up (events/s) | ratio | rounds' range |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for projection in ProjectionBench.projections {
            let name = projection.name
            let ratios = ratios(name)
            lines.append(
                "| \(name) | \(Int(sqlite(name))) | \(Int(min(consume, decode))) | \(Int(catchUp(name))) | \(format(BenchReport.median(ratios))) | \(spread(ratios)) |"
            )
        }
        lines.append("")
        let peers = rounds.compactMap { round in round.peer.map { (round, $0) } }
        if !peers.isEmpty {
            let ours = peers.map { ($0.0.catchUp[Self.peerProjection] ?? 0) / $0.1 }
            lines += [
                "Against a Python peer doing support's projection the same way (`bench/peer_projection.py`: confluent-kafka, json, sqlite3 in WAL mode, 5,000-record batches applied in one transaction with their offsets, dedupe by order sequence), on the same events, right after support's catch-up in each round (goal: ours ≥ 4×):",
                "",
                "| projection | ours (events/s) | Python peer (events/s) | ours / peer | rounds' range |",
                "|---|---:|---:|---:|---:|",
                "| \(Self.peerProjection) | \(Int(catchUp(Self.peerProjection))) | \(Int(BenchReport.median(peers.map(\.1)))) | \(format(BenchReport.median(ours))) | \(spread(ours)) |",
                "",
            ]
        }
        lines += [
            "Fold + write alone: the projection's own fold and row writes only, 2,000 events per transaction, events decoded beforehand (for scale, not a bound). Catch-up: the runtime's rebuild path (decode on every core, dedupe by order sequence, fold consumer batches in memory up to 100,000 orders, write each changed row once in key order with the offsets in the same transaction, secondary indexes created after the load).",
            "",
        ]
        return lines
    }
}
