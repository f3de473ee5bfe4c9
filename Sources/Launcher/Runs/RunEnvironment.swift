import JobClient

/// The environment of a job run — and nothing else of the launcher's.
///
/// In order, later entries winning:
/// 1. a minimal base: `PATH=/usr/local/bin:/usr/bin:/bin`, `LANG=C.UTF-8`,
///    `HOME` (the launcher's, else `/`), `TMPDIR` only if the launcher has one
///    (so temporary files go where the user wants them);
/// 2. the job's own `environment` from the job definitions;
/// 3. the per-run `environment` of the create-run request;
/// 4. `MONITOR_DATA_DIR` / `MONITOR_STORE_DIR` when the launcher has a data set
///    or store (`--data` / `--store`, or the same variables in its own environment);
/// 5. the platform variables `CDSW_API_URL`, `CDSW_APIV2_KEY`, `CDSW_PROJECT_ID`
///    (pointing at the launcher; a job cannot override them, as on CML).
///
/// The launcher adds `MONITOR_LEASE_PID`, its own pid: the store's lease
/// names it, so a lease left by a killed launcher is stale at once.
///
/// A rehearsal run (`--as-cml`) gets ``asCML(_:arguments:)`` on top.
public enum RunEnvironment {
    public static let basePath = "/usr/local/bin:/usr/bin:/bin"

    /// The jobs' data set directory, when `cml-local` was given one.
    public static let dataDirectoryVariable = "MONITOR_DATA_DIR"

    /// The jobs' store directory, when `cml-local` was given one.
    public static let storeDirectoryVariable = "MONITOR_STORE_DIR"

    /// The variable that carries a run's arguments on CML's Jupyter-based runtimes.
    public static let jobArgumentsVariable = "JOB_ARGUMENTS"

    /// Step 1 alone: `PATH`, `LANG`, `HOME`, and `TMPDIR` if the launcher has one.
    public static func base(host: [String: String]) -> [String: String] {
        var environment = ["PATH": basePath, "LANG": "C.UTF-8", "HOME": host["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? "/"]
        if let tmp = host["TMPDIR"], !tmp.isEmpty { environment["TMPDIR"] = tmp }
        return environment
    }

    public static func make(
        host: [String: String],
        job: [String: String],
        run: [String: String] = [:],
        dataDirectory: String?,
        storeDirectory: String?,
        apiURL: String,
        apiKey: String,
        projectID: String
    ) -> [String: String] {
        var environment = base(host: host)
        environment.merge(job) { _, new in new }
        environment.merge(run) { _, new in new }
        if let dataDirectory { environment[dataDirectoryVariable] = dataDirectory }
        if let storeDirectory { environment[storeDirectoryVariable] = storeDirectory }
        environment["CDSW_API_URL"] = apiURL
        environment["CDSW_APIV2_KEY"] = apiKey
        environment["CDSW_PROJECT_ID"] = projectID
        return environment
    }

    /// `environment` as CML's runtimes give it to an entry script: the run's
    /// arguments in `JOB_ARGUMENTS` (`""` for none; they are not on the command
    /// line), and `MONITOR_HTTP_TRANSPORT=curl`, so the job client sends every
    /// request through libcurl, the transport a real (`https://`) workspace
    /// uses, even to the launcher's `http://` loopback. Both win over the job's
    /// own variables, as the platform variables do.
    public static func asCML(_ environment: [String: String], arguments: String) -> [String: String] {
        var environment = environment
        environment[jobArgumentsVariable] = arguments
        environment[CMLConfiguration.transportVariable] = "curl"
        return environment
    }
}
