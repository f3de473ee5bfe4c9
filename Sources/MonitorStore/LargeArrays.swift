import Platform

/// Arrays of a period's size (megabytes), allocated so that Linux may back
/// them with transparent huge pages (`madvise(MADV_HUGEPAGE)` before the
/// first touch): each aligned 2 MiB extent inside them then costs one page
/// fault instead of 512, and random probes into it miss the TLB less.
/// Arrays under 2 MiB are left alone.
public enum LargeArrays {
    /// The huge page size; smaller arrays are left alone.
    static let hugePage = 2 << 20

    /// `count` copies of `value`.
    public static func make<T: BitwiseCopyable>(repeating value: T, count: Int) -> [T] {
        [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            advise(UnsafeMutableRawBufferPointer(buffer))
            buffer.initialize(repeating: value)
            initialized = count
        }
    }

    /// An empty array with room for `capacity` elements.
    public static func reserved<T: BitwiseCopyable>(capacity: Int) -> [T] {
        [T](unsafeUninitializedCapacity: capacity) { buffer, initialized in
            advise(UnsafeMutableRawBufferPointer(buffer))
            initialized = 0
        }
    }

    /// Asks for huge pages for the whole 2 MiB extents inside `buffer`.
    static func advise(_ buffer: UnsafeMutableRawBufferPointer) {
        guard buffer.count >= hugePage, let base = buffer.baseAddress else { return }
        let start = (Int(bitPattern: base) + hugePage - 1) & ~(hugePage - 1)
        let end = (Int(bitPattern: base) + buffer.count) & ~(hugePage - 1)
        guard end > start, let pointer = UnsafeMutableRawPointer(bitPattern: start) else { return }
        _ = madvise(pointer, end - start, 14)  // MADV_HUGEPAGE; advice only, failure changes nothing
    }
}
