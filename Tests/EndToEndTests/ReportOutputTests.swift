import Foundation
import Platform
import TestSupport
import Testing

/// `cml-local report --out` onto what is not a plain file: a FIFO, a symbolic
/// link, standard output. The report goes into it; nothing is replaced.
@Suite struct ReportOutputTests {
    /// A folder with an (empty) store to report on.
    struct Scratch {
        let directory: String
        var store: String { "\(directory)/store" }

        init() throws {
            directory = try makeTemporaryDirectory("report-out")
            try FileManager.default.createDirectory(atPath: "\(directory)/store", withIntermediateDirectories: true)
        }

        func report(_ out: String) throws -> ProcessResult {
            try runProduct("cml-local", ["report", "--store", store, "--out", out], directory: directory)
        }

        func remove() { try? FileManager.default.removeItem(atPath: directory) }
    }

    /// A FIFO with a reader that collects everything written to it until ``finish()``.
    /// It holds a write end itself, so the reader sees end of file only once the
    /// test lets go, whether or not anyone else ever opened the FIFO.
    final class FIFOReader: @unchecked Sendable {  // `data` is written by the thread before `done` is signalled
        let path: String
        private let writeEnd: Int32
        private let done = DispatchSemaphore(value: 0)
        private var data = Data()

        init(path: String) throws {
            self.path = path
            guard mkfifo(path, 0o644) == 0 else { throw FixtureError("mkfifo \(path) failed") }
            let readEnd = open(path, O_RDONLY | O_NONBLOCK)
            writeEnd = open(path, O_WRONLY | O_NONBLOCK)
            guard readEnd >= 0, writeEnd >= 0 else { throw FixtureError("cannot open \(path)") }
            _ = fcntl(readEnd, F_SETFL, 0)
            let handle = FileHandle(fileDescriptor: readEnd, closeOnDealloc: true)
            Thread {
                self.data = handle.readDataToEndOfFile()
                self.done.signal()
            }.start()
        }

        /// Everything read, once every writer has closed.
        func finish() -> String {
            close(writeEnd)
            done.wait()
            return String(decoding: data, as: UTF8.self)
        }
    }

    func fileType(_ path: String) -> mode_t {
        var info = stat()
        return lstat(path, &info) == 0 ? info.st_mode & S_IFMT : 0
    }

    @Test("--out FIFO: the report is written into the FIFO, which stays a FIFO")
    func intoAFIFO() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let fifo = try FIFOReader(path: "\(scratch.directory)/report.fifo")
        let result = try scratch.report(fifo.path)
        let received = fifo.finish()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(received.hasPrefix("<!DOCTYPE html>") && received.hasSuffix("</html>\n"))
        #expect(fileType(fifo.path) == S_IFIFO)
        #expect(result.stdout == "Report: \(fifo.path)\n")
    }

    @Test("--out a symbolic link to a FIFO: written through the link, which stays a link")
    func throughALinkToAFIFO() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let fifo = try FIFOReader(path: "\(scratch.directory)/report.fifo")
        let link = "\(scratch.directory)/report.html"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "report.fifo")
        let result = try scratch.report("report.html")
        let received = fifo.finish()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(received.hasPrefix("<!DOCTYPE html>"))
        #expect(fileType(link) == S_IFLNK)
        #expect(fileType(fifo.path) == S_IFIFO)
    }

    @Test("--out a symbolic link to a file: the file gets the report, the link stays a link")
    func throughALinkToAFile() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let target = "\(scratch.directory)/kept/report.html"
        try FileManager.default.createDirectory(atPath: "\(scratch.directory)/kept", withIntermediateDirectories: true)
        try "old".write(toFile: target, atomically: false, encoding: .utf8)
        let link = "\(scratch.directory)/latest.html"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        let result = try scratch.report(link)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(fileType(link) == S_IFLNK)
        #expect(try String(contentsOfFile: target, encoding: .utf8).hasPrefix("<!DOCTYPE html>"))
    }

    @Test("--out - and --out /proc/self/fd/1: the report on standard output, and nothing else there", arguments: ["-", "/proc/self/fd/1"])
    func toStandardOutput(out: String) throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let result = try scratch.report(out)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("<!DOCTYPE html>") && result.stdout.hasSuffix("</html>\n"))
        #expect(result.stderr.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: "\(scratch.directory)/-"))
    }
}
