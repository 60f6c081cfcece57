internal import CRdKafka

/// The linked librdkafka and the version floor this system needs.
public enum Librdkafka {
    /// 2.2.0 fixed the KIP-482 tagged-field skip bug that breaks ApiVersions against modern
    /// brokers (Debian 12's 2.0.2 has it).
    public static let minimumVersion = (major: 2, minor: 2, patch: 0)

    /// The runtime version, e.g. "2.8.0".
    public static var versionString: String { String(cString: rd_kafka_version_str()) }

    /// The runtime version as librdkafka encodes it: 0xMMmmrrxx.
    public static var versionNumber: Int { Int(rd_kafka_version()) }

    public static var isSupported: Bool {
        let minimum = (minimumVersion.major << 24) | (minimumVersion.minor << 16) | (minimumVersion.patch << 8)
        return versionNumber >= minimum
    }

    /// Every executable calls this at start-up (and every client creation does).
    public static func requireSupportedVersion() throws(KafkaError) {
        guard isSupported else {
            let minimum = "\(minimumVersion.major).\(minimumVersion.minor).\(minimumVersion.patch)"
            throw KafkaError(
                .unsupportedLibrary,
                "librdkafka \(versionString) is loaded, but this system needs >= \(minimum) (older versions mis-parse "
                    + "KIP-482 tagged fields and cannot talk to current brokers). Run scripts/setup.sh, which installs or "
                    + "builds a new enough librdkafka, and check that `ldconfig -p | grep rdkafka` lists it first."
            )
        }
    }
}
