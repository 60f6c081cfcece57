/// How a set of orders stands: how many there are, how many are still on their way, and how many
/// ended each way (with what the delivered ones came to).
public struct OrderCounts: Codable, Sendable, Hashable {
    public var orders = 0
    public var inFlight = 0
    public var delivered = 0
    public var rejected = 0
    public var cancelled = 0
    public var deliveryFailed = 0
    /// What the delivered orders came to, in cents.
    public var deliveredCents = 0

    public init() {}

    /// Counts one order that stands at `status` and came to `totalCents` (`sign` -1 takes it away).
    public mutating func count(_ status: OrderStatus, totalCents: Int, sign: Int = 1) {
        orders += sign
        switch status {
        case .delivered:
            delivered += sign
            deliveredCents += sign * totalCents
        case .rejected: rejected += sign
        case .cancelled: cancelled += sign
        case .deliveryFailed: deliveryFailed += sign
        default: inFlight += sign
        }
    }

    public static func + (lhs: Self, rhs: Self) -> Self {
        var sum = lhs
        sum.orders += rhs.orders
        sum.inFlight += rhs.inFlight
        sum.delivered += rhs.delivered
        sum.rejected += rhs.rejected
        sum.cancelled += rhs.cancelled
        sum.deliveryFailed += rhs.deliveryFailed
        sum.deliveredCents += rhs.deliveredCents
        return sum
    }
}
