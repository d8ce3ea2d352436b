import VigilWire

/// An inline SVG chart of one service's availability per day (or per minute, 5 minutes or hour for short
/// windows), with its SLA target as a dashed line: green bars at or above the target, red below, grey
/// for bars without data. Each bar's tooltip gives its figures.
enum ReportChart {
    static let width = 720.0, height = 200.0
    static let left = 52.0, right = 12.0, top = 12.0, bottom = 26.0

    static func svg(_ service: ServiceDaysInfo, escape: (String) -> String) -> String {
        let days = service.days
        guard !days.isEmpty else { return "<p>No data in this window.</p>" }
        let unit = Self.unit(seconds: service.resolutionSeconds ?? 86_400)
        let target = service.targetPercent
        let lowest = days.compactMap(\.availability).map { $0 * 100 }.min() ?? 100
        // The floor: the highest round value under both the lowest day and the target, so that 99.9
        // and 100 stay apart on a good month and a bad day still fits.
        let shown = min(lowest, target ?? 100) - 0.05
        let floorValue = [99.0, 98, 95, 90, 80, 50, 0].first { $0 <= shown } ?? 0
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        func y(_ percent: Double) -> Double { top + plotHeight * (1 - (percent - floorValue) / (100 - floorValue)) }
        let step = plotWidth / Double(days.count)
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" "
            + "aria-label=\"\(escape(service.service)): availability per \(unit)\">"
        svg += "<rect x=\"\(left)\" y=\"\(top)\" width=\"\(plotWidth)\" height=\"\(plotHeight)\" fill=\"#f6f8fa\"/>"
        for value in [floorValue, (floorValue + 100) / 2, 100] {
            svg += "<line x1=\"\(left)\" x2=\"\(width - right)\" y1=\"\(y(value))\" y2=\"\(y(value))\" stroke=\"#d0d7de\" stroke-width=\"1\"/>"
            svg += "<text x=\"\(left - 6)\" y=\"\(y(value) + 4)\" text-anchor=\"end\" font-size=\"11\" fill=\"#656d76\">\(format(value)) %</text>"
        }
        for (index, day) in days.enumerated() {
            let x = left + Double(index) * step + step * 0.1
            let barWidth = max(1, step * 0.8)
            guard let availability = day.availability else {
                svg += "<rect x=\"\(x)\" y=\"\(top)\" width=\"\(barWidth)\" height=\"\(plotHeight)\" fill=\"#eaeef2\"><title>\(escape(day.label ?? day.date)): no data</title></rect>"
                continue
            }
            let percent = availability * 100
            let met = percent >= (target ?? 99.9)
            // A missed day stands out even when its bar is short: a pale red column behind it.
            if !met {
                svg += "<rect x=\"\(x)\" y=\"\(top)\" width=\"\(barWidth)\" height=\"\(plotHeight)\" fill=\"#ffebe9\"/>"
            }
            let barTop = min(y(max(percent, floorValue)), top + plotHeight - 3)
            let tooltip = "\(day.label ?? day.date): \(format(percent)) % available, down \(Format.duration(seconds: day.downSeconds))"
                + (day.maintenanceSeconds > 0 ? ", maintenance \(Format.duration(seconds: day.maintenanceSeconds))" : "")
            svg += "<rect x=\"\(x)\" y=\"\(barTop)\" width=\"\(barWidth)\" height=\"\(top + plotHeight - barTop)\" "
                + "fill=\"\(met ? "#2da44e" : "#cf222e")\"><title>\(escape(tooltip))</title></rect>"
        }
        if let target {
            svg += "<line x1=\"\(left)\" x2=\"\(width - right)\" y1=\"\(y(target))\" y2=\"\(y(target))\" stroke=\"#1f2328\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>"
            svg += "<text x=\"\(width - right - 4)\" y=\"\(y(target) - 5)\" text-anchor=\"end\" font-size=\"11\" fill=\"#1f2328\">target \(format(target)) %</text>"
        }
        let labels = days.count > 1 ? [0, days.count - 1] : [0]
        for index in labels {
            let anchor = index == 0 ? "start" : "end"
            let x = index == 0 ? left : width - right
            svg += "<text x=\"\(x)\" y=\"\(height - 8)\" text-anchor=\"\(anchor)\" font-size=\"11\" fill=\"#656d76\">\(escape(days[index].label ?? days[index].date))</text>"
        }
        return svg + "</svg>"
    }

    /// `day`, `minute`, `5 minutes`, `hour`: what one bar of `seconds` stands for.
    static func unit(seconds: Double) -> String {
        switch seconds {
        case 86_400: "day"
        case 3_600: "hour"
        case 60: "minute"
        case let s where s.truncatingRemainder(dividingBy: 3_600) == 0: "\(Int(s / 3_600)) hours"
        default: "\(Int(seconds / 60)) minutes"
        }
    }

    /// `99.95`, `100`: at most three decimals, no trailing zeros.
    static func format(_ percent: Double) -> String {
        let rounded = (percent * 1000).rounded(.down) / 1000
        var text = "\(rounded)"
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text
    }
}
