import CMLAPI
import Foundation
import Synchronization

/// `cml-local run --as-cml`: a rehearsal of the CML deployment. Every run goes
/// the way CML's Jupyter-based runtimes (PBJ) run a job's script:
///
/// - once per launcher run, a project laid out as the CML bundle is assembled
///   (``RehearsalProject``): `bin/` with the job binaries just built, `jobs/`
///   with the job definitions and entry scripts, `data/<name>`;
/// - each run is `PYTHON ROOT/jobs/local/run_in_kernel.py SCRIPT` (`SCRIPT`
///   the job definition's `script`, e.g. `jobs/cml/check_model.py`) with that
///   root as working directory: the driver executes the entry script in a
///   Jupyter kernel, copies its output and exits 0, 3 (model degraded) or 1;
/// - the arguments reach the run only in `JOB_ARGUMENTS`, never on the
///   command line, and the job client is made to use libcurl
///   (``RunEnvironment/asCML(_:arguments:)``).
///
/// A kernel start costs about a second per run; without a rehearsal the
/// launcher starts each job's executable directly and needs no Python.
public struct Rehearsal: Sendable {
    /// The Python that runs the driver, and through it the kernel: absolute,
    /// with symbolic links kept (a virtual environment's `python` is one).
    public var python: String
    /// The project whose `jobs/cml/*.py` and `jobs/local/*.py` are copied:
    /// the checkout or bundle found beside `cml-local` (``ProjectRoot``).
    public var sourceRoot: String
    /// The driver, relative to the project root.
    public var driver: String = "jobs/local/run_in_kernel.py"

    public init(python: String, sourceRoot: String) {
        self.python = python
        self.sourceRoot = sourceRoot
    }

    /// The environment variable naming the rehearsal's Python when `--python` is not given.
    public static let pythonVariable = "CML_LOCAL_PYTHON"

    /// The Python to use: `given` (`--python`), else `CML_LOCAL_PYTHON`, else
    /// `python3` on the launcher's `PATH`; a path with a `/` is taken relative
    /// to `workingDirectory`. Symbolic links are not resolved.
    ///
    /// - Throws: ``LauncherError`` `.rehearsal` when it is not found or not executable.
    public static func resolvePython(
        _ given: String?, environment: [String: String], workingDirectory: String
    ) throws(LauncherError) -> String {
        let fromVariable = environment[pythonVariable].flatMap { $0.isEmpty ? nil : $0 }
        let (name, source) =
            given.map { ($0, " (from --python)") } ?? fromVariable.map { ($0, " (from \(pythonVariable))") } ?? ("python3", "")
        if name.contains("/") {
            let path = lexicallyAbsolute(name, in: workingDirectory)
            guard FileManager.default.isExecutableFile(atPath: path) else {
                throw LauncherError(.rehearsal, "--as-cml: the Python \(path)\(source) is not an executable file")
            }
            return path
        }
        for folder in (environment["PATH"] ?? "").split(separator: ":", omittingEmptySubsequences: false) {
            let directory = folder.isEmpty ? workingDirectory : lexicallyAbsolute(String(folder), in: workingDirectory)
            let path = (directory as NSString).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        throw LauncherError(
            .rehearsal,
            "--as-cml: no \(name)\(source) on PATH; give a Python that has ipykernel and jupyter_client "
                + "with --python PATH or \(pythonVariable)"
        )
    }

    /// Checks once, before any run, that `python` imports `jupyter_client` and
    /// `ipykernel`, in the base environment the runs get (``RunEnvironment/base(host:)``).
    ///
    /// - Throws: ``LauncherError`` `.rehearsal` saying how to install them.
    public static func checkKernelModules(
        python: String, host: [String: String], workingDirectory: String
    ) async throws(LauncherError) {
        let lines = Mutex<[String]>([])
        let process = JobProcess(
            executable: python, arguments: ["-c", "import jupyter_client, ipykernel"],
            environment: RunEnvironment.base(host: host), workingDirectory: workingDirectory,
            timeout: .seconds(60), killGrace: .seconds(2),
            onLine: { line, _ in lines.withLock { $0.append(line) } }
        )
        let outcome = await process.run()
        guard outcome.status != .succeeded else { return }
        let said = lines.withLock { $0 }.last { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        throw LauncherError(
            .rehearsal,
            "--as-cml runs each job in a Jupyter kernel, but \(python) cannot import jupyter_client and ipykernel ("
                + (said ?? outcome.reason ?? "failed") + "); install them with `\(python) -m pip install ipykernel jupyter_client`, "
                + "or give another Python with --python PATH or \(pythonVariable)"
        )
    }

    /// `path` made absolute against `directory`, with `.` and `..` removed by
    /// name only: unlike `standardizingPath`, never resolves a symbolic link,
    /// so a virtual environment's `bin/python` stays itself.
    static func lexicallyAbsolute(_ path: String, in directory: String) -> String {
        let joined = path.hasPrefix("/") ? path : directory + "/" + path
        var parts: [Substring] = []
        for part in joined.split(separator: "/") {
            switch part {
            case ".": continue
            case "..": _ = parts.popLast()
            default: parts.append(part)
            }
        }
        return "/" + parts.joined(separator: "/")
    }
}
