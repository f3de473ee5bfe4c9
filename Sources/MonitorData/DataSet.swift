import Platform

/// A data set directory with its validated metadata (docs/data-format.md).
public struct DataSet: Sendable {
    /// The data directory, as given.
    public let directory: String
    public let metadata: Metadata
    /// `realpath` of ``directory``, to check that period files stay inside it.
    private let realDirectory: String

    /// The largest decompressed metadata file the jobs read, in bytes (16 MiB); a larger one is refused.
    public static let maxMetadataBytes = 16 << 20

    /// The path of the metadata file of the data set in `directory`.
    public static func metadataPath(directory: String) -> String {
        join(directory, "metadata.json.gz")
    }

    /// What of the metadata to check.
    public enum Scope: Sendable, Equatable {
        /// Every period's entry (``Metadata/decode(json:file:)``).
        case all
        /// What one period's job needs (``Metadata/decode(json:file:period:)``):
        /// its cost does not grow with the number of periods beyond reading the file.
        case period(Int)
    }

    /// Reads and validates `directory/metadata.json.gz`: all of it, or only
    /// what one period needs (`scope`).
    ///
    /// - Throws: ``DataError``: `.notFound` when the directory or the metadata
    ///   file does not exist, `.io` when `directory` is not a directory, a gzip
    ///   error kind for a damaged file, `.metadata` naming the metadata file
    ///   when its content is invalid.
    public init(directory: String, scope: Scope = .all) throws(DataError) {
        var info = stat()
        if stat(directory, &info) != 0 {
            let code = errno
            if code == ENOENT || code == ENOTDIR {
                throw DataError(.notFound, file: directory, "the data directory does not exist")
            }
            throw DataError(.io, file: directory, "cannot access the data directory: \(errnoMessage(code))")
        }
        if (info.st_mode & S_IFMT) != S_IFDIR {
            throw DataError(.io, file: directory, "the data directory is not a directory")
        }
        guard let real = Self.realPath(directory) else {
            throw DataError(.io, file: directory, "cannot resolve the data directory: \(errnoMessage(errno))")
        }
        let path = Self.metadataPath(directory: directory)
        let bytes = try Self.readMetadata(path: path, limit: Self.maxMetadataBytes)
        switch scope {
        case .all: self.metadata = try Metadata.decode(json: bytes, file: path)
        case .period(let period): self.metadata = try Metadata.decode(json: bytes, file: path, period: period)
        }
        self.directory = directory
        self.realDirectory = real
    }

    /// The decompressed metadata, inflated straight into one buffer sized from
    /// the gzip trailer's length field (a hint: content that fills the buffer
    /// is read again the general way): no copy and no regrowth of a buffer of
    /// every period's entries.
    static func readMetadata(path: String, limit: Int) throws(DataError) -> [UInt8] {
        let reader = try GzipReader(path: path, chunkSize: 64 * 1024)
        let capacity = min(max(trailerLength(path) ?? 0, 4096) + 1, limit)
        var failure: DataError?
        var complete = false
        let bytes = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
            do throws(DataError) {
                // Until the reader says the end (0), which also checks the trailer and what follows it.
                while count < buffer.count {
                    let read = try reader.read(into: UnsafeMutableRawBufferPointer(UnsafeMutableBufferPointer(rebasing: buffer[count...])))
                    if read == 0 {
                        complete = true
                        return
                    }
                    count += read
                }
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        return complete ? bytes : try GzipReader.readAll(path: path, limit: limit)
    }

    /// The last gzip member's `ISIZE`: the content's length modulo 2^32.
    private static func trailerLength(_ path: String) -> Int? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_size >= 18 else { return nil }
        var length: UInt32 = 0
        guard withUnsafeMutableBytes(of: &length, { pread(fd, $0.baseAddress, 4, info.st_size - 4) }) == 4 else { return nil }
        return Int(UInt32(littleEndian: length))
    }

