/// The dashboard's own HTTP API, which its page reads.
public enum DashboardEndpoints {
    /// The page.
    public static let page = Route(.get, "/")
    /// The latest status with its history, as JSON.
    public static let status = Route(.get, "/api/status")
    /// Each consumer service's queries worth a link: service → [[title, path]].
    public static let queries = Route(.get, "/api/queries")
    /// The status once a second, as server-sent events.
    public static let events = Route(.get, "/events")
}
