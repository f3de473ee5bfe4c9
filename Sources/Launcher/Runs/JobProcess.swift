import Foundation
import CMLAPI
import Platform
import Subprocess
import Synchronization
import SystemPackage

/// One job run as a child process: explicit argv (no shell), an explicit
/// environment (nothing inherited), its own process group, stdout and stderr
/// read concurrently line by line, a deadline enforced with SIGTERM to the
/// group then SIGKILL after a grace period.
struct JobProcess: Sendable {
    var executable: String
    var arguments: [String]
    var environment: [String: String]
    var workingDirectory: String
    /// `nil`: no deadline.
    var timeout: Duration?
    var killGrace: Duration
    /// Called for each complete line (without its line break), from two tasks at once.
    var onLine: @Sendable (_ line: String, _ isError: Bool) -> Void

    struct Outcome: Sendable {
        var status: RunStatus
        var exitCode: Int32?
        var signal: Int32?
        /// Why it did not succeed, in words; `nil` on success.
        var reason: String?
    }

    private enum Step: Sendable {
        case finished(Result<TerminationStatus, any Error>)
        case deadline
    }

    /// Runs the process to its end. Cancelling the calling task stops it
    /// (SIGTERM, then SIGKILL) and yields ``RunStatus/stopped``.
    func run() async -> Outcome {
        var platformOptions = PlatformOptions()
        platformOptions.processGroupID = 0  // its own group: signals reach the job and its children, not us
        platformOptions.teardownSequence = [.gracefulShutDown(toProcessGroup: true, allowedDurationToNextStep: killGrace)]
        var keyed: [Environment.Key: String] = [:]
        for (key, value) in environment {
            if let key = Environment.Key(rawValue: key) { keyed[key] = value }
        }
        let configuration = Configuration(
            executable: .path(FilePath(executable)),
            arguments: Arguments(arguments),
            environment: .custom(keyed),
            workingDirectory: FilePath(workingDirectory),
            platformOptions: platformOptions
        )
        let onLine = self.onLine

        let (result, timedOut) = await withTaskGroup(of: Step.self) { group in
            group.addTask {
                do {
                    let outcome = try await Subprocess.run(
                        configuration, input: .none, output: .sequence, error: .sequence
                    ) { execution in
                        await withTaskGroup(of: Void.self) { readers in
                            readers.addTask { await Self.pump(execution.standardOutput, isError: false, onLine) }
                            readers.addTask { await Self.pump(execution.standardError, isError: true, onLine) }
                        }
                    }
                    return .finished(.success(outcome.terminationStatus))
                } catch {
                    return .finished(.failure(error))
                }
            }
            if let timeout {
                group.addTask {
                    try? await Task.sleep(for: timeout)
                    return .deadline
                }
            }
            var timedOut = false
            while let step = await group.next() {
                switch step {
                case .deadline:
                    if !Task.isCancelled {
                        timedOut = true
                        group.cancelAll()  // the process task tears the group down
                    }
                case .finished(let result):
                    group.cancelAll()
                    return (result, timedOut)
                }
            }
            return (Result<TerminationStatus, any Error>.failure(CancellationError()), timedOut)
        }

        let cancelled = Task.isCancelled
        switch result {
        case .success(let status):
            var outcome = Outcome(status: .succeeded)
            switch status {
            case .exited(let code):
                outcome.exitCode = code
                if code != 0 {
                    outcome.status = .failed
                    outcome.reason = "exited with status \(code)"
                }
            case .signaled(let signal):
                outcome.signal = signal
                outcome.status = .failed
                outcome.reason = "killed by signal \(signal)"
            }
            if timedOut {
                outcome.status = .timedOut
                outcome.reason = "timed out after \(Self.format(timeout ?? .zero)) and was stopped"
            } else if cancelled, outcome.status != .succeeded {
                outcome.status = .stopped
                outcome.reason = "stopped by the launcher (interrupted)"
            }
            return outcome
        case .failure(let error):
            if timedOut {
                return Outcome(status: .timedOut, reason: "timed out after \(Self.format(timeout ?? .zero)) and was stopped")
            }
            if cancelled || error is CancellationError {
                return Outcome(status: .stopped, reason: "stopped by the launcher (interrupted)")
            }
            return Outcome(status: .failed, reason: "could not start \(executable): \(error)")
        }
    }

    /// Reads a pipe to its end, cutting it into lines (LF or CRLF; a last
    /// unterminated line is kept). Very long lines are cut at 64 KiB.
    private static func pump(
        _ sequence: SubprocessOutputSequence, isError: Bool, _ onLine: @Sendable (String, Bool) -> Void
    ) async {
        var pending: [UInt8] = []
        func emit(_ bytes: ArraySlice<UInt8>) {
            var line = bytes
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            onLine(String(decoding: line, as: UTF8.self), isError)
        }
        do {
            for try await buffer in sequence {
                buffer.withUnsafeBytes { pending.append(contentsOf: $0) }
                var start = pending.startIndex
                while let newline = pending[start...].firstIndex(of: UInt8(ascii: "\n")) {
                    emit(pending[start..<newline])
                    start = newline + 1
                }
                pending.removeSubrange(..<start)
                if pending.count >= 65_536 {
                    emit(pending[...])
                    pending.removeAll(keepingCapacity: true)
                }
            }
        } catch {
            // Cancelled (timeout, interrupt) or the pipe failed: keep what arrived.
        }
        if !pending.isEmpty { emit(pending[...]) }
    }

    static func format(_ duration: Duration) -> String {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        return fixed(seconds, decimals: seconds < 10 ? 2 : 0) + " s"
    }
}
