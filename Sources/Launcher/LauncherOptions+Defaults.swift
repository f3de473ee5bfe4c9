/// Where `cml-local`'s subcommands find the job definitions, the data set and
/// the store when not told: the same rules for `run`, `report` and `deploy`,
/// from any working directory.
extension LauncherOptions {
    /// `--data`, else `MONITOR_DATA_DIR` of `cml-local`'s own environment (as the
    /// jobs read it), else the sample beside the job definitions; absolute.
    /// `nil` when none applies (no project root).
    public static func dataDirectory(_ flag: String?, environment: [String: String], root: ProjectRoot?) -> String? {
        if let path = flag ?? nonEmpty(environment[RunEnvironment.dataDirectoryVariable]) { return absolute(path) }
        return root?.sampleData
    }

    /// `--store`, else `MONITOR_STORE_DIR` of `cml-local`'s own environment;
    /// absolute. `nil` leaves it to the data set (``resolveStoreDirectory()``).
    public static func storeDirectory(_ flag: String?, environment: [String: String]) -> String? {
        (flag ?? nonEmpty(environment[RunEnvironment.storeDirectoryVariable])).map { absolute($0) }
    }

    /// `--jobs`, else `jobs/jobs.json` of the project root; absolute.
    ///
    /// - Throws: ``LauncherError`` `.jobDefinitions` when there is neither.
    public static func jobsFile(_ flag: String?, root: ProjectRoot?) throws(LauncherError) -> String {
        guard let file = flag.map({ absolute($0) }) ?? root?.jobsFile else {
            throw ProjectRoot.notFound(from: ProjectRoot.executableDirectory)
        }
        return file
    }

    private static func nonEmpty(_ value: String?) -> String? {
        value.flatMap { $0.isEmpty ? nil : $0 }
    }
}
