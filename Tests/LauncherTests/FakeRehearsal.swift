import Foundation
import Launcher

/// A project for `--as-cml` with a fake kernel driver: it records how it was
/// started (argv, working directory, environment, the project's layout) to
/// `FAKE_RECORD.driver`, then does what an entry script does — runs the job's
/// binary from `bin/` with the arguments of `JOB_ARGUMENTS` — by exec, so the
/// binary's exit status is the driver's.
struct FakeRehearsal {
    let fake: FakeJobs
    /// The source project: `jobs/local/run_in_kernel.py` and `jobs/cml/*.py`.
    var source: String { fake.directory + "/project" }
    var root: String { fake.store + "/launcher/rehearsal" }

    init(_ fake: FakeJobs, driver: Bool = true) throws {
        self.fake = fake
        let files = FileManager.default
        for folder in ["jobs/cml", "jobs/local"] {
            try files.createDirectory(atPath: "\(fake.directory)/project/\(folder)", withIntermediateDirectories: true)
        }
        for name in ["gp.py", "lgt.py", "cm.py", "_helper.py", "test_gp.py"] {
            try "# fake entry script\n".write(toFile: "\(source)/jobs/cml/\(name)", atomically: true, encoding: .utf8)
        }
        try "not a script\n".write(toFile: "\(source)/jobs/cml/notes.txt", atomically: true, encoding: .utf8)
        if driver {
            try Self.driver.write(toFile: "\(source)/jobs/local/run_in_kernel.py", atomically: true, encoding: .utf8)
        }
        try files.createDirectory(atPath: fake.data, withIntermediateDirectories: true)
        try "keep me\n".write(toFile: fake.data + "/marker", atomically: true, encoding: .utf8)
    }

    func options(_ jobs: JobDefinitions) -> LauncherOptions {
        var options = fake.options(jobs)
        options.rehearsal = Rehearsal(python: FakeJobs.python ?? "/usr/bin/python3", sourceRoot: source)
        return options
    }

    struct Record: Decodable {
        let argv: [String]
        let cwd: String
        let env: [String: String]
        let tree: [String: [String]?]
        let data: [String: String]
    }

    func records() -> [Record] {
        guard let data = FileManager.default.contents(atPath: fake.record + ".driver") else { return [] }
        return data.split(separator: UInt8(ascii: "\n")).compactMap { try? JSONDecoder().decode(Record.self, from: $0) }
    }

    static let driver = #"""
        import json, os, shlex, sys
        env = os.environ
        def listing(path):
            return sorted(os.listdir(path)) if os.path.isdir(path) else None
        with open(env["FAKE_RECORD"] + ".driver", "a") as f:
            f.write(json.dumps({
                "argv": sys.argv, "cwd": os.getcwd(), "env": dict(env),
                "tree": {d: listing(d) for d in ("bin", "jobs", "jobs/cml", "jobs/local", "data")},
                "data": {n: os.path.realpath(os.path.join("data", n)) for n in listing("data") or []},
            }) + "\n")
        if len(sys.argv) != 2 or not os.path.isfile(sys.argv[1]):
            print("ERROR: no entry script %r" % sys.argv[1:], file=sys.stderr)
            sys.exit(1)
        os.execv("bin/fake-job", ["bin/fake-job", *shlex.split(env["JOB_ARGUMENTS"])])
        """#
}
