import MonitorStore
import Platform
import Synchronization

/// The store's lease (``StoreLease``) for one job run: taken at the start,
/// refreshed on its own thread while the job works, then handed to the run
/// this job triggers or released when the chain ends.
///
/// A chain's runs share the owner id through `MONITOR_CHAIN_ID` in their
/// environment: this job passes it to the run it triggers.
final class LeaseKeeper: @unchecked Sendable {
    /// The run environment variable that names the chain a run belongs to.
    static let chainVariable = "MONITOR_CHAIN_ID"
    /// Job-level: how long a lease lasts unless refreshed (default ``defaultSeconds``).
    static let secondsVariable = "MONITOR_LEASE_SECONDS"
    static let defaultSeconds = 600.0
    /// The longest lease a setting may ask for: a year.
    static let maximumSeconds = 31_536_000.0
    /// Set by `cml-local` for its runs: its own pid, which keeps the chain alive between runs.
    static let pidVariable = "MONITOR_LEASE_PID"

    let store: Store
    let owner: String
    let seconds: Double
    private let holder: String
    /// The process that keeps the chain alive while this job works, and after it (`cml-local`'s, if any).
    private let pid: Int32
    private let launcherPID: Int32?
    /// Set when a refresh found the lease taken over (this chain was judged stale).
    private let lost = Mutex<StoreError?>(nil)
    /// Allocated, not stored: both threads pass their address, which a stored property's `&` does not keep stable.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    /// Guarded by ``mutex``.
    private var stopping = false
    private var thread: pthread_t?

    /// Takes the lease (or refreshes this chain's) and starts refreshing it
    /// every third of its duration.
    ///
    /// - Throws: ``JobFailure`` naming the holder when another chain's lease is live.
    init(store: Store, context: JobContext, holder: String) throws(JobFailure) {
        self.store = store
        owner = context.environment[Self.chainVariable].flatMap { $0.isEmpty ? nil : $0 } ?? Self.makeOwner()
        seconds = try Self.seconds(context.environment)
        launcherPID = context.environment[Self.pidVariable].flatMap { Int32($0) }
        pid = launcherPID ?? getpid()
        self.holder = holder + ", pid \(getpid()) on \(StoreLease.currentHost)"
        let stale: StoreLease?
        do { stale = try store.acquireLease(owner: owner, holder: self.holder, seconds: seconds, pid: pid) } catch {
            throw JobFailure(error)
        }
        if let stale {
            context.output.error(
                "WARNING: taking over the stale lease of store \(store.root): \(stale.description) (a chain killed or "
                    + "stopped without releasing it)"
            )
        }
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
        thread = startThread { [self] in refreshLoop() }
        if thread == nil {
            try? store.releaseLease(owner: owner)
            throw JobFailure("cannot start the thread that keeps the lease of store \(store.root) (\(errnoMessage()))")
        }
    }

    deinit {
        stopRefreshing()
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    /// Stops refreshing; then fails when a refresh found the lease lost.
    func stop() throws(JobFailure) {
        stopRefreshing()
        if let error = lost.withLock({ $0 }) { throw JobFailure(error) }
    }

    /// Writes the lease for the run this job triggered, which refreshes it from its start.
    func handOver(to holder: String) throws(JobFailure) {
        stopRefreshing()
        do { try store.acquireLease(owner: owner, holder: holder, seconds: seconds, pid: launcherPID) } catch {
            throw JobFailure(error)
        }
    }

    /// Ends the chain's lease (best effort: an expired lease is taken over anyway).
    func release() {
        stopRefreshing()
        try? store.releaseLease(owner: owner)
    }

    private func stopRefreshing() {
        guard let thread else { return }
        pthread_mutex_lock(mutex)
        stopping = true
        pthread_cond_signal(condition)
        pthread_mutex_unlock(mutex)
        pthread_join(thread, nil)
        self.thread = nil
    }

    private func refreshLoop() {
        let interval = seconds / 3
        pthread_mutex_lock(mutex)
        while !stopping {
            var deadline = timespec()
            clock_gettime(CLOCK_REALTIME, &deadline)
            let nanoseconds = Int(deadline.tv_nsec) + Int((interval - interval.rounded(.down)) * 1e9)
            deadline.tv_sec += Int(interval.rounded(.down)) + nanoseconds / 1_000_000_000
            deadline.tv_nsec = nanoseconds % 1_000_000_000
            if pthread_cond_timedwait(condition, mutex, &deadline) == ETIMEDOUT, !stopping {
                pthread_mutex_unlock(mutex)
                // Another chain's lease is a loss for good; a failed write only until a refresh succeeds.
                do {
                    try store.acquireLease(owner: owner, holder: holder, seconds: seconds, pid: pid)
                    lost.withLock { if $0?.kind != .locked { $0 = nil } }
                } catch {
                    lost.withLock { if $0?.kind != .locked { $0 = error } }
                }
                pthread_mutex_lock(mutex)
            }
        }
        pthread_mutex_unlock(mutex)
    }

    private static func seconds(_ environment: [String: String]) throws(JobFailure) -> Double {
        guard let text = environment[secondsVariable], !text.isEmpty else { return defaultSeconds }
        guard let value = Double(text), value.isFinite, value > 0, value <= maximumSeconds else {
            throw JobFailure(
                "Invalid \(secondsVariable) '\(text)': expected a positive number of seconds, at most \(Int(maximumSeconds)) (a year)")
        }
        return value
    }

    /// `chain-` and 16 random hex digits.
    static func makeOwner() -> String {
        let hex = String(UInt64.random(in: .min ... .max), radix: 16)
        return "chain-" + String(repeating: "0", count: 16 - hex.count) + hex
    }
}
