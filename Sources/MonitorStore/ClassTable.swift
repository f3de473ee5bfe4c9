/// Interns class labels: each distinct label gets a small number, in order of
/// first appearance. Bounded, since a confusion matrix is quadratic in classes.
public struct ClassTable: Sendable {
    /// The most distinct classes a period may hold.
    public static let limit = 1000

    /// Number → label.
    public private(set) var names: [String] = []
    private var keys: [[UInt8]] = []
    private var index: [[UInt8]: Int32] = [:]
    private var lastHit: Int32 = -1

    public init() {}

    public init(names: [String]) {
        for name in names {
            _ = Array(name.utf8).withUnsafeBytes { intern($0) }
        }
    }

    /// The number of `label`, adding it if new; `nil` when that would exceed ``limit``.
    @inline(__always)
    public mutating func intern(_ label: UnsafeRawBufferPointer) -> Int32? {
        if lastHit >= 0, Self.equal(keys[Int(lastHit)], label) { return lastHit }
        if keys.count <= 8 {
            for (i, key) in keys.enumerated() where Self.equal(key, label) {
                lastHit = Int32(i)
                return lastHit
            }
            if keys.count < 8 { return add(label) }
        }
        let key = Array(label)
        if let found = index[key] {
            lastHit = found
            return found
        }
        return add(label)
    }

    /// The number of `label`, if known.
    public func number(of label: String) -> Int32? {
        names.firstIndex(of: label).map(Int32.init)
    }

    private mutating func add(_ label: UnsafeRawBufferPointer) -> Int32? {
        guard keys.count < Self.limit else { return nil }
        let key = Array(label)
        let number = Int32(keys.count)
        keys.append(key)
        index[key] = number
        names.append(String(decoding: key, as: UTF8.self))
        lastHit = number
        return number
    }

    @inline(__always)
    private static func equal(_ key: [UInt8], _ label: UnsafeRawBufferPointer) -> Bool {
        guard key.count == label.count else { return false }
        return key.withUnsafeBytes { k in
            label.count == 0 || IDTable.equal(k.baseAddress!, label.baseAddress!, label.count)
        }
    }
}

import Platform
