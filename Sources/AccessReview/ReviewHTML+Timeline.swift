import Foundation

/// The timeline: one inline SVG per resource, a row per subject, a bar per spell of access (its tooltip says who,
/// what level, when and by which grants). The axis runs from the first spell (or the period's start) to the period's
/// end or the time of generation, whichever comes first.
extension ReviewHTML {
    private static let width = 960.0
    private static let labelWidth = 210.0
    private static let rowHeight = 20.0
    private static let axisHeight = 24.0

    static func timelines(_ review: AccessReview) -> String {
        guard !review.holdings.isEmpty else {
            return "<section id=\"timeline\"><h2>Timeline</h2><p>No access was held in the period.</p></section>\n"
        }
        let end = min(review.period.to, max(review.generatedAt, review.period.from))
        let first = review.holdings.map(\.from).min() ?? review.period.from
        let start = min(max(review.period.from, first), end.addingTimeInterval(-1))
        let resources = Dictionary(grouping: review.holdings, by: \.resource).sorted { $0.key < $1.key }
        let levels = Set(review.holdings.map(\.permission)).sorted()
        let legend = levels.map { "<span><i style=\"background:\(color(of: $0))\"></i>\($0.html)</span>" }.joined()
        var text = "<section id=\"timeline\"><h2>Timeline per resource</h2><p class=\"legend\">\(legend)"
        text += "<span><i style=\"background:repeating-linear-gradient(45deg,#999 0 2px,#fff 2px 4px)\"></i>"
        text += "still held</span></p>\n"
        for (index, (resource, holdings)) in resources.enumerated() {
            text += "<h3>\(resource.html)</h3>\n" + chart(holdings, from: start, to: end, index: index) + "\n"
        }
        return text + "</section>\n"
    }

    private static func chart(_ holdings: [Holding], from start: Date, to end: Date, index: Int) -> String {
        let subjects = Array(Set(holdings.map(\.subject))).sorted()
        let height = axisHeight + rowHeight * Double(subjects.count) + 4
        let plot = width - labelWidth - 10
        let span = end.timeIntervalSince(start)
        func x(_ date: Date) -> Double {
            labelWidth + plot * min(1, max(0, date.timeIntervalSince(start) / span))
        }
        var svg =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" "
            + "width=\"\(Int(width))\" height=\"\(Int(height))\" role=\"img\">"
        svg +=
            "<defs><pattern id=\"open-\(index)\" width=\"4\" height=\"4\" patternUnits=\"userSpaceOnUse\" "
            + "patternTransform=\"rotate(45)\"><rect width=\"2\" height=\"4\" fill=\"#fff\" opacity=\".6\"/></pattern></defs>"
        for step in 0...4 {
            let tick = start.addingTimeInterval(span * Double(step) / 4)
            let position = x(tick)
            let anchor = step == 0 ? "start" : step == 4 ? "end" : "middle"
            svg += "<line x1=\"\(f(position))\" y1=\"16\" x2=\"\(f(position))\" y2=\"\(f(height))\" stroke=\"#ddd\"/>"
            svg += "<text x=\"\(f(position))\" y=\"12\" text-anchor=\"\(anchor)\">\(tickLabel(tick, span: span))</text>"
        }
        for (row, subject) in subjects.enumerated() {
            let y = axisHeight + rowHeight * Double(row)
            svg += "<text x=\"0\" y=\"\(f(y + 14))\">\(String(subject.prefix(32)).html)</text>"
            for holding in holdings where holding.subject == subject {
                let left = x(holding.from)
                let right = x(holding.to ?? end)
                let title =
                    "\(holding.subject): \(holding.permission) from \(ReviewText.time(holding.from)) to "
                    + "\(holding.to.map { ReviewText.time($0) } ?? "now (still held)") (grants "
                    + "\(holding.grants.joined(separator: ", ")))"
                let bar = "x=\"\(f(left))\" y=\"\(f(y + 3))\" width=\"\(f(max(2, right - left)))\" height=\"14\""
                svg += "<rect \(bar) fill=\"\(color(of: holding.permission))\"><title>\(title.html)</title></rect>"
                if holding.to == nil { svg += "<rect \(bar) fill=\"url(#open-\(index))\"/>" }
            }
        }
        return svg + "</svg>"
    }

    /// `14:05:30` within a day, `2026-11-21 14:05` within a month, else the day: five fit side by side.
    private static func tickLabel(_ date: Date, span: TimeInterval) -> String {
        let text = ReviewText.time(date)
        if span <= 86_400 { return String(text.dropFirst(11).dropLast()) }
        return span <= 30 * 86_400 ? String(text.prefix(16)) : String(text.prefix(10))
    }

    /// A colour per level, darker for more access; anything else grey.
    private static func color(of permission: String) -> String {
        switch permission {
        case "Query", "View", "Viewer": "#2563eb"
        case "Edit", "Editor": "#d97706"
        case "Admin", "OrgAdmin", "TeamAdmin": "#dc2626"
        case "Member": "#16a34a"
        case "token": "#7c3aed"
        default: "#6b7280"
        }
    }

    private static func f(_ value: Double) -> String { String(format: "%.1f", value) }
}
