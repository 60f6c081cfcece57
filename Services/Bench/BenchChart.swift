import Foundation

/// Small self-contained SVG charts for the benchmark reports (no plotting library: the report
/// is regenerated on machines that have only the toolchain).
enum BenchChart {
    /// One cluster of bars per group, one bar per series in each, with the values written on them.
    static func groupedBars(title: String, groups: [String], series: [(name: String, values: [Double])]) -> String {
        let palette = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2"]
        let width = 760.0
        let height = 380.0
        let left = 70.0
        let right = 20.0
        let top = 50.0
        let bottom = 60.0
        let plotWidth = width - left - right
        let plotHeight = height - top - bottom
        let maximum = niceCeiling(series.flatMap(\.values).max() ?? 1)
        let groupWidth = plotWidth / Double(max(groups.count, 1))
        let barWidth = groupWidth * 0.8 / Double(max(series.count, 1))
        func y(_ value: Double) -> Double { top + plotHeight * (1 - value / maximum) }
        func number(_ value: Double) -> String { value >= 1000 ? "\(Int((value / 1000).rounded()))k" : String(Int(value)) }

        var svg = [
            #"<svg xmlns="http://www.w3.org/2000/svg" width="\#(Int(width))" height="\#(Int(height))" font-family="sans-serif" font-size="12">"#,
            #"<rect width="100%" height="100%" fill="white"/>"#,
            #"<text x="\#(width / 2)" y="24" text-anchor="middle" font-size="15">\#(escape(title))</text>"#,
        ]
        for step in 0...4 {
            let value = maximum * Double(step) / 4
            svg.append(#"<line x1="\#(left)" x2="\#(width - right)" y1="\#(y(value))" y2="\#(y(value))" stroke="gainsboro"/>"#)
            svg.append(#"<text x="\#(left - 6)" y="\#(y(value) + 4)" text-anchor="end">\#(number(value))</text>"#)
        }
        for (groupIndex, group) in groups.enumerated() {
            let groupStart = left + Double(groupIndex) * groupWidth + groupWidth * 0.1
            for (seriesIndex, entry) in series.enumerated() {
                let value = groupIndex < entry.values.count ? entry.values[groupIndex] : 0
                let x = groupStart + Double(seriesIndex) * barWidth
                svg.append(
                    #"<rect x="\#(x)" y="\#(y(value))" width="\#(barWidth - 2)" height="\#(top + plotHeight - y(value))" fill="\#(palette[seriesIndex % palette.count])"/>"#
                )
                svg.append(
                    #"<text x="\#(x + barWidth / 2 - 1)" y="\#(y(value) - 4)" text-anchor="middle" font-size="10">\#(number(value))</text>"#
                )
            }
            svg.append(
                #"<text x="\#(groupStart + groupWidth * 0.4)" y="\#(top + plotHeight + 18)" text-anchor="middle">\#(escape(group))</text>"#)
        }
        for (seriesIndex, entry) in series.enumerated() {
            let x = left + Double(seriesIndex) * 160
            svg.append(#"<rect x="\#(x)" y="\#(height - 22)" width="12" height="12" fill="\#(palette[seriesIndex % palette.count])"/>"#)
            svg.append(#"<text x="\#(x + 18)" y="\#(height - 12)">\#(escape(entry.name))</text>"#)
        }
        svg.append("</svg>")
        return svg.joined(separator: "\n") + "\n"
    }

    /// 1, 2 or 5 times a power of ten, at or above `value`: round axis labels.
    static func niceCeiling(_ value: Double) -> Double {
        guard value > 0 else { return 1 }
        let power = pow(10, floor(log10(value)))
        return [1.0, 2, 5, 10].map { $0 * power }.first { $0 >= value } ?? 10 * power
    }

    private static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(
            of: ">", with: "&gt;")
    }
}