    /// A digest (64-bit FNV-1a, hex) of the first `count` periods' file
    /// paths, as the metadata names them: which data set a store holds.
    /// `nil` when the data set has fewer periods, or when the metadata was
    /// read for one period and `count` is not 0.
    public func periodsDigest(first count: Int) -> String? {
        guard count >= 0, count <= metadata.periods.count, count == 0 || metadata.isComplete else { return nil }
        var hash = Self.fnvBasis
        for period in metadata.periods.prefix(count) {
            Self.mix(period.predictions, into: &hash)
            Self.mix(period.labels, into: &hash)
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// A digest (64-bit FNV-1a, never 0) of period `period`'s two file paths,
    /// as the metadata names them: which files a store's period came from.
    ///
    /// - Throws: ``DataError`` of kind `.metadata` when the period's entry was not read.
    public func filesDigest(period: Int) throws(DataError) -> UInt64 {
        Self.filesDigest(of: try periodInfo(period))
    }

    /// ``filesDigest(period:)`` of an entry.
    public static func filesDigest(of info: PeriodInfo) -> UInt64 {
        var hash = fnvBasis
        mix(info.predictions, into: &hash)
        mix(info.labels, into: &hash)
        return hash == 0 ? 1 : hash
    }

    private static let fnvBasis: UInt64 = 0xcbf2_9ce4_8422_2325

    private static func mix(_ text: String, into hash: inout UInt64) {
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        hash = hash &* 0x100_0000_01b3  // a 0 byte after each path: "ab","c" differs from "a","bc"
    }

    /// The path of period `period`'s predictions file, checked to stay inside the data dir.
    ///
    /// - Throws: ``DataError`` of kind `.metadata` when `period` is out of range or
    ///   the file resolves (through symbolic links) to a place outside the data directory.
    public func predictionsPath(period: Int) throws(DataError) -> String {
        let info = try periodInfo(period)
        return try checkedPath(info.predictions, field: "periods[\(period)].predictions")
    }

    /// The path of period `period`'s labels file, checked to stay inside the data dir.
    ///
    /// - Throws: ``DataError`` of kind `.metadata` when `period` is out of range or
    ///   the file resolves (through symbolic links) to a place outside the data directory.
    public func labelsPath(period: Int) throws(DataError) -> String {
        let info = try periodInfo(period)
        return try checkedPath(info.labels, field: "periods[\(period)].labels")
    }

    /// The metadata entry of `period`.
    ///
    /// - Throws: ``DataError`` of kind `.metadata` when `period` is not in
    ///   `0..<numPeriods`, or its entry was not read (metadata read for another period).
    public func periodInfo(_ period: Int) throws(DataError) -> PeriodInfo {
        guard period >= 0 && period < metadata.numPeriods else {
            throw DataError(
                .metadata, file: Self.metadataPath(directory: directory),
                "period \(period) does not exist (the data set has periods 0…\(metadata.numPeriods - 1))")
        }
        if metadata.isComplete { return metadata.periods[period] }
        guard let info = metadata.periods.first(where: { $0.period == period }) else {
            throw DataError(
                .metadata, file: Self.metadataPath(directory: directory),
                "periods[\(period)] was not read: the metadata was read for another period")
        }
        return info
    }

    func checkedPath(_ relative: String, field: String) throws(DataError) -> String {
        let metadataFile = Self.metadataPath(directory: directory)
        try Metadata.checkRelativePath(relative, field: field, file: metadataFile)
        let joined = Self.join(directory, relative)
        // A file that does not exist is reported when it is opened (notFound), but the
        // folders on its way must not lead outside either: check the deepest existing one.
        var candidate = joined
        var resolved = Self.realPath(candidate)
        while resolved == nil, let slash = candidate.lastIndex(of: "/"), slash > candidate.startIndex {
            candidate = String(candidate[..<slash])
            resolved = Self.realPath(candidate)
        }
        guard let real = resolved else { return joined }
        if real == realDirectory { return joined }
        let prefix = realDirectory.hasSuffix("/") ? realDirectory : realDirectory + "/"
        if !real.hasPrefix(prefix) {
            throw DataError(
                .metadata, file: metadataFile,
                "\(field) \"\(relative)\" resolves to \(real), outside the data directory \(realDirectory)")
        }
        return joined
    }

    static func join(_ directory: String, _ relative: String) -> String {
        if directory.isEmpty { return relative }
        return directory.hasSuffix("/") ? directory + relative : directory + "/" + relative
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
