/// A small deterministic generator (SplitMix64) so that a failing property test names the seed that
/// reproduces it.
public struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension Array {
    /// The elements in order, cut into consecutive pieces of random sizes from `sizes`: how a history
    /// is cut into batches.
    public func randomPieces(sizes: ClosedRange<Int>, using generator: inout SeededGenerator) -> [[Element]] {
        var pieces: [[Element]] = []
        var index = 0
        while index < count {
            let size = Int.random(in: sizes, using: &generator)
            pieces.append(Array(self[index..<Swift.min(index + size, count)]))
            index += size
        }
        return pieces
    }
}
