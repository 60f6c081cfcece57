import Dispatch
import Foundation
import ServiceRuntime

/// How a scenario stops, starts, pauses and resumes one broker of the cluster it runs against:
/// signals to the local broker's process, or the operator's commands (`--stop-broker` and the
/// rest) with `{id}` replaced by the broker's node id. What it cannot do, it says, naming the flag
/// that would make it possible.
package struct BrokerControl: Sendable {
    package enum Action: String, Sendable, CaseIterable {
        /// The broker is gone: its connections close, its partitions need new leaders.
        case stop
        case start
        /// The broker is frozen (SIGSTOP): its sockets stay open but nothing answers.
        case pause
        case resume

        /// The `scenario` flag that supplies the command for this action.
        package var flag: String { "--\(rawValue)-broker" }
    }

    private enum Method: Sendable {
        case none
        /// The one local broker: pause and resume by signal. Stopping it would lose every topic
        /// (it keeps them in memory), so it is not offered.
        case localProcess(pid: Int32)
        /// Shell commands per action; `{id}` stands for the broker's node id.
        case commands([Action: String])
    }

    private let method: Method

    /// No way to touch the brokers.
    package static let none = BrokerControl(method: .none)

    /// Pauses and resumes the local broker's process by signal.
    package static func localProcess(pid: Int32) -> BrokerControl { BrokerControl(method: .localProcess(pid: pid)) }

    /// Runs the operator's command for each action given; throws when a command lacks `{id}`.
    package static func commands(_ commands: [Action: String]) throws -> BrokerControl {
        for (action, command) in commands where !command.contains("{id}") {
            throw BrokerControlError(
                "\(action.flag) '\(command)' has no {id}: write where the broker's node id goes, e.g. \(action.flag) 'docker compose \(action == .resume ? "unpause" : action.rawValue) kafka-{id}'"
            )
        }
        return BrokerControl(method: commands.isEmpty ? .none : .commands(commands))
    }

    /// Whether `action` can be done.
    package func can(_ action: Action) -> Bool {
        switch method {
        case .none: false
        case .localProcess: action == .pause || action == .resume
        case .commands(let commands): commands[action] != nil
        }
    }

    /// Why `actions` cannot all be done, naming the flags to give; nil when they can.
    package func missing(_ actions: [Action]) -> String? {
        let missing = actions.filter { !can($0) }
        guard !missing.isEmpty else { return nil }
        if case .localProcess = method, missing.contains(.stop) || missing.contains(.start) {
            return
                "the local broker can only be paused (it keeps topics in memory, so stopping it loses them); run against a cluster with --brokers and give \(missing.map(\.flag).joined(separator: ", "))"
        }
        return
            "no way to \(missing.map(\.rawValue).joined(separator: "/")) a broker: give \(missing.map { "\($0.flag) 'CMD {id}'" }.joined(separator: " and "))"
    }

    /// How long an operator's command may take (a broker's shutdown included).
    static let commandLimit = Duration.seconds(120)

    /// Does `action` to broker `id`, returning when its command has finished (a started broker
    /// may still be joining the cluster: callers watch the metadata for that).
    package func perform(_ action: Action, broker id: Int32) async throws {
        switch method {
        case .none:
            throw BrokerControlError(missing([action]) ?? "cannot \(action.rawValue) broker \(id)")
        case .localProcess(let pid):
            guard action == .pause || action == .resume else { throw BrokerControlError(missing([action]) ?? "") }
            guard kill(pid, action == .pause ? SIGSTOP : SIGCONT) == 0 else {
                throw BrokerControlError("could not \(action.rawValue) the local broker (pid \(pid)): \(String(cString: strerror(errno)))")
            }
        case .commands(let commands):
            guard let template = commands[action] else { throw BrokerControlError(missing([action]) ?? "") }
            let command = template.replacingOccurrences(of: "{id}", with: String(id))
            // The command may take seconds (docker compose stop waits for the broker to shut
            // down): it runs on a thread that may block, not on Swift's cooperative pool.
            let run = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<ProgramRun, any Error>) in
                DispatchQueue.global().async {
                    continuation.resume(
                        with: Result {
                            try ProgramRun(
                                "/usr/bin/timeout",
                                ["--kill-after=5", String(Self.commandLimit.components.seconds), "/bin/sh", "-c", command])
                        })
                }
            }
            // timeout(1) exits with 124 when the command ran out of time.
            guard run.status != 124 else {
                throw BrokerControlError(
                    "\(action.flag) command `\(command)` did not finish within \(Self.commandLimit): check it by hand, then run the scenario again"
                )
            }
            guard run.status == 0 else {
                throw BrokerControlError(
                    "\(action.flag) command `\(command)` exited with \(run.status): \(run.output.suffix(300)); check it by hand, then run the scenario again"
                )
            }
        }
    }
}

package struct BrokerControlError: Error, CustomStringConvertible {
    package let description: String
    package init(_ description: String) { self.description = description }
}
