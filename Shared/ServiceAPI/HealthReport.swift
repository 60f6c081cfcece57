/// What `/health` answers: overall status and one line per check, so a person (or a
/// Kubernetes probe) sees *why* a service is unhealthy.
public struct HealthReport: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable, Comparable {
        case ok, degraded, unhealthy

        public static func < (lhs: Self, rhs: Self) -> Bool {
            let order: [Status] = [.ok, .degraded, .unhealthy]
            return order.firstIndex(of: lhs)! < order.firstIndex(of: rhs)!
        }
    }

    public struct Check: Codable, Sendable, Equatable {
        public var name: String
        public var status: Status
        public var detail: String

        public init(name: String, status: Status, detail: String) {
            self.name = name
            self.status = status
            self.detail = detail
        }
    }

    public var status: Status
    public var checks: [Check]

    public init(checks: [Check]) {
        self.checks = checks
        status = checks.map(\.status).max() ?? .ok
    }
}
