import Foundation
import MonitorPolicy
import Testing

@testable import MonitorStore

/// `STORE/reference/reference.bin`: the policy's reference, or why there is none, kept as written.
@Suite struct StoredReferenceTests {
    func freshStore() -> Store {
        Store(root: FileManager.default.temporaryDirectory.appendingPathComponent("ref-\(UUID().uuidString)").path)
    }

    @Test("a reference, and a reason for none, read back as written")
    func roundTrip() throws {
        let store = freshStore()
        defer { try? FileManager.default.removeItem(atPath: store.root) }
        let reference = EstimationReference(
            calibration: IsotonicCalibration(thresholds: [0.1, 0.9], values: [0.2, 0.8]), binEdges: [0.5],
            binShares: [0.4, 0.6], sortedScores: [0.1, 0.5, 0.9], accuracy: 0.75, correctnessDeviation: 0.25, labeled: 40
        )
        for stored in [
            StoredReference(digest: "d1", source: "reference files", reference: .success(reference)),
            StoredReference(digest: "d2", source: "period 0", reference: .failure(EstimationUnavailable("no score column"))),
        ] {
            try store.writeReference(stored)
            #expect(try store.readReference() == stored)
        }
    }

    @Test("a reference file without a reason and without a calibration is refused, not trusted")
    func emptyCalibration() throws {
        let store = freshStore()
        defer { try? FileManager.default.removeItem(atPath: store.root) }
        try store.writeReference(StoredReference(digest: "d", source: "period 0", reference: .failure(.init("x"))))
        // The same bytes with the "has a reason" flag cleared: a reference with no calibration points.
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: store.referencePath)))
        // Magic, string count, then each string as its length and bytes: "d", "period 0", "x".
        let flag = 8 + 8 + (8 + 1) + (8 + 8) + (8 + 1)
        #expect(bytes[flag] == 1)
        bytes[flag] = 0
        try Data(bytes).write(to: URL(fileURLWithPath: store.referencePath))
        #expect(throws: StoreError.self) { try store.readReference() }
    }
}
