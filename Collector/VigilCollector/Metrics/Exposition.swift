import VigilCore

/// Writes Prometheus text exposition for families computed at scrape time (per service, per agent),
/// which change with the data and so do not live in a registry.
struct Exposition {
    private(set) var text = ""

    /// Adds text that is already in exposition form (families computed earlier).
    mutating func append(_ exposition: String) { text += exposition }

    /// One family: its `# HELP` and `# TYPE` lines, then a sample per labelled value (nil values skipped).
    mutating func family(_ name: String, type: String, help: String, _ samples: [(labels: [(String, String)], value: Double?)]) {
        text += "# HELP \(name) \(Escaping.prometheusHelp(help))\n# TYPE \(name) \(type)\n"
        for sample in samples {
            guard let value = sample.value else { continue }
            let labels = sample.labels.map { "\($0.0)=\"\(Escaping.prometheusLabelValue($0.1))\"" }.joined(separator: ",")
            text += name + (labels.isEmpty ? "" : "{\(labels)}") + " " + Self.format(value) + "\n"
        }
    }

    static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }
}
