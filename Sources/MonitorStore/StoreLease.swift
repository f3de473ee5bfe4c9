import Platform

/// `STORE/lease.json`: which chain of job runs may write the store, until when.
///
/// On CML the store is a shared (NFS) file system where `flock` may not hold,
/// and the runs of one chain start on different machines: the lease is a
/// plain file, written atomically, that names its owner (a chain id the
/// chain's runs pass on in their environment) and expires unless the owner
/// refreshes it. A live lease of another owner refuses a second chain; an
/// expired one (a killed chain) is taken over.
public struct StoreLease: Codable, Sendable, Equatable {
    /// The chain id.
    public var owner: String
    /// What holds it now, for people: the job, its period, and its run id when known.
    public var holder: String
    /// Unix seconds.
    public var acquiredAt: Double
    /// Unix seconds; past it, the lease is stale.
    public var expiresAt: Double
    /// The host and process that keep the chain alive, when one does (a job
    /// at work, or `cml-local` for its runs); `nil` while handed over to a
    /// run not started yet. Gone from this host: the lease is stale at once.
    public var host: String?
    public var pid: Int32?

    public init(owner: String, holder: String, acquiredAt: Double, expiresAt: Double, host: String? = nil, pid: Int32? = nil) {
        self.owner = owner
        self.holder = holder
        self.acquiredAt = acquiredAt
        self.expiresAt = expiresAt
        self.host = host
        self.pid = pid
    }

    enum CodingKeys: String, CodingKey {
        case owner, holder, host, pid
        case acquiredAt = "acquired_at"
        case expiresAt = "expires_at"
    }

    /// Not expired, and its process (if it names one on this host) still runs.
    public func isLive(now: Double = StoreLease.now()) -> Bool {
        guard expiresAt > now else { return false }
        guard let pid, host == Self.currentHost else { return true }
        return kill(pid, 0) == 0 || errno != ESRCH
    }

    /// This machine's host name.
    public static var currentHost: String {
        var name = [UInt8](repeating: 0, count: 256)
        guard gethostname(&name, name.count - 1) == 0 else { return "?" }
        return String(decoding: name.prefix { $0 != 0 }, as: UTF8.self)
    }

    /// `owner (holder), expires at 2026-12-06T08:00:00Z`.
    public var description: String { "chain \(owner) (\(holder)), expires at \(Self.utc(expiresAt))" }

    /// The current time in Unix seconds.
    public static func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    /// `seconds` as an RFC 3339 UTC time, to the second.
    public static func utc(_ seconds: Double) -> String {
        // Clamped to years 0001…9999: a lease file holds any number.
        var time = time_t(min(max(seconds.isFinite ? seconds : 0, -62_135_596_800), 253_402_300_799).rounded(.down))
        var parts = tm()
        gmtime_r(&time, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T"
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
    }
}

extension Store {
    public var leasePath: String { "\(root)/lease.json" }

    /// The lease, or `nil` when the store has none.
    public func readLease() throws(StoreError) -> StoreLease? {
        guard FileSystem.exists(leasePath) else { return nil }
        return try readJSON(StoreLease.self, from: leasePath)
    }

    /// Takes or refreshes the lease for `owner` until `now + seconds`, kept
    /// alive by process `pid` of this host when given.
    ///
    /// A new lease is created only where none is (`link(2)`), and a stale one
    /// is first renamed aside, so of two chains taking the store at once
    /// exactly one wins; the other looks again and is refused. After writing,
    /// the lease is read back.
    ///
    /// - Returns: the stale lease of another owner that was taken over, if any.
    /// - Throws: ``StoreError`` `.locked` naming the holder when another
    ///   owner's lease has not expired; `.io` or `.corrupt` for the file.
    @discardableResult
    public func acquireLease(
        owner: String, holder: String, seconds: Double, pid: Int32? = nil, now: Double = StoreLease.now()
    ) throws(StoreError) -> StoreLease? {
        for _ in 0..<3 {
            let current = try readLease()
            if let current, current.owner != owner, current.isLive(now: now) {
                throw leaseRefusal(current)
            }
            let lease = StoreLease(
                owner: owner, holder: holder, acquiredAt: current?.owner == owner ? current!.acquiredAt : now,
                expiresAt: now + seconds, host: pid == nil ? nil : StoreLease.currentHost, pid: pid
            )
            try FileSystem.makeDirectories(root)
            // Not durable: a lease lost in a crash is stale anyway.
            if current?.owner == owner {
                try writeJSON(lease, to: leasePath, durable: false)
            } else {
                if current != nil {
                    let aside = "\(leasePath).stale-\(getpid())-\(UInt32.random(in: .min ... .max))"
                    guard rename(leasePath, aside) == 0 else {
                        if errno == ENOENT { continue }  // another chain set it aside first
                        throw StoreError(.io, path: leasePath, "cannot set the stale lease aside: \(errnoMessage())")
                    }
                    unlink(aside)
                }
                guard try writeJSON(lease, to: leasePath, durable: false, exclusive: true) else { continue }
            }
            if let written = try readLease(), written.owner != owner { throw leaseRefusal(written) }
            return current.flatMap { $0.owner != owner ? $0 : nil }
        }
        guard let current = try readLease() else {
            throw StoreError(.locked, path: root, "its lease changed hands three times while this chain tried to take it")
        }
        throw leaseRefusal(current)
    }

    /// Removes the lease if `owner` holds it (a chain that ended).
    public func releaseLease(owner: String) throws(StoreError) {
        guard let current = try readLease(), current.owner == owner else { return }
        try FileSystem.remove(leasePath)
    }

    private func leaseRefusal(_ lease: StoreLease) -> StoreError {
        StoreError(
            .locked, path: root,
            "is leased by another chain: \(lease.description). One chain at a time writes a store: wait for it "
                + "to finish (the lease is released at its end, or expires), or use another --store"
        )
    }
}
