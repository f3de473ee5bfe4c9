import Platform
import Synchronization

/// Runs blocking work on a new detached thread, so that it never holds a
/// thread of Swift's cooperative pool (the launcher serves its API from that
/// pool in the same process as a ``JobClient``).
enum OwnThread {
    /// The value of `work`, run on a thread of its own.
    ///
    /// - Parameters:
    ///   - giveUp: when the work has not finished by this instant, the caller
    ///     gets this value instead (the work goes on and its value is dropped).
    ///   - cancelled: what the caller gets at once when its task is cancelled.
    ///   - unstarted: what the caller gets when no thread can be started.
    static func run<T: Sendable>(
        giveUp: (at: ContinuousClock.Instant, value: T)? = nil,
        cancelled: T,
        unstarted: T,
        _ work: @escaping @Sendable () -> T
    ) async -> T {
        let answer = Answer<T>()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<T, Never>) in
                guard answer.wait(continuation, ifCancelled: cancelled) else { return }
                let watchdog = giveUp.map { giveUp in
                    Task {
                        try? await Task.sleep(until: giveUp.at, clock: .continuous)
                        if !Task.isCancelled { answer.deliver(giveUp.value) }
                    }
                }
                let started = startThread {
                    let value = work()
                    watchdog?.cancel()
                    answer.deliver(value)
                }
                if !started {
                    watchdog?.cancel()
                    answer.deliver(unstarted)
                }
            }
        } onCancel: {
            answer.cancel(with: cancelled)
        }
    }

    /// Starts `body` on a new detached thread; `false` when none can be made.
    private static func startThread(_ body: @escaping @Sendable () -> Void) -> Bool {
        guard let thread = Platform.startThread(body) else { return false }
        pthread_detach(thread)
        return true
    }
}

/// The caller's continuation, resumed exactly once by whichever comes first:
/// the work's value, the watchdog, or cancellation.
private final class Answer<T: Sendable>: Sendable {
    private enum State {
        case idle
        case waiting(CheckedContinuation<T, Never>)
        case cancelledBeforeWaiting
        case done
    }

    private let state = Mutex(State.idle)

    /// Keeps `continuation` for ``deliver(_:)``; `false` (after resuming it
    /// with `cancelled`) when the task was cancelled before.
    func wait(_ continuation: CheckedContinuation<T, Never>, ifCancelled cancelled: T) -> Bool {
        let waiting = state.withLock { state in
            if case .cancelledBeforeWaiting = state {
                state = .done
                return false
            }
            state = .waiting(continuation)
            return true
        }
        if !waiting { continuation.resume(returning: cancelled) }
        return waiting
    }

    func deliver(_ value: T) {
        take()?.resume(returning: value)
    }

    func cancel(with value: T) {
        let continuation = state.withLock { state -> CheckedContinuation<T, Never>? in
            if case .idle = state {
                state = .cancelledBeforeWaiting
                return nil
            }
            guard case .waiting(let continuation) = state else { return nil }
            state = .done
            return continuation
        }
        continuation?.resume(returning: value)
    }

    private func take() -> CheckedContinuation<T, Never>? {
        state.withLock { state in
            guard case .waiting(let continuation) = state else { return nil }
            state = .done
            return continuation
        }
    }
}
