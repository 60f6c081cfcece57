import Foundation

/// Writes whole lines to stdout immediately (no stdio buffering), so a parent process reading a
/// pipe sees each line as it happens, even if this process is then killed.
package enum OutputLine {
    package static func write(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    /// A value as indented JSON, keys sorted (a command's `--json` answer).
    package static func pretty(_ value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        write(String(decoding: try encoder.encode(value), as: UTF8.self))
    }

    /// One JSON object per line, keys sorted.
    package static func json(_ object: [String: any Sendable]) {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        write(String(decoding: data, as: UTF8.self))
    }
}
