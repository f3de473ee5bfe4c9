/// The data set a store was filled from: one store holds one data set, so a
/// baseline or a metric never crosses from one to another.
///
/// A data set is its name and its periods' files: the metadata may change
/// otherwise (a reference accuracy added, periods appended) and stay the
/// same data set.
public struct StoreOwner: Codable, Sendable, Equatable {
    /// The data set's `name`.
    public var name: String
    /// How many periods the digest covers.
    public var periods: Int
    /// A digest of those periods' prediction and label file paths (hex).
    public var periodsDigest: String

    public init(name: String, periods: Int, periodsDigest: String) {
        self.name = name
        self.periods = periods
        self.periodsDigest = periodsDigest
    }

    enum CodingKeys: String, CodingKey {
        case name, periods
        case periodsDigest = "periods_digest"
    }
}

extension Store {
    /// `STORE/dataset.json`: which data set filled the store.
    public var ownerPath: String { "\(root)/dataset.json" }

    /// Records `owner` as the store's data set, or checks that it is the one
    /// already recorded: the same name, and the same files for the periods
    /// recorded (`digestOfFirst(n)` digests the first `n` periods of the
    /// data set at hand, `nil` when it has fewer). A data set that gained
    /// periods is recorded anew.
    ///
    /// - Throws: ``StoreError`` `.conflict` naming both data sets when the
    ///   store holds another one; `.corrupt` or `.io` when the record cannot
    ///   be read or written.
    public func claim(
        for owner: StoreOwner, dataDirectory: String, digestOfFirst: (Int) -> String?
    ) throws(StoreError) {
        guard FileSystem.exists(ownerPath) else {
            try FileSystem.makeDirectories(root)
            try writeJSON(owner, to: ownerPath)
            return
        }
        let recorded = try readJSON(StoreOwner.self, from: ownerPath)
        let advice =
            "One store holds one data set: give this data set its own --store (or MONITOR_STORE_DIR), or remove "
            + "\(root) to start over"
        guard recorded.name == owner.name else {
            throw StoreError(
                .conflict, path: root,
                "this store holds data set '\(recorded.name)', not data set '\(owner.name)' of \(dataDirectory). \(advice)"
            )
        }
        guard digestOfFirst(recorded.periods) == recorded.periodsDigest else {
            throw StoreError(
                .conflict, path: root,
                "this store holds another data set named '\(owner.name)': the files of its first \(recorded.periods) "
                    + "periods differ from those of \(dataDirectory) (or it has fewer periods). \(advice)"
            )
        }
        if owner.periods > recorded.periods { try writeJSON(owner, to: ownerPath) }
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
