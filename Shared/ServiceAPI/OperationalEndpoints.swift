/// The endpoints every service has: health for people and readiness probes, liveness, metrics.
public enum OperationalEndpoints {
    /// `HealthReport`; 503 when unhealthy.
    public static let health = Route(.get, "/health")
    /// 200 while the process serves HTTP at all (a liveness probe).
    public static let live = Route(.get, "/live")
    /// Prometheus text.
    public static let metrics = Route(.get, "/metrics")
}
