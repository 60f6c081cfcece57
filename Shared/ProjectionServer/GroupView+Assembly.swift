import Foundation
import ServiceAPI

/// What one member says of itself (this instance, or a peer's `/instance`), or what the
/// coordinator says of a member.
struct MemberClaim: Sendable, Equatable {
    var memberID: String
    var partitions: [Int32]
    /// Stored position and log end per owned partition, where the member reported them.
    var positions: [Int32: Int64] = [:]
    var logEnds: [Int32: Int64] = [:]
}

extension GroupView {
    /// Assembles the view. `claims` are what members said of themselves (most trusted first: this
    /// instance, then its peers); `coordinator` is the group's state and member list with the
    /// partitions the coordinator reports for each (nil when it did not answer; a broker that does
    /// not report assignments lists empty ones). `committed` and `logEnds` fill in what no owner
    /// reported. A partition counts as unowned since `previous` said so only when `previous` is at
    /// most `continuity` old: after a gap nobody looked, and the clock starts again.
    static func assemble(
        topic: String, partitionCount: Int, claims: [MemberClaim], coordinator: (state: String, members: [MemberClaim])?,
        committed: [Int32: Int64],
        logEnds: [Int32: Int64], previous: GroupView?, continuity: TimeInterval, now: Date = Date()
    ) -> GroupView {
        var owners: [Int32: MemberClaim] = [:]
        let listed = coordinator?.members ?? []
        for claim in claims + listed {
            for partition in claim.partitions where owners[partition] == nil { owners[partition] = claim }
        }
        let described = Set(claims.map(\.memberID)).union(listed.filter { !$0.partitions.isEmpty }.map(\.memberID))
        let undescribed = listed.map(\.memberID).filter { !described.contains($0) }.sorted()
        let conclusive = coordinator?.state == "Stable" && undescribed.isEmpty
        var partitions: [Partition] = []
        var unowned: [Int32] = []
        for partition in 0..<Int32(partitionCount) {
            let owner = owners[partition]
            if owner == nil && conclusive { unowned.append(partition) }
            let position = owner?.positions[partition] ?? committed[partition]
            let ends = claims.compactMap { $0.logEnds[partition] } + [logEnds[partition]].compactMap { $0 }
            let end = ends.max()
            partitions.append(
                Partition(
                    partition: partition, owner: owner?.memberID, position: position, logEnd: end,
                    lag: end.map { max(0, $0 - (position ?? 0)) }))
        }
        // Unowned since the previous view said so, if it did and is recent.
        let stillUnowned =
            previous.map { now.timeIntervalSince($0.takenAt) <= continuity && !Set(unowned).isDisjoint(with: $0.unowned) } ?? false
        let lags = partitions.compactMap(\.lag)
        return GroupView(
            topic: topic, partitions: partitions, unowned: unowned,
            unownedSince: unowned.isEmpty ? nil : (stillUnowned ? previous?.unownedSince ?? now : now),
            undescribedMembers: undescribed, coordinatorMembers: coordinator.map { $0.members.map(\.memberID).sorted() },
            coordinatorState: coordinator?.state,
            totalLag: lags.count == partitions.count && !lags.isEmpty ? lags.reduce(0, +) : nil, takenAt: now)
    }
}
