/// What `POST /replay` answers: where the rebuild started and ended, how far it got, and whether
/// the rebuilt read model's checksum matched the live one (and so whether it was swapped in).
public struct ReplayReport: Sendable, Codable, Equatable {
    public var from: String
    /// Where each partition started (nil: at the log end, no record that late).
    public var startOffsets: [String: Int64?]
    /// For a time, per partition: how its start was found — `broker-offsets-for-times` (the
    /// broker's answer held) or `record-timestamp-scan` (the records' timestamps were read).
    public var timestampLookup: [String: String]?
    public var targetOffsets: [String: Int64]
    public var progress: RebuildProgress
    public var liveChecksum: String
    public var replayChecksum: String
    public var checksumsMatch: Bool
    public var swapped: Bool
    /// The live checksum after the swap (equals `replayChecksum`).
    public var checksumAfterSwap: String?
    public var seconds: Double

    public init(
        from: String, startOffsets: [String: Int64?], timestampLookup: [String: String]?,
        targetOffsets: [String: Int64], progress: RebuildProgress, liveChecksum: String, replayChecksum: String, checksumsMatch: Bool,
        swapped: Bool, checksumAfterSwap: String?, seconds: Double
    ) {
        self.from = from
        self.startOffsets = startOffsets
        self.timestampLookup = timestampLookup
        self.targetOffsets = targetOffsets
        self.progress = progress
        self.liveChecksum = liveChecksum
        self.replayChecksum = replayChecksum
        self.checksumsMatch = checksumsMatch
        self.swapped = swapped
        self.checksumAfterSwap = checksumAfterSwap
        self.seconds = seconds
    }
}

/// How far a rebuild of a read model has got.
public struct RebuildProgress: Sendable, Codable, Equatable {
    /// Records between the start and target offsets (known once a pass starts).
    public var expected: Int64 = 0
    public var recordsRead = 0
    public var applied = 0
    public var duplicates = 0
    public var skipped = 0
    /// Seconds the one SQLite writer spent applying batches, and seconds it sat waiting for the
    /// next batch to be fetched and decoded. Their split says what bounds a rebuild: a writer that
    /// never waits is as fast as SQLite on this machine lets it be.
    public var writingSeconds = 0.0
    public var waitingSeconds = 0.0

    public init() {}
}

/// What `GET /replay` answers: the replay in flight, if any.
public struct ReplayState: Sendable, Codable, Equatable {
    public var running: Bool
    public var progress: RebuildProgress?

    public init(running: Bool, progress: RebuildProgress?) {
        self.running = running
        self.progress = progress
    }
}
