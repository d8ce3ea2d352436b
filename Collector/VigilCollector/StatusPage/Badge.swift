import VigilCore

/// A two-part badge in the familiar flat style (grey label, coloured message), as SVG.
struct Badge: Sendable, Hashable {
    var label: String
    var message: String
    /// The message's background colour, `#rrggbb`.
    var color: String

    static let green = "#2da44e", yellow = "#bf8700", orange = "#e16f24", red = "#cf222e", grey = "#8c959f"

    var svg: String {
        let labelWidth = Self.textWidth(label) + 10
        let messageWidth = Self.textWidth(message) + 10
        let width = labelWidth + messageWidth
        let title = Escaping.html("\(label): \(message)")
        let label = Escaping.html(self.label), message = Escaping.html(self.message)
        let labelX = Double(labelWidth) / 2, messageX = Double(labelWidth) + Double(messageWidth) / 2
        return """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="20" role="img" aria-label="\(title)">\
            <title>\(title)</title>\
            <linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>\
            <clipPath id="r"><rect width="\(width)" height="20" rx="3" fill="#fff"/></clipPath>\
            <g clip-path="url(#r)"><rect width="\(labelWidth)" height="20" fill="#555"/>\
            <rect x="\(labelWidth)" width="\(messageWidth)" height="20" fill="\(color)"/><rect width="\(width)" height="20" fill="url(#s)"/></g>\
            <g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">\
            <text x="\(labelX)" y="15" fill="#010101" fill-opacity=".3">\(label)</text><text x="\(labelX)" y="14">\(label)</text>\
            <text x="\(messageX)" y="15" fill="#010101" fill-opacity=".3">\(message)</text><text x="\(messageX)" y="14">\(message)</text></g>\
            </svg>
            """
    }

    /// Approximate width of `text` in 11 px Verdana (what badge renderers measure).
    static func textWidth(_ text: String) -> Int {
        var width = 0.0
        for character in text {
            switch character {
            case "i", "l", "j", "'", ".", ",", ":", ";", "|", "!": width += 3.5
            case "f", "t", "r", "I", " ", "(", ")", "[", "]", "/", "-": width += 4.8
            case "m", "w", "M", "W", "%", "@": width += 10.5
            case "A"..."Z", "0"..."9": width += 7.6
            default: width += 6.8
            }
        }
        return Int(width.rounded(.up))
    }

    /// The colour for an availability: green at or above `goal`, then yellow, orange and red.
    static func color(availability: Double, goal: Double) -> String {
        availability >= goal ? green : availability >= 0.99 ? yellow : availability >= 0.95 ? orange : red
    }
}
