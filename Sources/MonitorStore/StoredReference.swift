import Platform

/// The reference artifact (`STORE/reference/reference.bin`): what the
/// estimate and the drift measures need of a labeled reference set, built
/// once by the first job that needs it and read by every later one.
///
/// It is keyed by ``digest``, a digest of its source: when the source
/// changes, the artifact is built anew. A source that makes no reference
/// (too few labels, no scores) is recorded too, with ``unavailableReason``,
/// so that it is not read again for every period.
public struct StoredReference: Sendable, Equatable {
    static let magic = "PPREF001"

    /// ``Store/referenceDigest(files:settings:)`` of the source it was built from.
    public var digest: String
    /// `reference files` or `period 0`.
    public var source: String
    /// Why the source gives no reference; `nil` when it does.
    public var unavailableReason: String?
    /// The calibration's fitted points.
    public var thresholds: [Double]
    public var values: [Double]
    /// The drift bins' inner edges and the reference's share in each bin.
    public var binEdges: [Double]
    public var binShares: [Double]
    /// Every reference row's score, ascending.
    public var sortedScores: [Double]
    public var accuracy: Double
    public var correctnessDeviation: Double
    public var labeled: Int

    public init(
        digest: String, source: String, unavailableReason: String? = nil, thresholds: [Double] = [], values: [Double] = [],
        binEdges: [Double] = [], binShares: [Double] = [], sortedScores: [Double] = [], accuracy: Double = 0,
        correctnessDeviation: Double = 0, labeled: Int = 0
    ) {
        self.digest = digest
        self.source = source
        self.unavailableReason = unavailableReason
        self.thresholds = thresholds
        self.values = values
        self.binEdges = binEdges
        self.binShares = binShares
        self.sortedScores = sortedScores
        self.accuracy = accuracy
        self.correctnessDeviation = correctnessDeviation
        self.labeled = labeled
    }

    func encode(into file: inout FileWriter) throws(StoreError) {
        file.write(magic: Self.magic)
        file.write([digest, source, unavailableReason ?? ""])
        file.write(unavailableReason == nil ? 0 : 1)
        file.write(labeled)
        try file.write(array: [accuracy, correctnessDeviation])
        for array in [thresholds, values, binEdges, binShares, sortedScores] { try file.write(array: array) }
    }

    init(decoding reader: inout BinaryReader) throws(StoreError) {
        let strings = try reader.readStrings()
        let hasReason = try reader.readInt()
        labeled = try reader.readInt()
        let numbers = try reader.readArray(of: Double.self)
        guard strings.count == 3, numbers.count == 2 else { throw reader.truncated() }
        (digest, source) = (strings[0], strings[1])
        unavailableReason = hasReason == 1 ? strings[2] : nil
        (accuracy, correctnessDeviation) = (numbers[0], numbers[1])
        thresholds = try reader.readArray(of: Double.self)
        values = try reader.readArray(of: Double.self)
        binEdges = try reader.readArray(of: Double.self)
        binShares = try reader.readArray(of: Double.self)
        sortedScores = try reader.readArray(of: Double.self)
        guard reader.isAtEnd, thresholds.count == values.count, binShares.count == binEdges.count + 1 || unavailableReason != nil
        else { throw reader.truncated() }
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
