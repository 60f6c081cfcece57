import Foundation

/// Prints a service's JSON answer as a table: the first list in it becomes rows (scalar fields as
/// columns); other scalar fields are printed above as `name: value`.
enum TableRenderer {
    static func render(json data: Data, limit: Int) -> String {
        guard let object = try? JSONSerialization.jsonObject(with: data) else { return String(decoding: data, as: UTF8.self) }
        var lines: [String] = []
        var rows: [[String: Any]] = []
        if let list = object as? [[String: Any]] {
            rows = list
        } else if let dictionary = object as? [String: Any] {
            for (key, value) in dictionary.sorted(by: { $0.key < $1.key }) {
                if let list = value as? [[String: Any]], rows.isEmpty {
                    rows = list
                } else if let nested = value as? [String: Any] {
                    let scalars = nested.sorted { $0.key < $1.key }.compactMap { entry in scalar(entry.value).map { "\(entry.key)=\($0)" } }
                    if !scalars.isEmpty { lines.append("\(key): \(scalars.joined(separator: "  "))") }
                } else if let text = scalar(value) {
                    lines.append("\(key): \(text)")
                }
            }
        }
        guard !rows.isEmpty else { return (lines.isEmpty ? ["(nothing)"] : lines).joined(separator: "\n") }
        let columns = rows[0].keys.filter { scalar(rows[0][$0]!) != nil }.sorted()
        let shown = rows.prefix(limit).map { row in columns.map { row[$0].flatMap(scalar) ?? "" } }
        let widths = columns.indices.map { index in min(40, max(columns[index].count, shown.map { $0[index].count }.max() ?? 0)) }
        func line(_ cells: [String]) -> String {
            zip(cells, widths).map { String($0.prefix($1)).padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
        }
        lines.append(line(columns))
        lines.append(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  "))
        lines += shown.map(line)
        if rows.count > limit { lines.append("… \(rows.count - limit) more") }
        return lines.joined(separator: "\n")
    }

    private static func scalar(_ value: Any) -> String? {
        switch value {
        case let text as String: text
        case let number as NSNumber: number.stringValue
        case is NSNull: "–"
        default: nil
        }
    }
}
