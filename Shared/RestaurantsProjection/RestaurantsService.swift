import Contract
public import ProjectionServer

extension ProjectionServiceDefinition {
    /// `restaurants`: the kitchens' decisions (`KitchenDecider`), and the restaurants read model of
    /// the order-event stream, each in its own consumer group and SQLite database, with its queries
    /// over HTTP: each restaurant's queue of open orders, acceptance and rejection counts,
    /// preparation times.
    public static let restaurants = ProjectionServiceDefinition(
        name: ServiceNames.restaurants, defaultPort: 8082, projection: { RestaurantsProjection(name: $0) },
        queries: { RestaurantsAPI().addRoutes(to: $0) }, decider: { KitchenDecider(seed: $0, speed: $1) })
}
