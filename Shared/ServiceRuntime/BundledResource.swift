public import Foundation

/// A resource file of one of this package's modules, read from the module's resource bundle
/// beside the executable (`<package>_<module>.resources`, which a deployment copies along with
/// it). A missing file throws with what to do, where SwiftPM's own `Bundle.module` would stop the
/// process.
public enum BundledResource {
    public struct Missing: Error, CustomStringConvertible {
        public let description: String
    }

    public static func data(module: String, file: String) throws(Missing) -> Data {
        let bundle = Bundle.main.bundleURL.appendingPathComponent("fooddelivery_\(module).resources")
        let path = bundle.appendingPathComponent(file).path
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Missing(
                description:
                    "\(path) is missing: the \(module) module's resources must sit beside the executable (copy \(bundle.lastPathComponent) along with it)"
            )
        }
        return data
    }

    /// The resource as text, with each `/*name*/""` placeholder replaced by `values[name]` as a
    /// JSON string (how a page learns the routes it reads from the service's API description), and
    /// each `/*name*/[]` by `lists[name]` as a JSON array of arrays of strings.
    public static func page(module: String, file: String, values: [String: String], lists: [String: [[String]]] = [:]) throws -> Data {
        var text = String(decoding: try data(module: module, file: file), as: UTF8.self)
        for (name, value) in values {
            let json = String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
            text = text.replacingOccurrences(of: "/*\(name)*/\"\"", with: json)
        }
        for (name, list) in lists {
            let json = String(decoding: try JSONEncoder().encode(list), as: UTF8.self)
            text = text.replacingOccurrences(of: "/*\(name)*/[]", with: json)
        }
        return Data(text.utf8)
    }
}
