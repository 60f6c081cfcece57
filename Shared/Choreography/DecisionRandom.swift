/// The random draws of one decision, from the run's seed and what is decided about which order:
/// a seeded run decides the same way again, whatever order the records arrive in, however the
/// partitions are spread and whether or not the decider restarted in between.
public struct DecisionRandom: RandomNumberGenerator, Sendable {
    private var generator: SplitMix64

    public init(seed: UInt64, orderID: String, step: String) {
        // FNV-1a over the order and the step, mixed with the seed.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in orderID.utf8 + [0] + step.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        generator = SplitMix64(seed: hash ^ (seed &* 0x9E37_79B9_7F4A_7C15))
    }

    public mutating func next() -> UInt64 { generator.next() }

    /// A draw in `range`.
    public mutating func seconds(_ range: ClosedRange<Double>) -> Double { Double.random(in: range, using: &self) }

    /// True with probability `rate`.
    public mutating func chance(_ rate: Double) -> Bool { Double.random(in: 0..<1, using: &self) < rate }
}
