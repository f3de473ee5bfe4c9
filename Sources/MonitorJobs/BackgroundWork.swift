import Platform
import Synchronization

/// Runs one piece of blocking work (reading a file) on its own thread while
/// the caller goes on, e.g. parsing another file on the other core.
///
/// `@unchecked Sendable`: ``result`` is written once by the worker before it
/// sets ``finished`` (release) and read by the owner only after seeing it set
/// (acquire) or after `pthread_join`.
final class BackgroundWork<Value: Sendable, Failure: Error>: @unchecked Sendable {
    private let work: () throws(Failure) -> Value
    private var result: Result<Value, Failure>?
    private let finished = Atomic<Bool>(false)
    private var thread: pthread_t?

    /// Starts `work` on a new thread; runs it at once on this one if no thread can be made.
    init(_ work: @escaping @Sendable () throws(Failure) -> Value) {
        self.work = work
        thread = startThread { [self] in run() }
        if thread == nil { run() }
    }

    private func run() {
        result = Result { () throws(Failure) in try work() }
        finished.store(true, ordering: .releasing)
    }

    /// Whether the work is done: ``wait()`` will not block.
    var isFinished: Bool { finished.load(ordering: .acquiring) }

    /// The work's result, once it is done.
    func wait() -> Result<Value, Failure> {
        if let thread {
            pthread_join(thread, nil)
            self.thread = nil
        }
        return result!
    }

    deinit {
        // The worker may drop the last reference itself: it cannot join itself.
        guard let thread else { return }
        if pthread_equal(thread, pthread_self()) != 0 { pthread_detach(thread) } else { pthread_join(thread, nil) }
    }
}
