import Foundation

/// Writes whole lines to stdout immediately (no stdio buffering), so a parent process reading a
/// pipe sees each line as it happens, even if this process is then killed.
package enum OutputLine {
    package static func write(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    /// One JSON object per line, keys sorted.
    package static func json(_ object: [String: any Sendable]) {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        write(String(decoding: data, as: UTF8.self))
    }
}
