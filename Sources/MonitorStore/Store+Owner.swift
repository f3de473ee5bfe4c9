/// The data set a store was filled from: one store holds one data set, so a
/// baseline or a metric never crosses from one to another.
public struct StoreOwner: Codable, Sendable, Equatable {
    /// The data set's `name`.
    public var name: String
    /// A digest of its metadata (hex).
    public var metadataDigest: String

    public init(name: String, metadataDigest: String) {
        self.name = name
        self.metadataDigest = metadataDigest
    }

    enum CodingKeys: String, CodingKey {
        case name
        case metadataDigest = "metadata_digest"
    }
}

extension Store {
    /// `STORE/dataset.json`: which data set filled the store.
    public var ownerPath: String { "\(root)/dataset.json" }

    /// Records `owner` as the store's data set, or checks that it is the one
    /// already recorded.
    ///
    /// - Throws: ``StoreError`` `.conflict` naming both data sets when the
    ///   store holds another one; `.corrupt` or `.io` when the record cannot
    ///   be read or written.
    public func claim(for owner: StoreOwner, dataDirectory: String) throws(StoreError) {
        guard FileSystem.exists(ownerPath) else {
            try FileSystem.makeDirectories(root)
            try writeJSON(owner, to: ownerPath)
            return
        }
        let recorded = try readJSON(StoreOwner.self, from: ownerPath)
        guard recorded != owner else { return }
        let what =
            recorded.name == owner.name
            ? "data set '\(owner.name)' with other metadata (digest \(recorded.metadataDigest), now \(owner.metadataDigest))"
            : "data set '\(recorded.name)'"
        throw StoreError(
            .conflict, path: root,
            "this store holds \(what), not data set '\(owner.name)' of \(dataDirectory). One store holds one data set: "
                + "give this data set its own --store (or MONITOR_STORE_DIR), or remove \(root) to start over"
        )
    }
}

/// `STORE/task.json`: binary or multiclass, decided once for the data set.
public struct StoredTask: Codable, Sendable, Equatable {
    /// `binary` or `macro`.
    public var averaging: String
    /// The classes the decision saw, sorted: in a binary data set, the expected ones.
    public var classes: [String]
    /// What decided it: `metadata task`, `period 0`, `reference set`…
    public var source: String

    public init(averaging: String, classes: [String], source: String) {
        self.averaging = averaging
        self.classes = classes
        self.source = source
    }
}

extension Store {
    public var taskPath: String { "\(root)/task.json" }

    /// The data set's recorded task, or `nil` before the first check.
    public func readTask() throws(StoreError) -> StoredTask? {
        guard FileSystem.exists(taskPath) else { return nil }
        return try readJSON(StoredTask.self, from: taskPath)
    }

    public func writeTask(_ task: StoredTask) throws(StoreError) {
        try FileSystem.makeDirectories(root)
        try writeJSON(task, to: taskPath)
    }
}
