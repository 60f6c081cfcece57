import ArgumentParser
import Foundation
import Kafka
import SimulationControl

/// `keys <key>`: where a key lands, and why.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "keys", abstract: "Show which partition a key lands on, and why.")

    @Argument(help: "Keys (order ids), e.g. ord-1-000042.") var keys: [String]
    @Option(help: "Partitions of the topic.") var partitions = 6

    func run() async throws {
        guard partitions > 0 else { throw ValidationError("--partitions must be at least 1") }
        for key in keys {
            let hash = KafkaPartitioner.murmur2(key.utf8)
            OutputLine.write(
                "\(key) → partition \(KafkaPartitioner.partition(forKey: key, partitions: partitions)): murmur2 = 0x\(String(hash, radix: 16)), without its sign bit \(hash & 0x7fff_ffff), mod \(partitions)"
            )
        }
        OutputLine.write(
            "Every event of one order has the same key, so it lands on the same partition, in order; adding partitions moves keys.")
    }
}
