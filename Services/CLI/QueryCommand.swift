import ArgumentParser
import Foundation
import ServiceAPI
import SimulationControl

/// `query <service> <question> [id]`: the projections' main questions, as tables (`--json` raw).
struct QueryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Ask a service's projection.",
        discussion: ConsumerQueries.byService.keys.sorted().map { service in
            "\(service): "
                + ConsumerQueries.byService[service, default: []].map { $0.needsID ? "\($0.name) <id>" : $0.name }.joined(
                    separator: ", ")
        }.joined(separator: "\n")
    )

    @OptionGroup var cluster: ClusterOptions
    @Argument(help: "restaurants, delivery, support or analytics.") var service: String
    @Argument(help: "The question (see below).") var question: String
    @Argument(help: "The id the question needs.") var id: String?
    @Option(help: "At most this many rows.") var limit = 20
    @Flag(help: "Print the service's JSON answer.") var json = false

    func run() async throws {
        guard let questions = ConsumerQueries.byService[service] else {
            throw CLIError("query works on \(ConsumerQueries.byService.keys.sorted().joined(separator: ", "))")
        }
        guard let query = questions.first(where: { $0.name == question }) else {
            throw CLIError("\(service) answers: \(questions.map(\.name).joined(separator: ", "))")
        }
        var values: [String] = []
        if query.needsID {
            guard let id, !id.isEmpty else {
                throw CLIError("`query \(service) \(question)` needs an id, e.g. `fooddelivery query \(service) \(question) <id>`")
            }
            values = [id]
        }
        // Longer than a service waits for a peer (5 s), so a peer that never answers comes back as
        // the service's own 503 with its explanation rather than as a timeout here.
        let client = try cluster.run().service(service).client.with(timeout: 10)
        let data = try await client.send(query.route, values, query: query.paged ? "limit=\(limit)" : nil)
        OutputLine.write(json ? String(decoding: data, as: UTF8.self) : TableRenderer.render(json: data, limit: limit))
    }
}
