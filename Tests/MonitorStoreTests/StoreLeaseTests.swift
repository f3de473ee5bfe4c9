import Foundation
import Testing

@testable import MonitorStore

/// The store's lease: one chain at a time, even when several take it at once.
@Suite struct StoreLeaseTests {
    func freshStore() -> Store {
        Store(root: FileManager.default.temporaryDirectory.appendingPathComponent("lease-\(UUID().uuidString)").path)
    }

    @Test("an exclusive write never replaces a file that is there")
    func exclusiveWrite() throws {
        let store = freshStore()
        defer { try? FileManager.default.removeItem(atPath: store.root) }
        try FileManager.default.createDirectory(atPath: store.root, withIntermediateDirectories: true)
        let path = store.root + "/lease.json"
        #expect(try store.writeJSON(["owner": "a"], to: path, durable: false, exclusive: true))
        #expect(try !store.writeJSON(["owner": "b"], to: path, durable: false, exclusive: true))
        #expect(try String(contentsOfFile: path, encoding: .utf8).contains("\"a\""))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: store.root)
        #expect(leftovers == ["lease.json"])
    }

    @Test("of chains taking a fresh or a stale lease at once, exactly one wins", arguments: [false, true])
    func oneWinner(stale: Bool) async throws {
        let store = freshStore()
        defer { try? FileManager.default.removeItem(atPath: store.root) }
        if stale {
            try store.acquireLease(owner: "dead", holder: "killed", seconds: 1, now: StoreLease.now() - 10)
        }
        let winners = await withTaskGroup(of: Bool.self) { group in
            for chain in 0..<8 {
                group.addTask {
                    do {
                        try store.acquireLease(owner: "chain-\(chain)", holder: "job", seconds: 600)
                        return true
                    } catch {
                        return false
                    }
                }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(winners == 1)
        let files = try FileManager.default.contentsOfDirectory(atPath: store.root)
        #expect(files == ["lease.json"], "\(files)")
    }
}
