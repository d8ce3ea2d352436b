import Benchmark
import Foundation

/// Figures go to standard error: the benchmark tool keeps standard output for itself.
func say(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

let figureMetric = BenchmarkMetric.custom("Figure (ns per unit)", useScalingFactor: false)
let baselineMetric = BenchmarkMetric.custom("Baseline (ns per unit)", useScalingFactor: false)
let ratioMetric = BenchmarkMetric.custom("Ratio to baseline (×100)", useScalingFactor: false)

extension Duration {
    var nanoseconds: Double { Double(components.seconds) * 1e9 + Double(components.attoseconds) / 1e9 }
}

/// One component measured against its baseline in the same sample: both run `rounds` times, alternating
/// so that a noisy neighbour hits both alike. `units` is how many heartbeats (or rows) one call handles.
struct Comparison {
    var name: String
    var unit: String
    var units: Int
    var rounds: Int
    var baselineName: String

    /// Runs both, records the custom metrics and prints the figure, the baseline and their ratio.
    func run(_ benchmark: Benchmark, figure: () throws -> Void, baseline: () throws -> Void) rethrows {
        let clock = ContinuousClock()
        var measured = Duration.zero
        var base = Duration.zero
        benchmark.startMeasurement()
        for _ in 0..<rounds {
            let a = clock.now
            try figure()
            let b = clock.now
            try baseline()
            measured += b - a
            base += clock.now - b
        }
        benchmark.stopMeasurement()
        let (perUnit, basePerUnit) = record(benchmark, measured: measured, baseline: base, units: rounds * units)
        say(String(
            format: "FIGURE %@: %.0f ns/%@ (%.2fM %@/s on one core); baseline %@: %.0f ns/%@; ratio %.2f×",
            name, perUnit, unit, 1e3 / perUnit, unit + "s", baselineName, basePerUnit, unit, perUnit / basePerUnit
        ))
    }
}

/// Records nanoseconds per unit of a figure and its baseline, and their ratio, as the benchmark's custom
/// metrics; returns both per-unit figures.
@discardableResult
func record(_ benchmark: Benchmark, measured: Duration, baseline: Duration, units: Int) -> (Double, Double) {
    let perUnit = measured.nanoseconds / Double(units)
    let basePerUnit = baseline.nanoseconds / Double(units)
    benchmark.measurement(figureMetric, Int(perUnit.rounded()))
    benchmark.measurement(baselineMetric, Int(basePerUnit.rounded()))
    benchmark.measurement(ratioMetric, Int((perUnit / basePerUnit * 100).rounded()))
    return (perUnit, basePerUnit)
}
