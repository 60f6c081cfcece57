public import OrderEvents

extension OrderEvent {
    /// This event's time (ms since 1970) when it is of `type`, else nil: projections record
    /// "when did X happen" with `COALESCE(column, excluded.column)`, so the first time wins and
    /// every other event leaves it alone.
    public func milliseconds(ifType type: OrderEventType) -> Int64? {
        self.type == type ? Timestamp.milliseconds(occurredAt) : nil
    }

    /// This event's time when it finishes the order, else nil.
    public var finishedAt: Int64? { order.status.isTerminal ? Timestamp.milliseconds(occurredAt) : nil }

    public var occurredAtMilliseconds: Int64 { Timestamp.milliseconds(occurredAt) }
}
