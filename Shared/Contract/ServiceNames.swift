/// The system's services, named once. Each name is an executable, the default consumer group of
/// its read model (`ConsumerGroups`), a section of the run file and, for the services that decide,
/// the producer that signs their messages (`orders`, `restaurants/<instance>`, …).
public enum ServiceNames {
    public static let orders = "orders"
    public static let restaurants = "restaurants"
    public static let delivery = "delivery"
    public static let support = "support"
    public static let analytics = "analytics"

    /// The services that consume the order-event stream into a read model.
    public static let consumers = [restaurants, delivery, support, analytics]
    /// Every service, `orders` first.
    public static let all = [orders] + consumers
    /// The services that take part in the choreography: each keeps simulated time and a seed.
    public static let deciders = [orders, restaurants, delivery]
}
