public import ServiceLifecycle

/// Every `interval`, returns the heap's free pages to the system (`ProcessMemory.returnFreePages`),
/// so a service's resident memory falls back after a catch-up or a replay instead of staying at
/// its busiest moment's size. Runs beside the service's other parts in its `ServiceGroup`.
public struct HeapTrimmer: Service {
    public var interval: Duration

    public init(every interval: Duration = .seconds(5)) { self.interval = interval }

    public func run() async throws {
        // Ends with the group's graceful shutdown (or cancellation), whichever comes first.
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: interval)
                ProcessMemory.returnFreePages()
            }
        }
    }
}
