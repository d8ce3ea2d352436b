/// A percentage held exactly, in parts per million of the whole (99.9 % is 999 000).
///
/// SLA targets and credit boundaries are compared with integer arithmetic so that "exactly at the
/// target" is never lost to floating-point rounding: 43 min 12 s down in 30 days is 99.9 % on the nose.
public struct Percentage: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Parts per million: 1 000 000 is 100 %.
    public var ppm: Int64

    public init(ppm: Int64) { self.ppm = ppm }

    /// Reads `99.9`, `99.95`, `100` or `99.9%` (up to four decimals); `nil` for anything else or out of
    /// 0…100.
    public init?(_ text: String) {
        var body = Substring(text.trimmingSpaces())
        if body.hasSuffix("%") { body = body.dropLast() }
        let parts = body.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), !parts[0].isEmpty, parts[0].allSatisfy(\.isASCII),
              let whole = Int64(parts[0]), whole >= 0
        else { return nil }
        var fraction: Int64 = 0
        if parts.count == 2 {
            let digits = parts[1]
            guard !digits.isEmpty, digits.count <= 4, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            fraction = Int64(digits.padding(toLength: 4))!
        }
        let ppm = whole * 10_000 + fraction
        guard ppm <= 1_000_000 else { return nil }
        self.ppm = ppm
    }

    /// The share as a fraction of 1.
    public var fraction: Double { Double(ppm) / 1_000_000 }

    /// Whether the ratio `good / total` is below this percentage, computed exactly.
    public func isGreaterThan(ratioOf good: Int64, to total: Int64) -> Bool {
        // good / total < ppm / 1e6  ⇔  good · 1e6 < ppm · total (no rounding; fits Int64 for a century of ms).
        good.multipliedFullWidth(by: 1_000_000) < ppm.multipliedFullWidth(by: total)
    }

    public static func < (lhs: Percentage, rhs: Percentage) -> Bool { lhs.ppm < rhs.ppm }

    /// `99.9%`, `99.95%`, `100%`.
    public var description: String {
        let whole = ppm / 10_000
        var fraction = String(ppm % 10_000)
        fraction = String(repeating: "0", count: 4 - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return fraction.isEmpty ? "\(whole)%" : "\(whole).\(fraction)%"
    }
}

extension Substring {
    fileprivate func padding(toLength length: Int) -> String {
        String(self) + String(repeating: "0", count: Swift.max(0, length - count))
    }
}
