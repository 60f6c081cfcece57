/// How consumer groups are named: each consumer service is one group, named after the service
/// (its read model carries the same name), unless an operator names another. A service that also
/// decides (restaurants, delivery, orders) consumes its input topic in a second group, named after
/// the group and its job, so deciding and projecting keep their own offsets.
public enum ConsumerGroups {
    public static func group(ofService service: String, override: String? = nil) -> String { override ?? service }

    /// The group in which `group`'s decisions are taken (`restaurants` → `restaurants.decisions`).
    public static func decisions(of group: String) -> String { group + ".decisions" }

    /// The group in which `group`'s statistics are published (`analytics` → `analytics.order-stats`).
    public static func orderStats(of group: String) -> String { group + ".order-stats" }
}
