import Foundation
import OrderEvents
import Projection
import SimulationControl
import SupportProjection

/// Each projection's catch-up against what bounds it, in rounds. A round measures raw consume,
/// then for each projection its raw SQLite rate right before its catch-up (and the Python peer
/// right after support's), so every ratio compares runs seconds apart. The report gives each
/// ratio's median over the rounds and its range: on a shared machine the same measurement was
/// seen to move by 1.7× within a day, and one round's ratio by ±0.15.
struct CatchUpComparison {
    struct Round {
        var consume: Double
        var sqlite: [String: Double] = [:]
        var catchUp: [String: Double] = [:]
        /// The Python peer doing support's projection on the same events (nil without a Python).
        var peer: Double?
    }

    let rounds: [Round]
    /// The projection `bench/peer_projection.py` does too (its tables, its rules).
    static let peerProjection = SupportProjection().name

    static func measure(
        _ bench: ProjectionBench, _ filled: ProjectionBench.FilledTopic, decoded: [(OrderEvent, EventPosition)], rounds count: Int,
        python: String?
    ) async throws -> CatchUpComparison {
        var rounds: [Round] = []
        for number in 1...count {
            var round = Round(consume: try await bench.rawConsume(filled))
            OutputLine.write("round \(number)/\(count): raw consume \(Int(round.consume)) events/s")
            for projection in ProjectionBench.projections {
                let name = projection.name
                round.sqlite[name] = try await bench.rawSQLite(projection, decoded)
                round.catchUp[name] = try await bench.catchUp(projection, filled).rate
                OutputLine.write(
                    "  \(name): raw SQLite \(Int(round.sqlite[name]!)) events/s, catch-up \(Int(round.catchUp[name]!)) events/s")
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
    func sqlite(_ name: String) -> Double { BenchReport.median(rounds.map { $0.sqlite[name] ?? 0 }) }
    func catchUp(_ name: String) -> Double { BenchReport.median(rounds.map { $0.catchUp[name] ?? 0 }) }

    /// Per round: catch-up / min(raw consume, raw SQLite).
    func ratios(_ name: String) -> [Double] {
        rounds.map { ($0.catchUp[name] ?? 0) / min($0.consume, $0.sqlite[name] ?? 0) }
    }

    /// The report's section: the catch-up table, then support against the Python peer.
    func markdown(events: Int, decodeRate: Double) -> [String] {
        func format(_ value: Double) -> String { String(format: "%.2f", value) }
        func spread(_ values: [Double]) -> String { "\(format(values.min() ?? 0))–\(format(values.max() ?? 0))" }
        var lines = [
            "## Catch-up vs the smaller of raw consume and raw SQLite (\(events) events; goal ≥ 0.6)", "",
            "\(rounds.count) rounds; in each, every projection's raw SQLite run comes right before its catch-up. Rates are medians over the rounds; the ratio is the median of the rounds' own ratios, with their range.",
            "",
            "Raw consume (our binding, all partitions from the beginning): **\(Int(consume)) events/s**. For scale: decoding the events alone (strict `OrderEventCodec`, one core) runs at \(Int(decodeRate)) events/s.",
            "",
            "| projection | raw SQLite upserts (events/s) | baseline = min (events/s) | catch-up (events/s) | ratio | rounds' range |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for projection in ProjectionBench.projections {
            let name = projection.name
            let ratios = ratios(name)
            lines.append(
                "| \(name) | \(Int(sqlite(name))) | \(Int(min(consume, sqlite(name)))) | \(Int(catchUp(name))) | \(format(BenchReport.median(ratios))) | \(spread(ratios)) |"
            )
        }
        lines.append("")
        let peers = rounds.compactMap { round in round.peer.map { (round, $0) } }
        if !peers.isEmpty {
            let ours = peers.map { ($0.0.catchUp[Self.peerProjection] ?? 0) / $0.1 }
            let ceilings = peers.map { ($0.0.sqlite[Self.peerProjection] ?? 0) / $0.1 }
            lines += [
                "Against a Python peer doing support's projection the same way (`bench/peer_projection.py`: confluent-kafka, json, sqlite3 in WAL mode, 5,000-record batches applied in one transaction with their offsets, dedupe by order sequence), on the same events, right after support's catch-up in each round (goal: ours ≥ 3×). The last column bounds that ratio on this machine: no runtime applies events faster than SQLite alone, so ours / peer can be at most support's raw SQLite rate over the peer's:",
                "",
                "| projection | ours (events/s) | Python peer (events/s) | ours / peer | rounds' range | raw SQLite / peer (ceiling) |",
                "|---|---:|---:|---:|---:|---:|",
                "| \(Self.peerProjection) | \(Int(catchUp(Self.peerProjection))) | \(Int(BenchReport.median(peers.map(\.1)))) | \(format(BenchReport.median(ours))) | \(spread(ours)) | \(format(BenchReport.median(ceilings))) |",
                "",
            ]
        }
        lines += [
            "Raw SQLite: the projection's own upserts only, 2,000 per transaction, events decoded beforehand. Catch-up: the runtime's replay path (decode, dedupe by order sequence, upserts, offsets stored in the same transaction, 5,000-record batches).",
            "",
        ]
        return lines
    }
}
