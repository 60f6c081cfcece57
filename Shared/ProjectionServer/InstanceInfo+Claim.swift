import ServiceAPI

extension InstanceInfo {
    /// This instance's claim in a `GroupView`.
    var claim: MemberClaim? {
        guard let memberID else { return nil }
        var claim = MemberClaim(memberID: memberID, partitions: assignment)
        for partition in owned ?? [] {
            claim.positions[partition.partition] = partition.storedOffset
            claim.logEnds[partition.partition] = partition.logEnd
        }
        return claim
    }
}
