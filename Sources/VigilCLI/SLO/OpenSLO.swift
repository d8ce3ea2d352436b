import Foundation
import VigilConfig
import VigilCore
import VigilWire

/// Vigil's availability SLAs as OpenSLO v1 `SLO` documents, and back.
///
/// The mapping, chosen so that a document read back gives the same SLA:
/// - `target` → one objective, `target` as a ratio (99.9 % → 0.999);
/// - `window: month|quarter|year` → `timeWindow` with `duration: 1M|1Q|1Y`, `isRolling: false` and a
///   calendar in the SLA's time zone; a rolling window → `duration: 30d`, `isRolling: true`;
/// - `method: occurrences` → `budgetingMethod: Occurrences`; `timeslices` → `Timeslices` with
///   `timeSliceWindow` and `timeSliceTarget` (1 − the down share a slice may have); `time` (Vigil's
///   exact time weighting) → `Timeslices` with 1 s slices that must be wholly up, which is what it equals;
/// - the business calendar's name and the unknown-time policy, which OpenSLO has no field for, go in
///   `metadata.annotations` (`vigil.dev/calendar`, `vigil.dev/unknown`).
enum OpenSLO {
    /// One YAML stream, a document per SLO.
    static func export(_ slos: [SLODefinitionInfo]) -> String {
        slos.map(document).joined(separator: "---\n")
    }

    static func document(_ slo: SLODefinitionInfo) -> String {
        let name = slug(slo.service) + "-availability"
        let window: String
        switch slo.window {
        case "month", "quarter", "year":
            let unit = ["month": "1M", "quarter": "1Q", "year": "1Y"][slo.window]!
            window = """
                  - duration: \(unit)
                    isRolling: false
                    calendar:
                      startTime: "2026-01-01 00:00:00"
                      timeZone: \(quoted(slo.timeZone))
                """
        default:
            window = """
                  - duration: \(slo.window)
                    isRolling: true
                """
        }
        let budgeting: String
        switch slo.method {
        case "occurrences":
            budgeting = "budgetingMethod: Occurrences"
        case "timeslices":
            let slice = DurationText.compact(milliseconds: Int64(((slo.timesliceSeconds ?? 60) * 1000).rounded()))
            budgeting = "budgetingMethod: Timeslices\n  # timeSliceTarget: 1 - \(number(slo.timesliceBadAbovePercent ?? 0)) %\n"
                + "  timeSliceWindow: \(slice)"
        default:
            budgeting = "budgetingMethod: Timeslices\n  # Vigil's time method: time up over time known, weighed to the millisecond\n  timeSliceWindow: 1s"
        }
        let sliceTarget = switch slo.method {
        case "timeslices": "\n      timeSliceTarget: \(number(1 - (slo.timesliceBadAbovePercent ?? 0) / 100))"
        case "occurrences": ""
        default: "\n      timeSliceTarget: 1"
        }
        return """
            apiVersion: openslo/v1
            kind: SLO
            metadata:
              name: \(name)
              displayName: \(quoted(slo.service + " availability"))
              annotations:
                vigil.dev/service: \(quoted(slo.service))
                vigil.dev/calendar: \(quoted(slo.calendar))
                vigil.dev/unknown: \(slo.unknown)
            spec:
              description: \(quoted("Availability of \(slo.service) as Vigil's agents probe it"))
              service: \(quoted(slo.service))
              indicator:
                metadata:
                  name: \(name)
                spec:
                  ratioMetric:
                    counter: true
                    good:
                      metricSource:
                        type: Vigil
                        spec: {service: \(quoted(slo.service)), status: up}
                    total:
                      metricSource:
                        type: Vigil
                        spec: {service: \(quoted(slo.service))}
              timeWindow:
            \(window)
              \(budgeting)
              objectives:
                - displayName: availability
                  target: \(number(slo.targetPercent / 100))\(sliceTarget)

            """
    }

    /// Reads OpenSLO `SLO` documents into collector config form (`services:` with an `sla:` each).
    /// Documents of other kinds are skipped; an SLO this subset cannot express is an error with its line.
    static func importConfig(_ text: String, file: String) throws(ConfigError) -> String {
        var services: [(String, [String])] = []
        for document in try ConfigDocument.parseAll(text, file: file) {
            let root = try document.object(allowedKeys: nil)
            guard let kind = root.optional("kind"), try kind.string() == "SLO" else { continue }
            let version = try root.required("apiVersion")
            guard try version.string() == "openslo/v1" else { throw version.error("expected apiVersion: openslo/v1") }
            services.append(try sla(root))
        }
        guard !services.isEmpty else { throw ConfigError(.missingKey, file: file, message: "no OpenSLO v1 SLO document found") }
        var out = "services:\n"
        for (service, lines) in services {
            out += "  \(quoted(service)):\n    sla:\n" + lines.map { "      \($0)\n" }.joined()
        }
        return out
    }

