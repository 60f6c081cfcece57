import Contract
public import ProjectionServer

extension ProjectionServiceDefinition {
    /// `delivery`: the couriers' dispatch (`CourierDispatch`), and the delivery read model of the
    /// order-event stream, each in its own consumer group and SQLite database, with its queries over
    /// HTTP: couriers and their current assignments, orders awaiting pickup, deliveries in flight,
    /// delivery durations.
    public static let delivery = ProjectionServiceDefinition(
        name: ServiceNames.delivery, defaultPort: 8083, projection: { DeliveryProjection(name: $0) },
        queries: { DeliveryAPI().addRoutes(to: $0) },
        decider: { CourierDispatch(seed: $0, speed: $1) })
}
