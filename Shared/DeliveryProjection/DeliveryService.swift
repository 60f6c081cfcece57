public import ProjectionServer

extension ProjectionServiceDefinition {
    /// `delivery`: the delivery read model of the order-event stream, in its own consumer group and
    /// SQLite database, and its queries over HTTP: couriers and their current assignments, orders awaiting pickup, deliveries in flight, delivery durations.
    public static let delivery = ProjectionServiceDefinition(
        name: "delivery", defaultPort: 8083, projection: { DeliveryProjection(name: $0) }, queries: { DeliveryAPI().addRoutes(to: $0) })
}
