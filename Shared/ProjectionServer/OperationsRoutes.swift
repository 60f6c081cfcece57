import Foundation
public import Hummingbird
import Projection
import ServiceAPI
import ServiceRuntime

/// `/offsets` (stored offsets, log end, lag and last event time per partition, and the
/// assignment), `/instance` (for peers), and `/replay` (rebuild into a shadow database, compare,
/// swap; `GET` shows the one in flight). `POST /replay` takes the operator token when one is
/// configured.
struct OperationsRoutes: Sendable {
    let runner: ProjectionRunner
    let replay: ProjectionReplay
    let groupWatch: GroupWatch
    let instance: @Sendable () async -> InstanceInfo
    let operatorToken: OperatorToken

    func add(to router: Router<BasicRequestContext>) {
        router.on(ProjectionEndpoints.offsets) { _, _ in
            let partitions = try await runner.offsetsReport()
            let lags = partitions.filter(\.assigned).compactMap(\.lag)
            let view = groupWatch.view
            return OffsetsReport(
                group: runner.database.projection.name, assignment: runner.assignment.map(\.partition), partitions: partitions,
                totalLag: lags.isEmpty ? nil : lags.reduce(0, +), groupLag: view?.totalLag, counts: runner.counts, groupView: view,
                rejoins: groupWatch.rejoins.count)
        }
        router.on(ProjectionEndpoints.instance) { _, _ in await instance() }
        router.on(ProjectionEndpoints.replayState) { _, _ in
            ReplayState(running: replay.progress != nil, progress: replay.progress)
        }
        router.on(ProjectionEndpoints.replay) { request, _ -> ReplayReport in
            try operatorToken.authorize(request, to: "\(ProjectionEndpoints.replay)")
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
extension OffsetsReport: ResponseEncodable {}
extension ReplayReport: ResponseEncodable {}
extension ReplayState: ResponseEncodable {}
