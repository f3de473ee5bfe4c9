/// Writes the store's binary files: little-endian integers, length-prefixed
/// strings, and arrays as a count followed by their raw bytes (the machine is
/// little-endian). Small values are gathered and written together; arrays go
/// straight from their storage to the file.
struct FileWriter {
    private let fd: Int32
    private let path: String
    private var pending: [UInt8] = []
    /// Bytes of arrays written, and how many of them writeback was started for.
    private var written = 0
    private var scheduled = 0

    init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
        pending.reserveCapacity(4096)
    }

    mutating func write(magic: String) {
        pending.append(contentsOf: magic.utf8)
    }

    mutating func write(_ value: Int) {
        withUnsafeBytes(of: UInt64(bitPattern: Int64(value)).littleEndian) { pending.append(contentsOf: $0) }
    }

    mutating func write(_ strings: [String]) {
        write(strings.count)
        for string in strings {
            write(string.utf8.count)
            pending.append(contentsOf: string.utf8)
        }
    }

    mutating func write<T: BitwiseCopyable>(array: [T]) throws(StoreError) {
        write(array.count)
        try flush()
        try Self.writeContents(of: array, to: fd, path: path)
        written += array.count * MemoryLayout<T>.stride
        if written - scheduled >= 1 << 20 { startWriteback() }
    }

    /// Asks the kernel to start writing what is written so far to disk, so
    /// that the final `fsync` waits only for the rest.
    private mutating func startWriteback() {
        if let syncFileRange { _ = syncFileRange(fd, 0, 0, 2) }  // SYNC_FILE_RANGE_WRITE
        scheduled = written
    }

    /// Class numbers (-1 for none) of `classCount` classes, each stored as
    /// number + 1 in one byte when there are fewer than 255 classes, else in
    /// two: a quarter or half of the bytes of `Int32`s.
    mutating func write(classNumbers numbers: [Int32], classCount: Int) throws(StoreError) {
        if classNumbersFitOneByte(classCount) {
            try write(array: numbers.map { UInt8(truncatingIfNeeded: $0 &+ 1) })
        } else {
            precondition(classCount < Int(UInt16.max), "more classes than a store file holds")
            try write(array: numbers.map { UInt16(truncatingIfNeeded: $0 &+ 1) })
        }
    }

    mutating func write(_ bytes: UnsafeRawBufferPointer) throws(StoreError) {
        try flush()
        try FileSystem.writeAll(fd, bytes, path: path)
    }

    mutating func flush() throws(StoreError) {
        guard !pending.isEmpty else { return }
        try Self.writeContents(of: pending, to: fd, path: path)
        pending.removeAll(keepingCapacity: true)
    }

    /// Writes an array's storage as it is in memory.
    private static func writeContents<T: BitwiseCopyable>(of array: [T], to fd: Int32, path: String) throws(StoreError) {
        let failure: StoreError? = array.withUnsafeBytes { raw in
            do throws(StoreError) {
                try FileSystem.writeAll(fd, raw, path: path)
                return nil
            } catch {
                return error
            }
        }
        if let failure { throw failure }
    }
}

/// Whether class numbers of `classCount` classes (stored + 1, 0 for none) take one byte each, else two.
func classNumbersFitOneByte(_ classCount: Int) -> Bool {
    classCount < Int(UInt8.max)
}

/// Reads what ``FileWriter`` wrote from an open file, checking every length
/// against the file's size; arrays are read straight into their storage.
struct BinaryReader {
    private let fd: Int32
    private let size: Int
    private var offset = 0
    let path: String

