import MonitorPolicy
import Platform

/// The reference artifact (`STORE/reference/reference.bin`): what the
/// estimate and the drift measures need of a labeled reference set, built
/// once by the first job that needs it and read by every later one.
///
/// It is keyed by ``digest``, a digest of its source: when the source
/// changes, the artifact is built anew. A source that makes no reference
/// (too few labels, no scores) is recorded too, with the reason, so that it
/// is not read again for every period.
public struct StoredReference: Sendable, Equatable {
    static let magic = "PPREF001"

    /// ``Store/referenceDigest(files:settings:)`` of the source it was built from.
    public var digest: String
    /// `reference files` or `period 0`.
    public var source: String
    /// The reference, or why the source gives none.
    public var reference: Result<EstimationReference, EstimationUnavailable>

    public init(digest: String, source: String, reference: Result<EstimationReference, EstimationUnavailable>) {
        self.digest = digest
        self.source = source
        self.reference = reference
    }

    func encode(into file: inout FileWriter) throws(StoreError) {
        let built = try? reference.get()
        let reason = if case .failure(let why) = reference { why.description } else { "" }
        file.write(magic: Self.magic)
        file.write([digest, source, reason])
        file.write(built == nil ? 1 : 0)
        file.write(built?.labeled ?? 0)
        try file.write(array: [built?.accuracy ?? 0, built?.correctnessDeviation ?? 0])
        let arrays = [
            built?.calibration.thresholds, built?.calibration.values, built?.binEdges, built?.binShares, built?.sortedScores,
        ]
        for array in arrays { try file.write(array: array ?? []) }
    }

    init(decoding reader: inout BinaryReader) throws(StoreError) {
        let strings = try reader.readStrings()
        let hasReason = try reader.readInt()
        let labeled = try reader.readInt()
        let numbers = try reader.readArray(of: Double.self)
        guard strings.count == 3, numbers.count == 2 else { throw reader.truncated() }
        (digest, source) = (strings[0], strings[1])
        let thresholds = try reader.readArray(of: Double.self)
        let values = try reader.readArray(of: Double.self)
        let binEdges = try reader.readArray(of: Double.self)
        let binShares = try reader.readArray(of: Double.self)
        let sortedScores = try reader.readArray(of: Double.self)
        guard reader.isAtEnd else { throw reader.truncated() }
        if hasReason == 1 {
            reference = .failure(EstimationUnavailable(strings[2]))
            return
        }
        guard !thresholds.isEmpty, thresholds.count == values.count, binShares.count == binEdges.count + 1 else {
            throw reader.truncated()
        }
        reference = .success(
            EstimationReference(
                calibration: IsotonicCalibration(thresholds: thresholds, values: values), binEdges: binEdges,
                binShares: binShares, sortedScores: sortedScores, accuracy: numbers[0],
                correctnessDeviation: numbers[1], labeled: labeled
            )
        )
    }
}

extension Store {
    /// `STORE/reference/reference.bin`.
    public var referencePath: String { "\(root)/reference/reference.bin" }

    /// The reference artifact, or `nil` when none was built in this store.
    public func readReference() throws(StoreError) -> StoredReference? {
        guard FileSystem.exists(referencePath) else { return nil }
        let fd = open(referencePath, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileSystem.ioError(referencePath, "cannot open") }
        defer { close(fd) }
        var reader = try BinaryReader(fd: fd, magic: StoredReference.magic, path: referencePath)
        return try StoredReference(decoding: &reader)
    }

    /// Replaces the reference artifact (atomically).
    public func writeReference(_ reference: StoredReference) throws(StoreError) {
        try FileSystem.writeAtomically(to: referencePath) { (file: inout FileWriter) throws(StoreError) in
            try reference.encode(into: &file)
        }
    }

    /// A digest (64-bit FNV-1a, hex) of a reference's source: each file's
    /// path, size, modification time and inode (a file the store or an import
    /// replaces gets a new one), and `settings` (what else shapes the artifact).
    ///
    /// - Throws: ``StoreError`` `.missing` naming a file that does not exist.
    public static func referenceDigest(files: [String], settings: String) throws(StoreError) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ bytes: some Sequence<UInt8>) {
            for byte in bytes {
                hash ^= UInt64(byte)
                hash = hash &* 0x100_0000_01b3
            }
            hash ^= 0xff
            hash = hash &* 0x100_0000_01b3
        }
        for path in files {
            var info = stat()
            guard stat(path, &info) == 0 else { throw StoreError(.missing, path: path, "does not exist") }
            mix(path.utf8)
            #if os(Linux)
            let modified = info.st_mtim
            #else
            let modified = info.st_mtimespec
            #endif
            for value in [Int64(info.st_size), Int64(modified.tv_sec), Int64(modified.tv_nsec), Int64(info.st_ino)] {
                withUnsafeBytes(of: value.littleEndian) { mix($0) }
            }
        }
        mix(settings.utf8)
        return String(hash, radix: 16)
    }
}
