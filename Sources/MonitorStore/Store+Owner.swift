import Platform

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

    /// `STORE/period-files.bin`: 8 bytes per period, the digest of the files
    /// its outputs came from (little-endian; 0 = none recorded yet).
    public var periodFilesPath: String { "\(root)/period-files.bin" }

    /// The full check: records `owner` as the store's data set, or checks
    /// that it is the one already recorded: the same name, and the same files
    /// for the periods recorded (`digestOfFirst(n)` digests the first `n`
    /// periods of the data set at hand, `nil` when it has fewer;
    /// `filesDigests[i]` is period `i`'s, compared with each period recorded
    /// in ``periodFilesPath`` and then recorded for every period). A data set
    /// that gained periods is recorded anew.
    ///
    /// - Throws: ``StoreError`` `.conflict` naming both data sets when the
    ///   store holds another one; `.corrupt` or `.io` when the record cannot
    ///   be read or written.
    public func claim(
        for owner: StoreOwner, dataDirectory: String, digestOfFirst: (Int) -> String?, filesDigests: [UInt64]
    ) throws(StoreError) {
        if let recorded = try recordedOwner(checking: owner, dataDirectory: dataDirectory) {
            guard digestOfFirst(recorded.periods) == recorded.periodsDigest else {
                throw StoreError(
                    .conflict, path: root,
                    "this store holds another data set named '\(owner.name)': the files of its first \(recorded.periods) "
                        + "periods differ from those of \(dataDirectory) (or it has fewer periods). \(ownerAdvice)"
                )
            }
            if owner.periods > recorded.periods { try writeJSON(owner, to: ownerPath) }
        }
        let table = FileSystem.exists(periodFilesPath) ? try FileSystem.read(periodFilesPath, limit: 1 << 30) : []
        for period in 0..<(table.count / 8) {
            let recorded = Self.digest(in: table, at: period)
            guard recorded == 0 || (period < filesDigests.count && filesDigests[period] == recorded) else {
                throw filesConflict(name: owner.name, period: period, dataDirectory: dataDirectory)
            }
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(filesDigests.count * 8)
        for digest in filesDigests { withUnsafeBytes(of: digest.littleEndian) { bytes += $0 } }
        if table.starts(with: bytes) { return }
        // In place, no temporary file: each 8-byte record is either still 0 (not recorded) or right.
        try writePeriodFiles(bytes, at: 0)
    }

    /// The check of one period's job, its cost independent of the number of
    /// periods: the store's data set has `owner`'s name (`owner` is recorded
    /// when the store has none), had no more periods than `periods`, and
    /// period `period`'s outputs came from the files `filesDigest` digests
    /// (recorded now when the store has no digest for the period).
    ///
    /// - Throws: ``StoreError`` `.conflict` naming both data sets when the
    ///   store holds another one; `.corrupt` or `.io` when a record cannot
    ///   be read or written.
    public func claim(
        for owner: StoreOwner, dataDirectory: String, period: Int, of periods: Int, filesDigest: UInt64
    ) throws(StoreError) {
        if let recorded = try recordedOwner(checking: owner, dataDirectory: dataDirectory), recorded.periods > periods {
            throw StoreError(
                .conflict, path: root,
                "this store holds another data set named '\(owner.name)': it recorded \(recorded.periods) periods, "
                    + "\(dataDirectory) has \(periods). \(ownerAdvice)"
            )
        }
        let path = periodFilesPath
        var recorded: UInt64 = 0
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd >= 0 {
            defer { close(fd) }
            var stored: UInt64 = 0
            let count = withUnsafeMutableBytes(of: &stored) { pread(fd, $0.baseAddress, 8, off_t(period) * 8) }
            guard count >= 0 else { throw FileSystem.ioError(path, "read failed") }
            recorded = count == 8 ? UInt64(littleEndian: stored) : 0
        } else if errno != ENOENT {
            throw FileSystem.ioError(path, "cannot open")
        }
        if recorded == filesDigest { return }
        guard recorded == 0 else {
            throw filesConflict(name: owner.name, period: period, dataDirectory: dataDirectory)
        }
        // One 8-byte record in place: a reader sees the old zeros or the digest.
        try writePeriodFiles(withUnsafeBytes(of: filesDigest.littleEndian) { Array($0) }, at: period * 8)
    }

    /// Writes `bytes` into ``periodFilesPath`` at `offset` and fsyncs it.
    private func writePeriodFiles(_ bytes: [UInt8], at offset: Int) throws(StoreError) {
        let path = periodFilesPath
        try FileSystem.makeDirectories(root)
        let fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileSystem.ioError(path, "cannot open") }
        defer { close(fd) }
        let written = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, off_t(offset)) }
        guard written == bytes.count, fsync(fd) == 0 else { throw FileSystem.ioError(path, "write failed") }
    }

    /// The recorded owner after checking its name against `owner`'s; `nil`
    /// when the store had none and `owner` was recorded.
    private func recordedOwner(checking owner: StoreOwner, dataDirectory: String) throws(StoreError) -> StoreOwner? {
        guard FileSystem.exists(ownerPath) else {
            try FileSystem.makeDirectories(root)
            try writeJSON(owner, to: ownerPath)
            return nil
        }
        let recorded = try readJSON(StoreOwner.self, from: ownerPath)
        guard recorded.name == owner.name else {
            throw StoreError(
                .conflict, path: root,
                "this store holds data set '\(recorded.name)', not data set '\(owner.name)' of \(dataDirectory). \(ownerAdvice)"
            )
        }
        return recorded
    }

    private var ownerAdvice: String {
        "One store holds one data set: give this data set its own --store (or MONITOR_STORE_DIR), or remove "
            + "\(root) to start over"
    }

    private func filesConflict(name: String, period: Int, dataDirectory: String) -> StoreError {
        StoreError(
            .conflict, path: root,
            "this store holds another data set named '\(name)': the files of period \(period) differ from those of "
                + "\(dataDirectory) (or it has fewer periods). \(ownerAdvice)"
        )
    }

    private static func digest(in table: [UInt8], at period: Int) -> UInt64 {
        var value: UInt64 = 0
        for byte in table[(period * 8)..<(period * 8 + 8)].reversed() { value = value << 8 | UInt64(byte) }
        return value
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
