#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
@preconcurrency import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A data set directory with its validated metadata (docs/data-format.md).
public struct DataSet: Sendable {
    /// The data directory, as given.
    public let directory: String
    public let metadata: Metadata
    /// `realpath` of ``directory``, to check that period files stay inside it.
    private let realDirectory: String

    /// The path of the metadata file of the data set in `directory`.
    public static func metadataPath(directory: String) -> String {
        join(directory, "metadata.json.gz")
    }

    /// Reads and validates `directory/metadata.json.gz`.
    ///
    /// - Throws: ``DataError``: `.notFound` when the directory or the metadata
    ///   file does not exist, `.io` when `directory` is not a directory, a gzip
    ///   error kind for a damaged file, `.metadata` naming the metadata file
    ///   when its content is invalid.
    public init(directory: String) throws(DataError) {
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
        let bytes = try GzipReader.readAll(path: path, limit: 16 << 20)
        self.metadata = try Metadata.decode(json: bytes, file: path)
        self.directory = directory
        self.realDirectory = real
    }

    /// A digest (64-bit FNV-1a, hex) of the first `count` periods' file
    /// paths, as the metadata names them: which data set a store holds.
    /// `nil` when the data set has fewer periods.
    public func periodsDigest(first count: Int) -> String? {
        guard count >= 0, count <= metadata.periods.count else { return nil }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ text: String) {
            for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
            hash = hash &* 0x100_0000_01b3  // a 0 byte after each path: "ab","c" differs from "a","bc"
        }
        for period in metadata.periods.prefix(count) {
            mix(period.predictions)
            mix(period.labels)
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
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
    /// - Throws: ``DataError`` of kind `.metadata` when `period` is not in `0..<numPeriods`.
    public func periodInfo(_ period: Int) throws(DataError) -> PeriodInfo {
        guard period >= 0 && period < metadata.periods.count else {
            throw DataError(
                .metadata, file: Self.metadataPath(directory: directory),
                "period \(period) does not exist (the data set has periods 0…\(metadata.periods.count - 1))")
        }
        return metadata.periods[period]
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
