import ArgumentParser
import Foundation
import JobClient
import Launcher

extension CMLLocal {
    struct Deploy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Creates or updates the pipeline's jobs in a CML project through the API v2.",
            discussion: """
                Reads the job definitions (the same file cml-local run uses), finds each job of the \
                project by exact name, creates the missing ones and changes only the differing fields \
                of the others; a second deploy changes nothing. Prints one line per job: created, \
                updated (with the fields the server applied, read back) or unchanged. The API cannot \
                change a job's script, arguments, runtime or kernel: such a difference is reported at \
                every deploy until --recreate NAME replaces the job. Jobs are created with \
                kill_on_timeout and without run retries. A job needs a runtime: --runtime-identifier \
                (or runtime_identifier in the definitions), or --kernel for legacy engines. If a write \
                fails it says which jobs were done and which were not and exits 1; running it again \
                completes the rest.

                Configuration: CDSW_API_URL and CDSW_PROJECT_ID (set by CML inside sessions and jobs; \
                --api-url and --project override them) and CDSW_APIV2_KEY, the API v2 key, taken only \
                from the environment and never printed.

                --dry-run sends only the GET requests that list the project's jobs and prints each \
                POST or PATCH it would send (method, URL, JSON body), the key shown as \
                'Bearer <redacted>'.

                A subcommand of cml-local rather than a tool of its own: this binary already holds \
                the API models, the API client and the job definitions it deploys.
                """
        )

        @Option(help: "The job definitions file (default: jobs/jobs.json in the nearest folder above cml-local's binary that has one).")
        var jobs: String?

        @Flag(help: "Print the create and update requests instead of sending them (job listings are still read).")
        var dryRun = false

        @Option(help: "The ML Runtime image identifier for every job (overrides runtime_identifier in the definitions).")
        var runtimeIdentifier: String?

        @Option(help: "The legacy engine kernel for every job (e.g. python3), for a project without ML Runtimes.")
        var kernel: String?

        @Option(
            name: .customLong("recreate"),
            help: ArgumentHelp(
                "Deletes the job of this name and creates it again, when it differs in a field the API cannot change "
                    + "(script, arguments, runtime_identifier, kernel). Its run history is lost. Repeatable.",
                valueName: "name"
            )
        )
        var recreate: [String] = []

        @Option(help: "The CML API URL, e.g. https://ml.example.com/api/v1 (default: CDSW_API_URL).")
        var apiURL: String?

        @Option(help: "The CML project id (default: CDSW_PROJECT_ID).")
        var project: String?

        func run() async throws {
            var environment = ProcessInfo.processInfo.environment
            if let apiURL { environment[CMLConfiguration.urlVariable] = apiURL }
            if let project { environment[CMLConfiguration.projectVariable] = project }
            let configuration: CMLConfiguration
            do {
                guard let found = try CMLConfiguration(environment: environment) else {
                    printError(
                        "ERROR: deploy needs the CML API: set \(CMLConfiguration.keyVariable) (an API v2 key) and "
                            + "\(CMLConfiguration.urlVariable) and \(CMLConfiguration.projectVariable) "
                            + "(or --api-url and --project); CML sets the last two inside sessions and jobs"
                    )
                    throw ExitCode.failure
                }
                configuration = found
            } catch let error as JobClientError {
                printError("ERROR: \(error.message)")
                throw ExitCode.failure
            }
            let jobsFile: String
            let definitions: JobDefinitions
            do throws(LauncherError) {
                jobsFile = try LauncherOptions.jobsFile(jobs, root: .besideCurrentExecutable())
                definitions = try JobDefinitions.load(from: jobsFile)
            } catch {
                printError(error.description)
                throw ExitCode.failure
            }

            print(
                "cml-local deploy\(dryRun ? " (dry run)" : ""): \(definitions.jobs.count) jobs from \(jobsFile) "
                    + "to project \(configuration.projectID) at \(configuration.apiBase)"
            )
            let deployer = Deployer(
                client: JobClient(configuration: configuration), definitions: definitions,
                runtimeIdentifier: runtimeIdentifier, kernel: kernel
            )
            let outcomes: [Deployer.Outcome]
            do {
                outcomes = try await deployer.deploy(dryRun: dryRun, recreate: Set(recreate)) { line in print(line) }
            } catch {
                printError(error.description)
                throw ExitCode.failure
            }
            print(Self.summary(outcomes, dryRun: dryRun))
        }

        static func summary(_ outcomes: [Deployer.Outcome], dryRun: Bool) -> String {
            func count(_ test: (Deployer.Outcome.Action) -> Bool) -> Int { outcomes.filter { test($0.action) }.count }
            let unchanged = count { $0 == .unchanged }
            let differing = outcomes.filter { !$0.needsRecreate.isEmpty }.count
            let tail = differing == 0 ? "" : "; \(differing) differ in fields only --recreate can change"
            if dryRun {
                let create = count { $0 == .wouldCreate }
                let update = count { if case .wouldUpdate = $0 { true } else { false } }
                let recreate = count { $0 == .wouldRecreate }
                return "dry run: \(create) to create, \(update) to update, \(recreate) to recreate, \(unchanged) unchanged\(tail); "
                    + "only GET requests were sent"
            }
            let created = count { $0 == .created }
            let updated = count { if case .updated(let applied, _) = $0 { !applied.isEmpty } else { false } }
            let recreated = count { if case .recreated = $0 { true } else { false } }
            let notApplied = outcomes.filter { if case .updated(_, let missing) = $0.action { !missing.isEmpty } else { false } }.count
            return "deployed: \(created) created, \(updated) updated, \(recreated) recreated, \(unchanged) unchanged\(tail)"
                + (notApplied == 0 ? "" : "; \(notApplied) with changes the server did not apply")
        }
    }
}
