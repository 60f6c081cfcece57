import Foundation
public import Hummingbird
public import Projection

/// `/offsets` (stored offsets, log end, lag and last event time per partition, and the
/// assignment), `/instance` (for peers), and `/replay` (rebuild into a shadow database, compare,
/// swap; `GET` shows the one in flight).
struct OperationsRoutes: Sendable {
    let runner: ProjectionRunner
    let replay: ProjectionReplay
    let groupWatch: GroupWatch
    let instance: @Sendable () async -> InstanceInfo

    struct OffsetsResponse: ResponseEncodable, Decodable {
        var group: String
        var assignment: [Int32]
        var partitions: [ProjectionRunner.PartitionReport]
        /// The lag of the partitions this instance owns.
        var totalLag: Int64?
        /// The lag of every partition of the topic, owned by this instance, another, or nobody
        /// (nil while the group view is not known).
        var groupLag: Int64?
        var counts: ProjectionRunner.Counters
        /// The whole group as this member sees it: owners, positions and lag of every partition.
        var groupView: GroupView?
        /// How often this member left and rejoined its group because partitions had no owner.
        var rejoins: Int
    }

    struct ReplayProgress: ResponseEncodable {
        var running: Bool
        var progress: ProjectionRebuild.Progress?
    }

    func add(to router: Router<BasicRequestContext>) {
        router.get("/offsets") { _, _ in
            let partitions = try await runner.offsetsReport()
            let lags = partitions.filter(\.assigned).compactMap(\.lag)
            let view = groupWatch.view
            return OffsetsResponse(
                group: runner.database.projection.name, assignment: runner.assignment.map(\.partition), partitions: partitions,
                totalLag: lags.isEmpty ? nil : lags.reduce(0, +), groupLag: view?.totalLag, counts: runner.counts, groupView: view,
                rejoins: groupWatch.rejoins.count)
        }
        router.get("/instance") { _, _ in await instance() }
        router.get("/replay") { _, _ in ReplayProgress(running: replay.progress != nil, progress: replay.progress) }
        router.post("/replay") { request, _ -> ProjectionReplay.Report in
            let from = request.uri.queryParameters.get("from") ?? "earliest"
            let start: ReplayStart
            do {
                start = try ReplayStart(parsing: from)
            } catch let error as ReplayStartError {
                throw HTTPError(.badRequest, message: error.description)
            }
            let swapText = request.uri.queryParameters.get("swap") ?? "when-equal"
            guard let swap = ProjectionReplay.SwapPolicy(rawValue: swapText) else {
                throw HTTPError(.badRequest, message: "swap must be never, when-equal or always")
            }
            do {
                return try await replay.run(from: start, swap: swap)
            } catch let error as ProjectionReplay.AlreadyRunning {
                throw HTTPError(.conflict, message: error.description)
            } catch let error as ReplayAheadOfLive {
                throw HTTPError(.conflict, message: error.description)
            } catch let error as HTTPError {
                throw error
            } catch {
                throw HTTPError(.internalServerError, message: "the replay failed, the live projection is unchanged: \(error)")
            }
        }
    }
}

extension InstanceInfo: ResponseEncodable {}
extension ProjectionReplay.Report: ResponseEncodable {}
