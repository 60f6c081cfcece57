import Foundation
import OrderEvents
import Testing

/// The wire format, pinned: one golden file per event type and schema version. A change that
/// alters the bytes of a published event fails here. To accept a deliberate change of the
/// *current* version's goldens, run with UPDATE_GOLDEN=1 and review the diff; version 1 files are
/// history and never regenerate.
@Suite("Golden wire format")
struct GoldenFileTests {
    static let sourceDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    static func golden(_ version: Int, _ type: OrderEventType) throws -> [UInt8] {
        let name = "v\(version)/\(type.rawValue).json"
        let url = try #require(Bundle.module.url(forResource: "Golden/\(name)", withExtension: nil), "missing golden file \(name)")
        return Array(try Data(contentsOf: url)).dropLastNewline()
    }

    @Test("Version 2 (current): encoding every event type gives exactly its golden bytes", arguments: OrderEventType.allCases)
    func currentVersion(type: OrderEventType) throws {
        let event = OrderEventFixtures.event(type)
        let encoded = OrderEventCodec.encode(event)
        if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" {
            let url = Self.sourceDirectory.appendingPathComponent("v2/\(type.rawValue).json")
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(encoded + [UInt8(ascii: "\n")]).write(to: url)
        }
        let golden = try Self.golden(2, type)
        #expect(String(decoding: encoded, as: UTF8.self) == String(decoding: golden, as: UTF8.self))
        #expect(try OrderEventCodec.decode(golden) == event)
    }

    @Test("Version 1 (history): every event type still decodes, upcast to the current model", arguments: OrderEventType.allCases)
    func versionOne(type: OrderEventType) throws {
        let golden = try Self.golden(1, type)
        let upcast = try OrderEventCodec.decode(golden)
        #expect(upcast == OrderEventFixtures.event(type))
        // Re-encoding writes the current version.
        #expect(String(decoding: OrderEventCodec.encode(upcast), as: UTF8.self).contains(#""schemaVersion":2"#))
    }
}

extension [UInt8] {
    fileprivate func dropLastNewline() -> [UInt8] { last == UInt8(ascii: "\n") ? Array(dropLast()) : self }
}
