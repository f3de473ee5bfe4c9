import Foundation
import MonitorStore
import Testing

/// Which data set a store holds, checked in full (period 0) or for one period (every other job).
@Suite struct StoreOwnerTests {
    let owner = StoreOwner(name: "set", periods: 3, periodsDigest: "full")
    /// The record a per-period job makes on a fresh store: the name, no period digest yet.
    let nameOnly = StoreOwner(name: "set", periods: 0, periodsDigest: "none")

    func claimAll(_ store: Store, _ digests: [UInt64], name: String = "set") throws {
        try store.claim(
            for: StoreOwner(name: name, periods: digests.count, periodsDigest: "full"), dataDirectory: "/data",
            digestOfFirst: { count in count == 0 ? "none" : count <= digests.count ? "full" : nil }, filesDigests: digests)
    }

    func claimOne(_ store: Store, _ period: Int, of periods: Int = 3, _ digest: UInt64, name: String = "set") throws {
        try store.claim(
            for: StoreOwner(name: name, periods: 0, periodsDigest: "none"), dataDirectory: "/data", period: period,
            of: periods, filesDigest: digest)
    }

    func conflict(_ body: () throws -> Void) -> String? {
        let error = #expect(throws: StoreError.self) { try body() }
        #expect(error?.kind == .conflict)
        return error?.message
    }

    @Test("a period's job records its files and refuses other files for that period later")
    func perPeriod() throws {
        let store = Store(root: try temporaryDirectory())
        try claimOne(store, 2, 0xAB)
        try claimOne(store, 2, 0xAB)
        try claimOne(store, 0, 0xCD)
        #expect(conflict { try claimOne(store, 2, 0xEE) }?.contains("the files of period 2 differ") == true)
        #expect(conflict { try claimOne(store, 1, 0x01, name: "other") }?.contains("holds data set 'set', not data set 'other'") == true)
        // The full check compares every period recorded, then records them all.
        #expect(conflict { try claimAll(store, [0xCD, 0x02, 0x99]) }?.contains("the files of period 2 differ") == true)
        try claimAll(store, [0xCD, 0x02, 0xAB])
        #expect(conflict { try claimOne(store, 1, 0x03) }?.contains("period 1") == true)
        try claimOne(store, 1, 0x02)
        // Periods appended keep the store; fewer periods than recorded do not.
        try claimOne(store, 3, of: 4, 0x04)
        try claimAll(store, [0xCD, 0x02, 0xAB, 0x04])
        #expect(conflict { try claimOne(store, 0, of: 3, 0xCD) }?.contains("recorded 4 periods") == true)
    }

    @Test("a job of a later period on a store filled from another data set of the same name is refused")
    func sameNameOtherFiles() throws {
        let store = Store(root: try temporaryDirectory())
        try claimAll(store, [1, 2, 3])
        #expect(conflict { try claimOne(store, 2, 30) }?.contains("the files of period 2 differ") == true)
        try claimOne(store, 2, 3)
    }
}
