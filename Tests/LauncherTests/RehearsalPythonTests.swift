import Foundation
import Launcher
import Testing

@Suite("The rehearsal's Python")
struct RehearsalPythonTests {
    /// A folder with an executable `python3` that is a symbolic link (as in a virtual environment).
    func venv() throws -> (String, String) {
        let directory = NSTemporaryDirectory() + "rehearsal-python-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory + "/venv/bin", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: directory + "/venv/bin/python3", withDestinationPath: "/bin/sh")
        return (directory, directory + "/venv/bin/python3")
    }

    @Test("--python wins, then CML_LOCAL_PYTHON, then python3 on PATH; relative paths against the working directory, links kept")
    func resolution() throws {
        let (directory, python) = try venv()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let environment = ["PATH": "/nonexistent:\(directory)/venv/bin", "CML_LOCAL_PYTHON": "/bin/sh"]
        #expect(try Rehearsal.resolvePython("venv/bin/../bin/./python3", environment: environment, workingDirectory: directory) == python)
        #expect(try Rehearsal.resolvePython(nil, environment: environment, workingDirectory: "/") == "/bin/sh")
        #expect(try Rehearsal.resolvePython(nil, environment: ["PATH": environment["PATH"]!], workingDirectory: "/") == python)
        #expect(try Rehearsal.resolvePython(nil, environment: ["PATH": environment["PATH"]!, "CML_LOCAL_PYTHON": ""], workingDirectory: "/") == python)
    }

    @Test("a Python that is missing, not executable or not on PATH is a clear error")
    func notFound() throws {
        let missing = #expect(throws: LauncherError.self) {
            try Rehearsal.resolvePython("/nonexistent/python", environment: [:], workingDirectory: "/")
        }
        #expect(missing?.description == "ERROR: --as-cml: the Python /nonexistent/python (from --python) is not an executable file")
        let fromVariable = #expect(throws: LauncherError.self) {
            try Rehearsal.resolvePython(nil, environment: ["CML_LOCAL_PYTHON": "py"], workingDirectory: "/")
        }
        #expect(fromVariable?.description.hasPrefix("ERROR: --as-cml: no py (from CML_LOCAL_PYTHON) on PATH; give a Python") == true)
        let noPath = #expect(throws: LauncherError.self) {
            try Rehearsal.resolvePython(nil, environment: ["PATH": "/nonexistent"], workingDirectory: "/")
        }
        #expect(noPath?.description.hasPrefix("ERROR: --as-cml: no python3 on PATH; give a Python that has ipykernel and jupyter_client") == true)
    }

    @Test("a Python without jupyter_client is refused once, with how to install it")
    func missingModules() async throws {
        let directory = NSTemporaryDirectory() + "rehearsal-python-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let python = directory + "/python3"
        try "#!/bin/sh\necho \"Traceback (most recent call last):\" >&2\necho \"ModuleNotFoundError: No module named 'jupyter_client'\" >&2\nexit 1\n"
            .write(toFile: python, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: python)
        let error = await #expect(throws: LauncherError.self) {
            try await Rehearsal.checkKernelModules(python: python, host: [:], workingDirectory: directory)
        }
        #expect(
            error?.description == "ERROR: --as-cml runs each job in a Jupyter kernel, but \(python) cannot import jupyter_client "
                + "and ipykernel (ModuleNotFoundError: No module named 'jupyter_client'); install them with "
                + "`\(python) -m pip install ipykernel jupyter_client`, or give another Python with --python PATH or CML_LOCAL_PYTHON"
        )
        // A Python that has them (here: one that accepts anything) passes.
        try "#!/bin/sh\nexit 0\n".write(toFile: python, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: python)
        try await Rehearsal.checkKernelModules(python: python, host: [:], workingDirectory: directory)
    }
}
