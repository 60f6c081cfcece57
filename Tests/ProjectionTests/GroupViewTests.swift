import Foundation
import ServiceAPI
import Testing

@testable import ProjectionServer

/// How a member puts its whole group together: who owns what, what counts as "nobody", and lag.
@Suite("Group view")
struct GroupViewTests {
    static let start = Date(timeIntervalSince1970: 1_000_000)

    static func view(
        claims: [MemberClaim], coordinator: (state: String, members: [MemberClaim])?, committed: [Int32: Int64] = [:],
        logEnds: [Int32: Int64] = [:],
        previous: GroupView? = nil, at seconds: TimeInterval = 0
    ) -> GroupView {
        GroupView.assemble(
            topic: "t", partitionCount: 6, claims: claims, coordinator: coordinator, committed: committed, logEnds: logEnds,
            previous: previous,
            continuity: 6, now: start.addingTimeInterval(seconds))
    }

    @Test("A Stable group whose only member owns half the topic leaves the other half to nobody")
    func unownedWhenTheCoordinatorListsOnlyMe() {
        let me = MemberClaim(memberID: "a", partitions: [0, 1, 2], positions: [0: 10, 1: 10, 2: 10], logEnds: [0: 12, 1: 10, 2: 10])
        let view = Self.view(
            claims: [me], coordinator: ("Stable", [MemberClaim(memberID: "a", partitions: [])]), committed: [3: 5, 4: 5, 5: 5],
            logEnds: [3: 9, 4: 5, 5: 7])
        #expect(view.unowned == [3, 4, 5])
        #expect(view.partitions.map(\.owner) == ["a", "a", "a", nil, nil, nil])
        // Every partition counts: the owner's stored positions, and the group's committed offsets elsewhere.
        #expect(view.partitions.map(\.lag) == [2, 0, 0, 4, 0, 2])
        #expect(view.totalLag == 8)
        #expect(view.unownedSince == Self.start)
    }

    @Test("Nothing is called unowned mid-rebalance, nor while a listed member has not said what it owns")
    func inconclusiveViews() {
        let me = MemberClaim(memberID: "a", partitions: [0, 1, 2])
        let rebalancing = Self.view(claims: [me], coordinator: ("PreparingRebalance", [MemberClaim(memberID: "a", partitions: [])]))
        #expect(rebalancing.unowned.isEmpty)
        let silentMember = Self.view(
            claims: [me], coordinator: ("Stable", [MemberClaim(memberID: "a", partitions: []), MemberClaim(memberID: "b", partitions: [])]))
        #expect(silentMember.unowned.isEmpty)
        #expect(silentMember.undescribedMembers == ["b"])
        let noCoordinator = Self.view(claims: [me], coordinator: nil)
        #expect(noCoordinator.unowned.isEmpty)
        // The coordinator's own word about a member's partitions counts as much as the member's.
        let described = Self.view(
            claims: [me],
            coordinator: ("Stable", [MemberClaim(memberID: "a", partitions: []), MemberClaim(memberID: "b", partitions: [3, 4, 5])]))
        #expect(described.unowned.isEmpty)
        #expect(described.partitions.map(\.owner) == ["a", "a", "a", "b", "b", "b"])
    }

    @Test("A partition stays unowned since it was first seen so, unless nobody looked for a while")
    func unownedSince() {
        let me = MemberClaim(memberID: "a", partitions: [0, 1, 2])
        let coordinator = (state: "Stable", members: [MemberClaim(memberID: "a", partitions: [])])
        let first = Self.view(claims: [me], coordinator: coordinator)
        let second = Self.view(claims: [me], coordinator: coordinator, previous: first, at: 4)
        #expect(second.unownedSince == Self.start)
        let afterGap = Self.view(claims: [me], coordinator: coordinator, previous: second, at: 20)
        #expect(afterGap.unownedSince == Self.start.addingTimeInterval(20))
        let owned = Self.view(
            claims: [MemberClaim(memberID: "a", partitions: [0, 1, 2, 3, 4, 5])], coordinator: coordinator, previous: second, at: 6)
        #expect(owned.unowned.isEmpty && owned.unownedSince == nil)
    }

    @Test("The log end is the newest any member reported")
    func newestLogEnd() {
        let me = MemberClaim(memberID: "a", partitions: [0], positions: [0: 3], logEnds: [0: 5])
        let peer = MemberClaim(memberID: "b", partitions: [1], positions: [1: 3], logEnds: [0: 9, 1: 4])
        let view = Self.view(claims: [me, peer], coordinator: nil, logEnds: [1: 2])
        #expect(view.partitions[0].logEnd == 9 && view.partitions[0].lag == 6)
        #expect(view.partitions[1].logEnd == 4 && view.partitions[1].lag == 1)
        #expect(view.totalLag == nil, "partitions 2–5 have no known log end")
    }
}
