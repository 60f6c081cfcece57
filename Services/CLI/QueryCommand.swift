import ArgumentParser
import Foundation

/// `query <service> <question> [id]`: the projections' main questions, as tables (`--json` raw).
struct QueryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract:
            "Ask a service's projection: timeline <order>, late, customer <id>, queue <restaurant>, restaurants, couriers, deliveries <courier>, awaiting-pickup, in-flight, durations, per-minute, summary."
    )

    @OptionGroup var simulation: SimulationOptions
    @Argument(help: "restaurants, delivery, support or analytics.") var service: String
    @Argument(help: "The question (see the command's abstract).") var question: String
    @Argument(help: "The id the question needs.") var id: String?
    @Option(help: "At most this many rows.") var limit = 20
    @Flag(help: "Print the service's JSON answer.") var json = false

    static let questions: [String: [String: String]] = [
        "support": ["timeline": "/orders/{id}/timeline", "late": "/orders/late", "customer": "/customers/{id}/orders"],
        "restaurants": ["queue": "/restaurants/{id}/queue", "restaurants": "/restaurants", "stats": "/restaurants/{id}/stats"],
        "delivery": [
            "couriers": "/couriers", "deliveries": "/couriers/{id}/deliveries", "awaiting-pickup": "/orders/awaiting-pickup",
            "in-flight": "/deliveries/in-flight", "durations": "/deliveries/durations",
        ],
        "analytics": ["per-minute": "/regions/orders-per-minute", "summary": "/summary"],
    ]

    func run() async throws {
        guard let questions = Self.questions[service] else {
            throw CLIError("query works on \(Self.questions.keys.sorted().joined(separator: ", "))")
        }
        guard var path = questions[question] else {
            throw CLIError("\(service) answers: \(questions.keys.sorted().joined(separator: ", "))")
        }
        if path.contains("{id}") {
            guard let id, !id.isEmpty else {
                throw CLIError("`query \(service) \(question)` needs an id, e.g. `fooddelivery query \(service) \(question) <id>`")
            }
            path = path.replacingOccurrences(
                of: "{id}", with: id.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(["-", "_"])) ?? id)
        }
        if path.hasSuffix("/late") || path.hasSuffix("/orders") || path.hasSuffix("/queue") || path.hasSuffix("/deliveries")
            || path.hasSuffix("pickup") || path.hasSuffix("in-flight")
        {
            path += "?limit=\(limit)"
        }
        // Longer than a service waits for a peer (5 s), so a peer that never answers comes back as
        // the service's own 503 with its explanation rather than as a timeout here.
        var client = try simulation.load().service(service).client
        client.timeout = 10
        let data = try await client.send(path)
        OutputLine.write(json ? String(decoding: data, as: UTF8.self) : TableRenderer.render(json: data, limit: limit))
    }
}
