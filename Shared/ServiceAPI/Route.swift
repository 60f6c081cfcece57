import Foundation

/// One HTTP endpoint of a service: its method and path, spelled once for the service that serves
/// it and for everyone who calls it (a peer instance, the operator CLI, the dashboard).
public struct Route: Sendable, Hashable, CustomStringConvertible {
    public enum Method: String, Sendable {
        case get = "GET"
        case post = "POST"
    }

    public let method: Method
    /// The path with `{name}` for each parameter, as OpenAPI writes it: `/orders/{id}/timeline`.
    public let template: String

    public init(_ method: Method, _ template: String) {
        self.method = method
        self.template = template
    }

    /// The path as Hummingbird's router matches it: `/orders/:id/timeline`.
    public var routerPath: String {
        template.split(separator: "/", omittingEmptySubsequences: false).map { segment in
            segment.hasPrefix("{") && segment.hasSuffix("}") ? ":" + segment.dropFirst().dropLast() : segment
        }.joined(separator: "/")
    }

    /// The names of the path's parameters, in order.
    public var parameters: [String] {
        template.split(separator: "/").filter { $0.hasPrefix("{") && $0.hasSuffix("}") }.map { String($0.dropFirst().dropLast()) }
    }

    /// The path with `values` in place of the parameters, in order, each percent-encoded.
    public func path(_ values: String...) -> String { path(values) }

    /// The path with `values` in place of the parameters, in order, each percent-encoded.
    public func path(_ values: [String]) -> String {
        var remaining = values[...]
        return template.split(separator: "/", omittingEmptySubsequences: false).map { segment -> String in
            guard segment.hasPrefix("{") && segment.hasSuffix("}"), let value = remaining.popFirst() else { return String(segment) }
            return value.addingPercentEncoding(withAllowedCharacters: Self.unreserved) ?? value
        }.joined(separator: "/")
    }

    public var description: String { "\(method.rawValue) \(template)" }

    private static let unreserved = CharacterSet.alphanumerics.union(["-", "_", ".", "~"])
}
