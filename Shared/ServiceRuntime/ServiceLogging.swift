public import ArgumentParser
public import Logging

/// Logging for every executable: to stderr (stdout stays for the command's own output), at a
/// level chosen with `--log-level`, as text for people or JSON for collectors (`--log-format`).
public enum ServiceLogging {
    public enum Format: String, Sendable, Codable, CaseIterable, ExpressibleByArgument {
        case text, json
    }

    @discardableResult
    public static func bootstrap(level: Logger.Level, label: String, format: Format = .text) -> Logger {
        LoggingSystem.bootstrap { label in
            switch format {
            case .text:
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            case .json:
                var handler = JSONLogHandler(label: label)
                handler.logLevel = level
                return handler
            }
        }
        return Logger(label: label)
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
