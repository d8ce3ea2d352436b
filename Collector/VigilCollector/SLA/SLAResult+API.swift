import VigilCore
import VigilWire

extension SLAResult {
    /// The short form `/v1/services` (last 24 h) and `/v1/services/{service}/uptime` answer with: the
    /// time figures over the evaluated window.
    func uptime(checks: Int) -> UptimeReport {
        UptimeReport(
            service: service, from: ISOTime.format(ms: evaluated.startMs), to: ISOTime.format(ms: evaluated.endMs),
            method: method.name, availability: availability, coverage: coverage,
            upSeconds: Self.seconds(upMs), degradedSeconds: Self.seconds(degradedMs), downSeconds: Self.seconds(downMs),
            unknownSeconds: Self.seconds(unknownMs), eligibleSeconds: Self.seconds(eligibleMs), checks: checks
        )
    }

    /// The JSON form (README, "SLA report fields").
    func info(label: String, checks: Int) -> SLAReportInfo {
        SLAReportInfo(
            service: service, window: label, from: ISOTime.format(ms: window.startMs), to: ISOTime.format(ms: window.endMs),
            evaluatedTo: ISOTime.format(ms: evaluated.endMs), method: method.name,
            targetPercent: target.map { Double($0.ppm) / 10_000 }, unknownPolicy: unknownPolicy.rawValue,
            calendar: calendar, timeZone: zone, checks: checks,
            availability: availability, availabilityByMethod: availabilityByMethod, coverage: coverage,
            upSeconds: Self.seconds(upMs), degradedSeconds: Self.seconds(degradedMs), downSeconds: Self.seconds(downMs),
            unknownSeconds: Self.seconds(unknownMs), maintenanceSeconds: Self.seconds(maintenanceMs),
            outsideCalendarSeconds: Self.seconds(outsideCalendarMs), eligibleSeconds: Self.seconds(eligibleMs),
            good: good, counted: counted, met: met, missedByPoints: missedByPoints,
            errorBudget: budget.map {
                ErrorBudgetInfo(unit: $0.unit, total: $0.total, consumed: $0.consumed, remaining: $0.remaining, remainingRatio: $0.remainingRatio)
            },
            burnRates: burnRates.map { BurnRateInfo(window: DurationText.compact(milliseconds: $0.windowMs), rate: $0.rate) },
            outageCount: outageCount, totalDowntimeSeconds: Self.seconds(totalDowntimeMs),
            longestOutageSeconds: longestOutageMs.map(Self.seconds), mttrSeconds: mttrMs.map(Self.seconds),
            mtbfSeconds: mtbfMs.map(Self.seconds), meanTimeToDetectSeconds: meanTimeToDetectMs.map(Self.seconds),
            blips: blipCount,
            latency: LatencyInfo(
                probes: latency.probes, p50Ms: latency.p50Ms, p95Ms: latency.p95Ms, p99Ms: latency.p99Ms,
                thresholdMs: latency.objective?.thresholdMs,
                objectivePercent: latency.objective.map { Double($0.target.ppm) / 10_000 },
                attainment: latency.attainment, met: latency.met
            ),
            creditPercent: credit.map { Double($0.credit.ppm) / 10_000 },
            creditBelowPercent: credit.map { Double($0.below.ppm) / 10_000 },
            outages: outages.map(\.info),
            explain: segments.isEmpty && exclusions.isEmpty && locations.isEmpty ? nil : ExplainInfo(
                segments: segments.map {
                    SegmentInfo(status: $0.status.rawValue, from: ISOTime.format(ms: $0.range.startMs), to: ISOTime.format(ms: $0.range.endMs), seconds: Self.seconds($0.range.durationMs))
                },
                exclusions: exclusions.map {
                    ExclusionInfo(kind: $0.kind, from: ISOTime.format(ms: $0.range.startMs), to: ISOTime.format(ms: $0.range.endMs), seconds: Self.seconds($0.range.durationMs), detail: $0.detail)
                },
                locations: locations.map { location in
                    LocationInfo(
                        name: location.name, upSeconds: Self.seconds(location.upMs), downSeconds: Self.seconds(location.downMs),
                        unknownSeconds: Self.seconds(location.unknownMs),
                        blips: location.blips.map {
                            BlipInfo(from: ISOTime.format(ms: $0.range.startMs), to: ISOTime.format(ms: $0.range.endMs), failures: $0.failures, message: $0.message)
                        }
                    )
                }
            )
        )
    }

    static func seconds(_ ms: Int64) -> Double { Double(ms) / 1_000 }
}

extension Outage {
    /// The JSON form.
    var info: OutageInfo {
        OutageInfo(
            id: id, service: service, start: ISOTime.format(ms: range.startMs),
            end: ongoing ? nil : ISOTime.format(ms: range.endMs), ongoing: ongoing,
            durationSeconds: SLAResult.seconds(range.durationMs), eligibleDownSeconds: SLAResult.seconds(eligibleDownMs),
            locations: locations, firstMessage: firstMessage, detectedAt: detectedAtMs.map { ISOTime.format(ms: $0) },
            timeToDetectSeconds: detectedAtMs.map { SLAResult.seconds($0 - range.startMs) }, inMaintenance: inMaintenance
        )
    }
}
