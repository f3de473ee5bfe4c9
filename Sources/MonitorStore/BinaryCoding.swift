/// Writes the store's binary files: little-endian integers, length-prefixed
/// strings, and arrays as a count followed by their raw bytes (the machine is
/// little-endian). Small values are gathered and written together; arrays go
/// straight from their storage to the file.
struct FileWriter {
    private let fd: Int32
    private let path: String
    private var pending: [UInt8] = []

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
        let (fd, path) = (self.fd, self.path)
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

    mutating func write(_ bytes: UnsafeRawBufferPointer) throws(StoreError) {
        try flush()
        try FileSystem.writeAll(fd, bytes, path: path)
    }

    mutating func flush() throws(StoreError) {
        guard !pending.isEmpty else { return }
        let (fd, path) = (self.fd, self.path)
        let failure: StoreError? = pending.withUnsafeBytes { raw in
            do throws(StoreError) {
                try FileSystem.writeAll(fd, raw, path: path)
                return nil
            } catch {
                return error
            }
        }
        if let failure { throw failure }
        pending.removeAll(keepingCapacity: true)
    }
}

/// Reads what ``FileWriter`` wrote, checking every length against the data.
struct BinaryReader {
    private let bytes: [UInt8]
    private var offset = 0
    let path: String

    init(_ bytes: [UInt8], magic: String, path: String) throws(StoreError) {
        self.bytes = bytes
        self.path = path
        let expected = Array(magic.utf8)
        guard bytes.count >= expected.count, Array(bytes[0..<expected.count]) == expected else {
            throw StoreError(.corrupt, path: path, "is not a \(magic) file (re-run the job that writes it)")
        }
        offset = expected.count
    }

    var isAtEnd: Bool { offset == bytes.count }

    mutating func readUInt64() throws(StoreError) -> UInt64 {
        guard bytes.count - offset >= 8 else { throw truncated() }
        let value = bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: UInt64.self) }
        offset += 8
        return UInt64(littleEndian: value)
    }

    mutating func readInt() throws(StoreError) -> Int {
        let value = Int64(bitPattern: try readUInt64())
        guard value >= 0, value <= Int64(bytes.count) * 8 + 1 << 20 else { throw truncated() }
        return Int(value)
    }

    mutating func readString() throws(StoreError) -> String {
        let count = try readInt()
        guard bytes.count - offset >= count else { throw truncated() }
        defer { offset += count }
        return String(decoding: bytes[offset..<offset + count], as: UTF8.self)
    }

    mutating func readStrings() throws(StoreError) -> [String] {
        let count = try readInt()
        var strings: [String] = []
        strings.reserveCapacity(min(count, 1024))
        for _ in 0..<count { strings.append(try readString()) }
        return strings
    }

    mutating func readArray<T: BitwiseCopyable>(of: T.Type) throws(StoreError) -> [T] {
        let count = try readInt()
        let size = count * MemoryLayout<T>.stride
        guard bytes.count - offset >= size else { throw truncated() }
        let array = [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            bytes.withUnsafeBytes { source in
                UnsafeMutableRawBufferPointer(buffer).copyMemory(
                    from: UnsafeRawBufferPointer(rebasing: source[offset..<offset + size])
                )
            }
            initialized = count
        }
        offset += size
        return array
    }

    func truncated() -> StoreError {
        StoreError(.corrupt, path: path, "is truncated or corrupt (re-run the job that writes it)")
    }
}
