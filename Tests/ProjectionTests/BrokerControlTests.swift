import Foundation
import KafkaScenarios
import Testing

@Suite("Broker control for scenarios")
struct BrokerControlTests {
    @Test("A command without {id} is refused with an example; {id} becomes the broker's node id")
    func commandsNeedTheBrokerID() async throws {
        let refusal = #expect(throws: BrokerControlError.self) { try BrokerControl.commands([.stop: "docker compose stop kafka"]) }
        #expect(refusal?.description.contains("--stop-broker 'docker compose stop kafka-{id}'") == true)

        let file = FileManager.default.temporaryDirectory.appendingPathComponent("broker-control-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: file) }
        let control = try BrokerControl.commands([.stop: "echo stopped {id} > \(file.path)"])
        try await control.perform(.stop, broker: 2)
        #expect(try String(contentsOf: file, encoding: .utf8) == "stopped 2\n")
    }

    @Test("What cannot be done is named with the flags that would make it possible")
    func missingNamesTheFlags() async throws {
        let pauseOnly = try BrokerControl.commands([.pause: "true {id}", .resume: "true {id}"])
        #expect(pauseOnly.missing([.pause, .resume]) == nil)
        #expect(pauseOnly.missing([.stop, .start])?.contains("--stop-broker 'CMD {id}' and --start-broker 'CMD {id}'") == true)
        #expect(BrokerControl.localProcess(pid: 1).missing([.pause, .resume]) == nil)
        #expect(BrokerControl.localProcess(pid: 1).missing([.stop])?.contains("only be paused") == true)
        #expect(BrokerControl.none.missing([.pause])?.contains("--pause-broker") == true)
        await #expect(throws: BrokerControlError.self) { try await BrokerControl.none.perform(.pause, broker: 1) }
    }

    @Test("A failing command stops the scenario with its exit status and output")
    func failingCommand() async throws {
        let control = try BrokerControl.commands([.start: "echo no broker {id} >&2; exit 3"])
        let error = await #expect(throws: BrokerControlError.self) { try await control.perform(.start, broker: 7) }
        #expect(error?.description.contains("exited with 3: no broker 7") == true)
    }
}
