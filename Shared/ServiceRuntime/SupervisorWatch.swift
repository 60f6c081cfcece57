import Foundation
public import Logging
public import ServiceLifecycle

/// Ends a service whose supervisor is gone. `fooddelivery up` starts the services as separate
/// processes; if `up` itself is SIGKILLed it cannot stop them, so each watches it
/// (`--supervisor-pid`) with this `Service`, which returns when the supervisor disappears. Added
/// to a `ServiceGroup` through `configurations(pid:logger:)`, its return shuts the group down
/// gracefully; the group's bounded shutdown (`ServiceGroupConfiguration.bounded`) makes sure the
/// process ends even when that waits for a broker that went down with the supervisor.
public struct SupervisorWatch: Service {
    public let pid: Int32
    let logger: Logger

    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while kill(pid, 0) == 0 || errno == EPERM {
                try await Task.sleep(for: .seconds(1))
            }
            logger.warning("supervisor (pid \(pid)) is gone: shutting down")
        }
    }

    /// The watch as a group member, when there is a supervisor to watch.
    public static func configurations(pid: Int32?, logger: Logger) -> [ServiceGroupConfiguration.ServiceConfiguration] {
        guard let pid, pid > 0 else { return [] }
        return [.init(service: SupervisorWatch(pid: pid, logger: logger), successTerminationBehavior: .gracefullyShutdownGroup)]
    }
}

extension ServiceGroupConfiguration {
    /// How long a service takes at most to stop: graceful, then cancelled. Together they stay
    /// under the 30 s that compose and Kubernetes give a container to stop before SIGKILL
    /// (stop_grace_period, terminationGracePeriodSeconds), so a service ends itself first.
    public static let shutdownBound = (graceful: Duration.seconds(20), cancellation: Duration.seconds(5))

    /// A service's group: graceful shutdown on SIGTERM and SIGINT, bounded in time. A graceful
    /// shutdown that waits longer than `graceful` (for a broker that does not answer) is turned
    /// into cancellation, and a cancellation that takes longer than `cancellation` ends the process.
    public static func bounded(
        services: [ServiceConfiguration], logger: Logger, graceful: Duration = shutdownBound.graceful,
        cancellation: Duration = shutdownBound.cancellation
    ) -> ServiceGroupConfiguration {
        var configuration = ServiceGroupConfiguration(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        configuration.maximumGracefulShutdownDuration = graceful
        configuration.maximumCancellationDuration = cancellation
        return configuration
    }
}
