import Contract

/// The questions each consumer service answers, by service name: what the services register,
/// the operator CLI asks and the dashboard links to.
public enum ConsumerQueries {
    public enum Restaurants {
        public static let queue = Query("queue", "/restaurants/{id}/queue", paged: true)
        public static let restaurants = Query("restaurants", "/restaurants", dashboardTitle: "restaurants")
        public static let stats = Query("stats", "/restaurants/{id}/stats")
        public static let all = [queue, restaurants, stats]
    }

    public enum Delivery {
        public static let couriers = Query("couriers", "/couriers", dashboardTitle: "couriers")
        public static let deliveries = Query("deliveries", "/couriers/{id}/deliveries", paged: true)
        public static let awaitingPickup = Query("awaiting-pickup", "/orders/awaiting-pickup", paged: true)
        public static let inFlight = Query("in-flight", "/deliveries/in-flight", paged: true, dashboardTitle: "in flight")
        public static let durations = Query("durations", "/deliveries/durations")
        public static let all = [couriers, deliveries, awaitingPickup, inFlight, durations]
    }

    public enum Support {
        public static let timeline = Query("timeline", "/orders/{id}/timeline")
        public static let late = Query("late", "/orders/late", paged: true, dashboardTitle: "late orders")
        public static let customer = Query("customer", "/customers/{id}/orders", paged: true)
        public static let all = [timeline, late, customer]
    }

    public enum Analytics {
        public static let perMinute = Query("per-minute", "/regions/orders-per-minute", dashboardTitle: "per minute")
        public static let summary = Query("summary", "/summary", dashboardTitle: "summary")
        public static let all = [perMinute, summary]
    }

    public static let byService: [String: [Query]] = [
        ServiceNames.restaurants: Restaurants.all, ServiceNames.delivery: Delivery.all, ServiceNames.support: Support.all,
        ServiceNames.analytics: Analytics.all,
    ]
}
