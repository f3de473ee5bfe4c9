import Platform
import Synchronization
import Testing

@Suite struct SystemTests {
    /// More than a pipe holds (64 KiB) while another thread reads it: every
    /// byte arrives, in order, and the write end is left for the caller to close.
    @Test(.timeLimit(.minutes(1))) func writeAllWritesMoreThanAPipeHolds() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        let bytes = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let reader = fds[0]
        let received = Mutex<[UInt8]>([])
        let thread = try #require(startThread {
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = buffer.withUnsafeMutableBytes { posixRead(reader, $0.baseAddress!, $0.count) }
                if n <= 0 { break }
                received.withLock { $0 += buffer[0..<n] }
            }
        })
        #expect(writeAll(fds[1], bytes))
        close(fds[1])
        pthread_join(thread, nil)
        close(fds[0])
        #expect(received.withLock { $0 } == bytes)
    }

    @Test func writeAllReportsAFailureWithErrno() {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        close(fds[1])
        errno = 0
        #expect(!writeAll(fds[1], [1, 2, 3]))
        #expect(errno == EBADF)
        #expect(errnoMessage(EBADF) == "Bad file descriptor")
        close(fds[0])
    }

    @Test func startThreadRunsTheBodyOnAnotherThread() throws {
        let ran = Atomic<Bool>(false)
        let caller = pthread_self()
        let other = Atomic<Bool>(false)
        let thread = try #require(startThread {
            other.store(pthread_equal(pthread_self(), caller) == 0, ordering: .relaxed)
            ran.store(true, ordering: .releasing)
        })
        pthread_join(thread, nil)
        let (didRun, onAnotherThread) = (ran.load(ordering: .acquiring), other.load(ordering: .relaxed))
        #expect(didRun)
        #expect(onAnotherThread)
    }
}
