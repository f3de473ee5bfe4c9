import Foundation
import TestSupport
import Testing

/// A test CA, a certificate for 127.0.0.1 signed by it, and a CML stand-in
/// serving https with it (Python's ssl module), for as long as the value lives.
private final class TLSServer: @unchecked Sendable {  // fields set once in init; Process is thread-safe to signal
    let folder: String
    let port: Int
    private let process = Process()
    private let input = Pipe()

    var caFile: String { folder + "/ca.pem" }
    var caDirectory: String { folder + "/cas" }

    init() throws {
        folder = NSTemporaryDirectory() + "tls-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder + "/cas", withIntermediateDirectories: true)
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try Self.openssl(["req", "-x509"] + ec + ["-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=PeriodPipeline Test CA"], in: folder)
        try Self.openssl(["req"] + ec + ["-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1"], in: folder)
        try "subjectAltName=IP:127.0.0.1\n".write(toFile: folder + "/san.ext", atomically: true, encoding: .utf8)
        try Self.openssl(
            ["x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.pem",
             "-days", "2", "-extfile", "san.ext"], in: folder
        )
        try FileManager.default.copyItem(atPath: folder + "/ca.pem", toPath: folder + "/cas/ca.pem")
        try Self.openssl(["rehash", "cas"], in: folder)

        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/tls_cml.py").path
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, folder + "/server.pem", folder + "/server.key"]
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        let line = String(decoding: output.fileHandleForReading.readLine(), as: UTF8.self)
        guard let port = Int(line) else { throw POSIXError(.EADDRNOTAVAIL) }
        self.port = port
    }

    deinit {
        try? input.fileHandleForWriting.close()  // the server ends when its input closes
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: folder)
    }

    private static func openssl(_ arguments: [String], in folder: String) throws {
        let result = try runExecutable("/usr/bin/openssl", arguments, environment: ["PATH": "/usr/bin:/bin"], directory: folder)
        guard result.status == 0 else { throw POSIXError(.EINVAL) }
    }
}

extension FileHandle {
    /// Bytes up to the next newline (without it), read one at a time.
    fileprivate func readLine() -> Data {
        var line = Data()
        while let byte = try? read(upToCount: 1), let first = byte.first, first != UInt8(ascii: "\n") { line.append(first) }
        return line
    }
}

@Suite("https through a corporate CA", .serialized, .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl")))
struct TLSTrustTests {
    private func trigger(_ server: TLSServer, _ extra: [String: String]) async throws -> ProcessResult {
        let sandbox = try Sandbox.make([generatedPeriod(period: 0, rows: 20, seed: 5)], label: "tls")
        defer { sandbox.remove() }
        let environment = [
            "PATH": "/usr/bin:/bin", "CDSW_API_URL": "https://127.0.0.1:\(server.port)/api/v1", "CDSW_APIV2_KEY": "tls-key-0a1b2c3d",
            "CDSW_PROJECT_ID": "tls-proj-0000-0001",
        ].merging(extra) { $1 }
        let result = try await runJobDetached(
            "get-predictions", ["--period", "0,1", "--data", sandbox.data, "--store", sandbox.store],
            environment: environment, directory: sandbox.root
        )
        return result
    }

    @Test("a trusted CA (any of the four variables) lets the trigger through libcurl", arguments: [
        "CURL_CA_BUNDLE", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "SSL_CERT_DIR",
    ])
    func trusted(variable: String) async throws {
        let server = try TLSServer()
        let value = variable == "SSL_CERT_DIR" ? server.caDirectory : server.caFile
        let result = try await trigger(server, [variable: value])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.lines.contains("✓ Triggered job: Load Ground Truth (Period 0/1)"))
        #expect(result.lines.contains("  Job run ID: tls-run-1"))
    }

    @Test("an untrusted certificate is one clear error naming the variables; nothing is triggered")
    func untrusted() async throws {
        let server = try TLSServer()
        let result = try await trigger(server, [:])
        expectOneError(result, ["ERROR: Could not trigger Load Ground Truth (Period 0/1)", "curl error 60", "not trusted",
                                "CURL_CA_BUNDLE", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "SSL_CERT_DIR"])
        #expect(!result.stderr.contains("tls-key-0a1b2c3d"))
    }
}
