import Foundation
public import Logging

/// Ends a service whose supervisor is gone. `fooddelivery up` starts the services as separate
/// processes; if `up` itself is SIGKILLed it cannot stop them, so each watches it
/// (`--supervisor-pid`) and shuts down gracefully when it disappears — forcibly after a grace
/// period, since a graceful shutdown may wait for a broker that went down with the supervisor.
public enum SupervisorWatch {
    public static func start(pid: Int32?, logger: Logger, grace: Duration = .seconds(20)) {
        guard let pid, pid > 0 else { return }
        Task.detached {
            while kill(pid, 0) == 0 || errno == EPERM {
                try? await Task.sleep(for: .seconds(1))
            }
            logger.warning("supervisor (pid \(pid)) is gone: shutting down")
            kill(getpid(), SIGTERM)
            try? await Task.sleep(for: grace)
            logger.error("still running \(grace) after the supervisor went away: exiting")
            exit(1)
        }
    }
}
