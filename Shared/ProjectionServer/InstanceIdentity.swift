import ArgumentParser
import Foundation

/// An instance's identity when the operator gave none (`--instance-id`): a random id written to
/// its data directory the first time, and read back on every restart, so it is stable across
/// restarts of the instance and different from every other instance's.
enum InstanceIdentity {
    static let fileName = "instance-id"

    static func kept(in directory: String) throws -> String {
        let path = (directory as NSString).appendingPathComponent(fileName)
        if let kept = try? String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines), !kept.isEmpty {
            return kept
        }
        let id = String(UUID().uuidString.lowercased().prefix(8))
        do {
            try id.write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw ValidationError("cannot write \(path) (\(error.localizedDescription)): pass a writable --data-dir, or an --instance-id")
        }
        return id
    }
}
