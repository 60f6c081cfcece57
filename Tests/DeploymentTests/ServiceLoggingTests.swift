import Foundation
import Logging
import ServiceRuntime
import Synchronization
import Testing

/// `--log-format json`: one JSON object per line, the record's metadata as fields.
@Suite("Service logging")
struct ServiceLoggingTests {
    @Test("A JSON log record is one line of one object: time, level, label, message, source and the metadata as fields")
    func jsonLines() throws {
        let lines = Mutex<[Data]>([])
        var handler = JSONLogHandler(label: "support", metadataProvider: nil) { line in lines.withLock { $0.append(line) } }
        handler.logLevel = .info
        handler[metadataKey: "group"] = "support"
        let logger = Logger(label: "support") { _ in handler }
        logger.debug("not at this level")
        logger.warning("dead-lettering t[0]@7: \"quoted\"\nand a second line", metadata: ["trace_id": "4bf92f3577b34da6a3ce929d0e0e4736"])
        let written = lines.withLock { $0 }
        #expect(written.count == 1)
        let text = String(decoding: written[0], as: UTF8.self)
        #expect(text.hasSuffix("\n") && text.dropLast().contains("\n") == false, "one line: \(text)")
        let object = try #require(try JSONSerialization.jsonObject(with: written[0]) as? [String: Any])
        #expect(object["level"] as? String == "warning" && object["label"] as? String == "support")
        #expect(object["message"] as? String == "dead-lettering t[0]@7: \"quoted\"\nand a second line")
        #expect(object["trace_id"] as? String == "4bf92f3577b34da6a3ce929d0e0e4736" && object["group"] as? String == "support")
        #expect(
            (object["time"] as? String)?.wholeMatch(of: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/) != nil, "\(object["time"] ?? "")")
    }
}
