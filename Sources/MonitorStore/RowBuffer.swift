/// A growable buffer of plain values for the row loops: appends are a
/// capacity check and a store, without the copy-on-write uniqueness check
/// and generic `append(contentsOf:)` path of an `Array` (together about a
/// tenth of load-ground-truth's main thread). Non-copyable: it owns its memory.
@usableFromInline
struct RowBuffer<Element: BitwiseCopyable>: ~Copyable {
    @usableFromInline var base: UnsafeMutablePointer<Element>
    @usableFromInline var capacity: Int
    @usableFromInline var count = 0

    @usableFromInline
    init(capacity: Int) {
        self.capacity = max(capacity, 16)
        base = .allocate(capacity: self.capacity)
    }

    @inlinable deinit {
        base.deallocate()
    }

    @inlinable @inline(__always)
    subscript(index: Int) -> Element {
        precondition(index >= 0 && index < count, "RowBuffer index out of range")
        return base[index]
    }

    /// The elements; valid until the next mutation.
    var elements: UnsafeBufferPointer<Element> {
        UnsafeBufferPointer(start: base, count: count)
    }

    @inlinable @inline(__always)
    mutating func append(_ element: Element) {
        if count == capacity { grow(to: count + 1) }
        (base + count).initialize(to: element)
        count += 1
    }

    @usableFromInline
    mutating func removeAll() {
        count = 0
    }

    @usableFromInline
    mutating func grow(to needed: Int) {
        var newCapacity = capacity * 2
        while newCapacity < needed { newCapacity *= 2 }
        let newBase = UnsafeMutablePointer<Element>.allocate(capacity: newCapacity)
        newBase.initialize(from: base, count: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }
}

extension RowBuffer where Element == UInt8 {
    /// Appends `bytes`.
    @inlinable @inline(__always)
    mutating func append(bytes: UnsafeRawBufferPointer) {
        let n = bytes.count
        if count + n > capacity { grow(to: count + n) }
        if n > 0 { UnsafeMutableRawPointer(base + count).copyMemory(from: bytes.baseAddress!, byteCount: n) }
        count += n
    }

    /// Bytes `range`; valid until the next mutation.
    @inline(__always)
    func bytes(_ range: Range<Int>) -> UnsafeRawBufferPointer {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "RowBuffer range out of bounds")
        return UnsafeRawBufferPointer(start: base + range.lowerBound, count: range.count)
    }
}
