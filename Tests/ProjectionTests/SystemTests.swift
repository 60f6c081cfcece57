import Testing

/// The system tests: the real executables as child processes (each service, `orders`, `up` with
/// its own broker, a browser) under kills, scaling and load. They run one at a time — each starts
/// several processes, and run together on a 2-core machine they starve each other's timing (a
/// consumer missing its heartbeats is evicted, a measured rate is the scheduler's) — while the
/// lighter suites run beside them.
@Suite("System", .serialized)
struct SystemTests {}
