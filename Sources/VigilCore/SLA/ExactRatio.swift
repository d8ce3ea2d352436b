/// A rational number of integers, for the figures that are exact by contract (issue 18): error budgets,
/// what remains of them, missed-by points and burn rates. Computed from integers (ppm, milliseconds,
/// probes, slices), compared exactly, and turned into a `Double` only to be printed, as the double
/// nearest to the exact value, so `2592` prints `2592` and a burn rate of exactly 14.4 prints `14.4`.
///
/// The numerator and denominator are `Int128` and kept reduced; the inputs here (a century of ms times a
/// million) stay far inside its range, and an overflow traps rather than rounding silently.
public struct ExactRatio: Sendable, Hashable, Comparable, CustomStringConvertible, ExpressibleByIntegerLiteral {
    /// The numerator, with the sign.
    public let numerator: Int128
    /// The denominator, always positive.
    public let denominator: Int128

    /// `numerator / denominator`; the denominator must not be zero.
    public init(_ numerator: Int128, over denominator: Int128) {
        precondition(denominator != 0, "a ratio needs a non-zero denominator")
        let sign: Int128 = denominator < 0 ? -1 : 1
        let divisor = Self.gcd(numerator.magnitude, denominator.magnitude)
        self.numerator = sign * numerator / Int128(divisor)
        self.denominator = sign * denominator / Int128(divisor)
    }

    /// A whole number.
    public init(_ value: Int64) {
        numerator = Int128(value)
        denominator = 1
    }

    public init(integerLiteral value: Int64) { self.init(value) }

    /// Reads a plain decimal such as `14.4`, `6`, `0.25` or `-1.5` (no exponent); `nil` for anything else.
    public init?(decimal text: String) {
        var digits = Substring(text)
        var negative = false
        if digits.first == "-" {
            negative = true
            digits = digits.dropFirst()
        }
        let parts = digits.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), !parts[0].isEmpty, parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              parts[0].count + (parts.count == 2 ? parts[1].count : 0) <= 30
        else { return nil }
        var value: Int128 = 0
        var scale: Int128 = 1
        for character in parts[0] { value = value * 10 + Int128(character.wholeNumberValue!) }
        if parts.count == 2 {
            guard !parts[1].isEmpty else { return nil }
            for character in parts[1] {
                value = value * 10 + Int128(character.wholeNumberValue!)
                scale *= 10
            }
        }
        self.init(negative ? -value : value, over: scale)
    }

    public static let zero = ExactRatio(0)

    public static func + (lhs: ExactRatio, rhs: ExactRatio) -> ExactRatio {
        ExactRatio(lhs.numerator * rhs.denominator + rhs.numerator * lhs.denominator, over: lhs.denominator * rhs.denominator)
    }

    public static func - (lhs: ExactRatio, rhs: ExactRatio) -> ExactRatio {
        ExactRatio(lhs.numerator * rhs.denominator - rhs.numerator * lhs.denominator, over: lhs.denominator * rhs.denominator)
    }

    public static func * (lhs: ExactRatio, rhs: ExactRatio) -> ExactRatio {
        // Cross-reduce first so the products stay small.
        let a = Int128(gcd(lhs.numerator.magnitude, rhs.denominator.magnitude))
        let b = Int128(gcd(rhs.numerator.magnitude, lhs.denominator.magnitude))
        return ExactRatio((lhs.numerator / a) * (rhs.numerator / b), over: (lhs.denominator / b) * (rhs.denominator / a))
    }

    /// Division; the divisor must not be zero.
    public static func / (lhs: ExactRatio, rhs: ExactRatio) -> ExactRatio {
        lhs * ExactRatio(rhs.denominator, over: rhs.numerator)
    }

    public static func < (lhs: ExactRatio, rhs: ExactRatio) -> Bool {
        lhs.numerator * rhs.denominator < rhs.numerator * lhs.denominator
    }

    /// The double nearest to the exact value: the exact decimal expansion, cut after 40 places, read by
    /// the standard library's correctly rounded parser.
    public var double: Double {
        Double(decimal(places: 40, rounding: false))!
    }

    /// The value as a decimal with at most `places` fraction digits, rounded half away from zero (or cut,
    /// with `rounding: false`); trailing zeros dropped. Exact whenever the value has that many digits or
    /// fewer.
    public func decimal(places: Int, rounding: Bool = true) -> String {
        var digits: [Int128] = []
        let magnitude = numerator.magnitude
        let whole = magnitude / denominator.magnitude
        var remainder = magnitude % denominator.magnitude
        // Long division, one digit at a time, so no power of ten can overflow.
        for _ in 0..<places {
            remainder *= 10
            digits.append(Int128(remainder / denominator.magnitude))
            remainder %= denominator.magnitude
        }
        var wholeValue = Int128(whole)
        if rounding && remainder * 2 >= denominator.magnitude {
            var index = digits.count - 1
            while index >= 0 {
                if digits[index] == 9 { digits[index] = 0; index -= 1 } else { digits[index] += 1; break }
            }
            if index < 0 { wholeValue += 1 }
        }
        while let last = digits.last, last == 0 { digits.removeLast() }
        let sign = numerator < 0 && (wholeValue != 0 || !digits.isEmpty) ? "-" : ""
        let fraction = digits.isEmpty ? "" : "." + digits.map { String($0) }.joined()
        return sign + String(wholeValue) + fraction
    }

    /// The exact decimal when it has at most 12 fraction digits, else 12 rounded digits.
    public var description: String { decimal(places: 12) }

    static func gcd(_ a: UInt128, _ b: UInt128) -> UInt128 {
        var (x, y) = (a, b)
        while y != 0 { (x, y) = (y, x % y) }
        return x == 0 ? 1 : x
    }
}
