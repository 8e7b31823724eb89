/// A histogram is coded sparsely: `[[counter, count], …]` for the counters that are not zero,
/// so a bucket of a few hundred calls is a few hundred bytes, not 1,792 zeros.
extension LatencyHistogram: Codable {
    public init(from decoder: any Decoder) throws {
        self.init()
        var container = try decoder.unkeyedContainer()
        while !container.isAtEnd {
            var pair = try container.nestedUnkeyedContainer()
            let index = try pair.decode(Int.self)
            let count = try pair.decode(UInt32.self)
            guard (0..<Self.counterCount).contains(index) else {
                throw DecodingError.dataCorruptedError(
                    in: pair, debugDescription: "latency counter \(index) is outside 0..<\(Self.counterCount)")
            }
            add(count: count, atIndex: index)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.unkeyedContainer()
        for (index, count) in nonZeroCounters {
            var pair = container.nestedUnkeyedContainer()
            try pair.encode(index)
            try pair.encode(count)
        }
    }
}
