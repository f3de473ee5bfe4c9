/// The environment of a job run — and nothing else of the launcher's.
///
/// In order, later entries winning:
/// 1. a minimal base: `PATH=/usr/local/bin:/usr/bin:/bin`, `LANG=C.UTF-8`,
///    `HOME` (the launcher's, else `/`), `TMPDIR` only if the launcher has one
///    (so temporary files go where the user wants them);
/// 2. the job's own `environment` from the job definitions;
/// 3. the per-run `environment` of the create-run request;
/// 4. `MONITOR_DATA_DIR` / `MONITOR_STORE_DIR` when `--data` / `--store` were given;
/// 5. the platform variables `CDSW_API_URL`, `CDSW_APIV2_KEY`, `CDSW_PROJECT_ID`
///    (pointing at the launcher; a job cannot override them, as on CML).
public enum RunEnvironment {
    public static let basePath = "/usr/local/bin:/usr/bin:/bin"

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
        var environment = ["PATH": basePath, "LANG": "C.UTF-8", "HOME": host["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? "/"]
        if let tmp = host["TMPDIR"], !tmp.isEmpty { environment["TMPDIR"] = tmp }
        environment.merge(job) { _, new in new }
        environment.merge(run) { _, new in new }
        if let dataDirectory { environment["MONITOR_DATA_DIR"] = dataDirectory }
        if let storeDirectory { environment["MONITOR_STORE_DIR"] = storeDirectory }
        environment["CDSW_API_URL"] = apiURL
        environment["CDSW_APIV2_KEY"] = apiKey
        environment["CDSW_PROJECT_ID"] = projectID
        return environment
    }
}