    private static func sla(_ root: ConfigObject) throws(ConfigError) -> (String, [String]) {
        let metadata = try root.required("metadata").object(allowedKeys: nil)
        let annotations = try metadata.optional("annotations")?.object(allowedKeys: nil)
        let spec = try root.required("spec").object(allowedKeys: nil)
        let service: String
        if let named = try annotations?.optional("vigil.dev/service")?.nonEmptyString() {
            service = named
        } else {
            service = try spec.required("service").nonEmptyString()
        }
        var lines: [String] = []

        let objectives = try spec.required("objectives").array()
        guard objectives.count == 1, let objective = objectives.first else {
            throw try spec.required("objectives").error("Vigil reads one availability objective per SLO")
        }
        let fields = try objective.object(allowedKeys: nil)
        let targetValue = try fields.required("target")
        let target = try targetValue.double()
        guard target > 0, target <= 1 else { throw targetValue.error("target must be a ratio above 0 and at most 1, e.g. 0.999") }
        lines.append("target: \(number(target * 100))")

        let windows = try spec.required("timeWindow").array()
        guard windows.count == 1, let window = windows.first else { throw try spec.required("timeWindow").error("expected one time window") }
        let windowFields = try window.object(allowedKeys: nil)
        let durationValue = try windowFields.required("duration")
        let duration = try durationValue.string()
        let rolling = try windowFields.optional("isRolling")?.bool() ?? false
        if rolling {
            guard (try? DurationText.parseMilliseconds(duration)) != nil else { throw durationValue.error("expected a duration such as 30d") }
            lines.append("window: \(duration)")
        } else {
            guard let period = ["1M": "month", "1Q": "quarter", "1Y": "year"][duration] else {
                throw durationValue.error("calendar windows Vigil reads are 1M, 1Q and 1Y")
            }
            lines.append("window: \(period)")
            if let zone = try windowFields.optional("calendar")?.object(allowedKeys: nil).optional("timeZone")?.string() {
                lines.append("time_zone: \(quoted(zone))")
            }
        }

        let methodValue = try spec.required("budgetingMethod")
        switch try methodValue.string() {
        case "Occurrences":
            lines.append("method: occurrences")
        case "Timeslices":
            let sliceValue = try spec.required("timeSliceWindow")
            let sliceMs: Int64
            do { sliceMs = try DurationText.parseMilliseconds(try sliceValue.string()) } catch { throw sliceValue.error("expected a duration such as 1m") }
            let sliceTarget = try fields.optional("timeSliceTarget")?.double() ?? 1
            if sliceMs <= 1_000 && sliceTarget >= 1 {
                lines.append("method: time")
            } else {
                lines.append("method: timeslices")
                lines.append("timeslice: \(DurationText.compact(milliseconds: sliceMs))")
                lines.append("timeslice_bad_above: \(number((1 - sliceTarget) * 100))")
            }
        default:
            throw methodValue.error("Vigil reads budgetingMethod Occurrences or Timeslices")
        }
        if let calendar = try annotations?.optional("vigil.dev/calendar")?.string(), calendar != "24x7" {
            lines.append("calendar: \(quoted(calendar))")
        }
        if let unknown = try annotations?.optional("vigil.dev/unknown")?.string(), unknown != "exclude" {
            lines.append("unknown: \(unknown)")
        }
        return (service, lines)
    }

    /// A number without float noise: at most 6 decimals, no trailing zeros.
    static func number(_ value: Double) -> String {
        let rounded = (value * 1_000_000).rounded() / 1_000_000
        if rounded == rounded.rounded() { return String(Int64(rounded)) }
        var text = "\(rounded)"
        while text.hasSuffix("0") { text.removeLast() }
        return text
    }

    /// A name OpenSLO accepts: lowercase letters, digits and dashes.
    static func slug(_ text: String) -> String {
        let mapped = text.lowercased().map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "-" }
        return String(mapped).split(separator: "-").joined(separator: "-")
    }

    /// A double-quoted YAML string.
    static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
