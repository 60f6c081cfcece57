public import ArgumentParser
public import Logging

/// Logging for every executable: to stderr (stdout stays for the command's own output), at a
/// level chosen with `--log-level`.
public enum ServiceLogging {
    @discardableResult
    public static func bootstrap(level: Logger.Level, label: String) -> Logger {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        return Logger(label: label)
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