    /// Reads and checks the magic of the file open as `fd` (which the caller closes).
    init(fd: Int32, magic: String, path: String) throws(StoreError) {
        self.fd = fd
        self.path = path
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            throw StoreError(.io, path: path, "is not a regular file")
        }
        size = Int(info.st_size)
        let expected = Array(magic.utf8)
        guard size >= expected.count, try readArray(count: expected.count, of: UInt8.self) == expected else {
            throw Self.notA(magic, path)
        }
    }

    private static func notA(_ magic: String, _ path: String) -> StoreError {
        StoreError(.corrupt, path: path, "is not a \(magic) file (re-run the job that writes it)")
    }

    var isAtEnd: Bool { offset == size }

    private mutating func readExactly(into buffer: UnsafeMutableRawBufferPointer) throws(StoreError) {
        guard size - offset >= buffer.count else { throw truncated() }
        var filled = 0
        while filled < buffer.count {
            let n = read(fd, buffer.baseAddress! + filled, buffer.count - filled)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                if n < 0 { throw FileSystem.ioError(path, "read failed") }
                throw truncated()
            }
            filled += n
        }
        offset += filled
    }

    mutating func readUInt64() throws(StoreError) -> UInt64 {
        var value: UInt64 = 0
        let failure: StoreError? = withUnsafeMutableBytes(of: &value) { buffer in
            do throws(StoreError) {
                try readExactly(into: buffer)
                return nil
            } catch {
                return error
            }
        }
        if let failure { throw failure }
        return UInt64(littleEndian: value)
    }

    mutating func readInt() throws(StoreError) -> Int {
        let value = Int64(bitPattern: try readUInt64())
        guard value >= 0, value <= Int64(size) * 8 + 1 << 20 else { throw truncated() }
        return Int(value)
    }

    mutating func readString() throws(StoreError) -> String {
        let bytes = try readArray(count: try readInt(), of: UInt8.self)
        return String(decoding: bytes, as: UTF8.self)
    }

    mutating func readStrings() throws(StoreError) -> [String] {
        let count = try readInt()
        var strings: [String] = []
        strings.reserveCapacity(min(count, 1024))
        for _ in 0..<count { strings.append(try readString()) }
        return strings
    }

    /// What ``FileWriter/write(classNumbers:classCount:)`` wrote, checked: every
    /// number is below `classCount`, and at least 0 unless `allowingNone` (-1).
    mutating func readClassNumbers(classCount: Int, allowingNone: Bool) throws(StoreError) -> [Int32] {
        let lowest: Int32 = allowingNone ? 0 : 1
        let limit = Int32(clamping: classCount)
        let numbers = classNumbersFitOneByte(classCount)
            ? Self.widen(try readArray(of: UInt8.self), lowest: lowest, limit: limit)
            : Self.widen(try readArray(of: UInt16.self), lowest: lowest, limit: limit)
        guard let numbers else { throw truncated() }
        return numbers
    }

    /// `stored - 1` for each value, or `nil` when one is outside `lowest ... limit`.
    private static func widen<T: FixedWidthInteger>(_ stored: [T], lowest: Int32, limit: Int32) -> [Int32]? {
        var valid = true
        let numbers = [Int32](unsafeUninitializedCapacity: stored.count) { buffer, count in
            LargeArrays.advise(UnsafeMutableRawBufferPointer(buffer))
            for (i, value) in stored.enumerated() {
                let number = Int32(value)
                valid = valid && number >= lowest && number <= limit
                buffer[i] = number &- 1
            }
            count = stored.count
        }
        return valid ? numbers : nil
    }

    /// Skips what ``FileWriter/write(classNumbers:classCount:)`` wrote.
    ///
    /// - Returns: how many numbers there were.
    mutating func skipClassNumbers(classCount: Int) throws(StoreError) -> Int {
        classNumbersFitOneByte(classCount) ? try skipArray(of: UInt8.self) : try skipArray(of: UInt16.self)
    }

    /// Skips an array written by ``FileWriter/write(array:)``.
    ///
    /// - Returns: its element count.
    mutating func skipArray<T: BitwiseCopyable>(of: T.Type) throws(StoreError) -> Int {
        let count = try readInt()
        let (size, overflow) = count.multipliedReportingOverflow(by: MemoryLayout<T>.stride)
        guard !overflow, self.size - offset >= size else { throw truncated() }
        guard lseek(fd, off_t(size), SEEK_CUR) >= 0 else { throw FileSystem.ioError(path, "cannot seek") }
        offset += size
        return count
    }

    mutating func readArray<T: BitwiseCopyable>(of type: T.Type) throws(StoreError) -> [T] {
        try readArray(count: try readInt(), of: type)
    }

    private mutating func readArray<T: BitwiseCopyable>(count: Int, of: T.Type) throws(StoreError) -> [T] {
        let (size, overflow) = count.multipliedReportingOverflow(by: MemoryLayout<T>.stride)
        guard !overflow, self.size - offset >= size else { throw truncated() }
        var failure: StoreError?
        let array = [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            LargeArrays.advise(UnsafeMutableRawBufferPointer(buffer))
            do throws(StoreError) {
                try readExactly(into: UnsafeMutableRawBufferPointer(buffer))
                initialized = count
            } catch {
                failure = error
                initialized = 0
            }
        }
        if let failure { throw failure }
        return array
    }

    func truncated() -> StoreError {
        StoreError(.corrupt, path: path, "is truncated or corrupt (re-run the job that writes it)")
    }
}

import Platform

/// Linux's `sync_file_range` (glibc declares it only under `_GNU_SOURCE`).
private let syncFileRange: (@convention(c) (Int32, Int64, Int64, UInt32) -> Int32)? = {
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "sync_file_range") else { return nil }
    return unsafeBitCast(symbol, to: (@convention(c) (Int32, Int64, Int64, UInt32) -> Int32).self)
}()
