import Contract
public import ProjectionServer

extension ProjectionServiceDefinition {
    /// `support`: the support read model of the order-event stream, in its own consumer group and
    /// SQLite database, and its queries over HTTP: every order's full timeline (with partition and offset), late orders, a customer's orders.
    public static let support = ProjectionServiceDefinition(
        name: ServiceNames.support, defaultPort: 8084, projection: { SupportProjection(name: $0) },
        queries: {
            SupportAPI().addRoutes(to: $0)
            SupportTracking().addRoutes(to: $0)
        })
}
