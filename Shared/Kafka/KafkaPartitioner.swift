/// Where a keyed record lands: the partitioner every producer in this system uses
/// (`murmur2_random`, the Java client's default), computed here so that services can route a
/// query for a key to the instance that owns its partition, and the CLI can explain it.
public enum KafkaPartitioner {
    /// murmur2 of the key bytes, as Kafka's Java client and librdkafka compute it.
    public static func murmur2(_ key: some Collection<UInt8>) -> UInt32 {
        let bytes = Array(key)
        let m: UInt32 = 0x5bd1_e995
        var h: UInt32 = 0x9747_b28c ^ UInt32(truncatingIfNeeded: bytes.count)
        let whole = bytes.count & ~3
        var index = 0
        while index < whole {
            var k = UInt32(bytes[index]) | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2]) << 16 | UInt32(bytes[index + 3]) << 24
            k = k &* m
            k ^= k >> 24
            k = k &* m
            h = h &* m
            h ^= k
            index += 4
        }
        let tail = bytes.count & 3
        if tail == 3 { h ^= UInt32(bytes[whole + 2]) << 16 }
        if tail >= 2 { h ^= UInt32(bytes[whole + 1]) << 8 }
        if tail >= 1 {
            h ^= UInt32(bytes[whole])
            h = h &* m
        }
        h ^= h >> 13
        h = h &* m
        h ^= h >> 15
        return h
    }

    /// The partition of `key` in a topic of `partitions` partitions (the sign bit is dropped, as
    /// Java's `toPositive` does).
    public static func partition(forKey key: String, partitions: Int) -> Int32 {
        precondition(partitions > 0, "a topic has at least one partition")
        return Int32((murmur2(key.utf8) & 0x7fff_ffff) % UInt32(partitions))
    }
}
