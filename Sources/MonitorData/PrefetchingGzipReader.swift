import Platform

/// ``GzipReader`` behind a read-ahead thread, for ``CSVReader``: while the job
/// parses one buffer, a producer thread inflates the next ones into a small
/// ring (``slotCount`` buffers of ``slotSize`` bytes), so the inflate time of
/// a single-threaded job is hidden on a second core.
///
/// ``read(into:)`` returns exactly what `GzipReader.read(into:)` would return
/// for the same sequence of calls, errors included: a call that would have met
/// an error in the stream throws it (the bytes it had produced are not
/// delivered, as with ``GzipReader``), a short count comes at the same place
/// (end of data, or just before a truncation), and the error is raised again
/// on a later call. (The only theoretical difference: zlib may report an error
/// found right after output that exactly fills the caller's buffer within that
/// same call; here that call returns the bytes and the next one throws.)
///
/// Small inputs pay no thread: the first ``syncBytes`` bytes are inflated on
/// the caller's thread, and the producer starts only when a read came back full
/// after them. The producer is stopped and joined in `deinit`, so a consumer
/// that stops early (a CSV error mid-file) leaves no thread behind.
final class PrefetchingGzipReader {
    /// Small slots on purpose: the consumer copies a slot while it is still in the
    /// caches. Measured on a 250,000-row period (2-core EPYC): 256 KiB x 3 slots hid
    /// the inflate but made the parse ~18 ms slower (net loss); 64 KiB x 4 was in
    /// between; 32 KiB x 6 and 16 KiB x 8 left the parse time as it was.
    static let slotSize = 16 * 1024
    static let slotCount = 8
    /// Bytes inflated synchronously before the producer starts.
    static let syncBytes = 256 * 1024

    private let gzip: GzipReader
    private var shared: PrefetchRing?
    private var thread: pthread_t?
    /// Whether starting the thread failed: then everything stays synchronous.
    private var threadFailed = false

    // Consumer-side state (only the consumer thread touches these).
    private var holding = false
    private var slot = 0
    private var slotFill = PrefetchRing.Fill(count: 0, error: nil)
    private var offset = 0
    private var finalError: DataError?
    private var finished = false

    init(_ gzip: GzipReader) {
        self.gzip = gzip
    }

    deinit {
        if let shared, let thread {
            shared.stop()
            pthread_join(thread, nil)
        }
    }

    /// Same contract as `GzipReader.read(into:)`.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(DataError) -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        guard let shared else {
            let got = try gzip.read(into: buffer)
            if got == buffer.count && gzip.bytesOut >= Self.syncBytes && !threadFailed {
                start()
            }
            return got
        }
        if let finalError { throw finalError }
        if finished { return 0 }
        var copied = 0
        while true {
            if !holding {
                slotFill = shared.take(slot)
                holding = true
                offset = 0
            }
            let n = min(slotFill.count - offset, buffer.count - copied)
            if n > 0 {
                (base + copied).copyMemory(from: shared.buffer(slot) + offset, byteCount: n)
                offset += n
                copied += n
            }
            if copied == buffer.count { return copied }
            // The slot is used up and the caller wants more.
            let fill = slotFill
            holding = false
            shared.release()
            slot = (slot + 1) % Self.slotCount
            if let error = fill.error {
                finalError = error
                throw error
            }
            if fill.count == 0 {
                finished = true
                return copied
            }
            // GzipReader stopped short (end of data or just before a truncation): so does this call.
            if fill.count < Self.slotSize && copied > 0 { return copied }
        }
    }

    private func start() {
        let ring = PrefetchRing(gzip: gzip)
        guard let id = startThread({ ring.produce() }) else {
            threadFailed = true
            return
        }
        shared = ring
        thread = id
    }
}

/// The ring shared by the consumer and the producer thread.
///
/// `@unchecked Sendable` (the package's one such type for this): every mutable
/// field is accessed under `mutex`, except the slot buffers and the
/// ``GzipReader``. The GzipReader is used only by the producer once it runs
/// (the consumer stops using it before the thread is created, and uses it
/// again only after `pthread_join`). A slot's buffer is written only by the
/// producer while the slot is not counted in `ready`, and read only by the
/// consumer while it is; the hand-over (`ready += 1` / `ready -= 1`) happens
/// under `mutex`, which orders the writes before the reads and vice versa.
final class PrefetchRing: @unchecked Sendable {
    struct Fill {
        /// Bytes in the slot (produced before the error when `error` is set).
        var count: Int
        var error: DataError?
    }

    private let gzip: GzipReader
    private let storage: UnsafeMutableRawPointer
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let cond: UnsafeMutablePointer<pthread_cond_t>
    // Guarded by `mutex`:
    private var fills: [Fill]
    private var ready = 0
    private var stopping = false

    init(gzip: GzipReader) {
        self.gzip = gzip
        let count = PrefetchingGzipReader.slotCount
        storage = UnsafeMutableRawPointer.allocate(
            byteCount: count * PrefetchingGzipReader.slotSize, alignment: 64)
        fills = Array(repeating: Fill(count: 0, error: nil), count: count)
        mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
        cond = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
        cond.initialize(to: pthread_cond_t())
        pthread_cond_init(cond, nil)
    }

    deinit {
        pthread_cond_destroy(cond)
        pthread_mutex_destroy(mutex)
        cond.deallocate()
        mutex.deallocate()
        storage.deallocate()
    }

    func buffer(_ slot: Int) -> UnsafeMutableRawPointer {
        storage + slot * PrefetchingGzipReader.slotSize
    }

    /// Producer thread: fills slots in order until the end of data, an error, or ``stop()``.
    func produce() {
        let size = PrefetchingGzipReader.slotSize
        var slot = 0
        while true {
            pthread_mutex_lock(mutex)
            while ready == PrefetchingGzipReader.slotCount && !stopping {
                pthread_cond_wait(cond, mutex)
            }
            let stop = stopping
            pthread_mutex_unlock(mutex)
            if stop { return }

            let before = gzip.bytesOut
            var fill: Fill
            do {
                let got = try gzip.read(into: UnsafeMutableRawBufferPointer(start: buffer(slot), count: size))
                fill = Fill(count: got, error: nil)
            } catch {
                // GzipReader counts what it produced before the error in bytesOut.
                fill = Fill(count: min(gzip.bytesOut - before, size), error: error)
            }
            pthread_mutex_lock(mutex)
            fills[slot] = fill
            ready += 1
            pthread_cond_broadcast(cond)
            pthread_mutex_unlock(mutex)
            if fill.error != nil || fill.count == 0 { return }
            slot = (slot + 1) % PrefetchingGzipReader.slotCount
        }
    }

    /// Consumer: waits for `slot` (the oldest not yet taken) to be filled.
    func take(_ slot: Int) -> Fill {
        pthread_mutex_lock(mutex)
        while ready == 0 {
            pthread_cond_wait(cond, mutex)
        }
        let fill = fills[slot]
        pthread_mutex_unlock(mutex)
        return fill
    }

    /// Consumer: gives the oldest taken slot back to the producer.
    func release() {
        pthread_mutex_lock(mutex)
        ready -= 1
        pthread_cond_broadcast(cond)
        pthread_mutex_unlock(mutex)
    }

    /// Makes the producer return (after the slot it is filling, if any).
    func stop() {
        pthread_mutex_lock(mutex)
        stopping = true
        pthread_cond_broadcast(cond)
        pthread_mutex_unlock(mutex)
    }
}
