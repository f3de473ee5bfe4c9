import CMLAPI
import Foundation
import JobClient

/// Creates or updates a CML project's jobs from job definitions, and says
/// only what the server holds afterwards.
///
/// It first reads: for every definition, the jobs whose name contains it
/// (all pages), keeping the exact match. Several exact matches, a definition
/// without a script or without a runtime (or an explicit kernel), or any read
/// failure stop it before anything is written. Then, in the definitions'
/// order, it creates the missing jobs (a creation whose answer is lost is
/// looked for by name before it is sent again: never two jobs of one name)
/// and patches the fields the API can change (`cpu`, `memory`, `timeout`,
/// `environment`, `schedule`), reading each patched job back: a field the server did not
/// apply is reported as such. `script`, `arguments`, `runtime_identifier` and
/// `kernel` cannot be changed through the API: a difference in them is
/// reported at every deploy until `--recreate NAME` replaces that job (its run
/// history is lost). A failed write stops it; the error says which jobs were
/// done and which were not, and a re-run completes the rest.
///
/// It lives in the launcher module because `jobs/jobs.json`'s
/// ``JobDefinitions`` do, and `cml-local` already links the API models and
/// the ``JobClient``.
public struct Deployer: Sendable {
    /// What happened (or, in a dry run, would happen) to one job.
    public struct Outcome: Sendable, Equatable, CustomStringConvertible {
        public enum Action: Sendable, Equatable {
            case created
            /// The API names of the fields the server now holds as defined,
            /// and of those it did not apply.
            case updated(applied: [String], notApplied: [String])
            case unchanged
            /// Deleted and created again: the id changed, the run history is gone.
            case recreated(oldID: String)
            case wouldCreate
            case wouldUpdate([String])
            case wouldRecreate
        }

        public let name: String
        /// The job's id; `nil` for ``Action/wouldCreate``.
        public let jobID: String?
        public let action: Action
        /// Fields that differ from the definition and that only `--recreate` can change.
        public var needsRecreate: [String] = []

        public init(name: String, jobID: String?, action: Action, needsRecreate: [String] = []) {
            self.name = name
            self.jobID = jobID
            self.action = action
            self.needsRecreate = needsRecreate
        }

        /// One line, e.g. `created   'Get Predictions' (id …)`, `updated   'Check Model' (id …): cpu, environment`,
        /// `unchanged 'Load Ground Truth' (id …)`, `would create 'X'`.
        public var description: String {
            let id = jobID.map { " (id \($0))" } ?? ""
            var line: String
            switch action {
            case .created: line = "created   '\(name)'\(id)"
            case .updated(let applied, let notApplied):
                line = "updated   '\(name)'\(id): " + (applied.isEmpty ? "nothing" : applied.joined(separator: ", "))
                if !notApplied.isEmpty { line += "; not applied by the server: \(notApplied.joined(separator: ", "))" }
            case .unchanged: line = "unchanged '\(name)'\(id)"
            case .recreated(let oldID): line = "recreated '\(name)'\(id), replacing \(oldID) and its run history"
            case .wouldCreate: line = "would create '\(name)'"
            case .wouldUpdate(let fields): line = "would update '\(name)'\(id): \(fields.joined(separator: ", "))"
            case .wouldRecreate: line = "would recreate '\(name)'\(id): delete it (and its run history), then create it"
            }
            if !needsRecreate.isEmpty {
                line += "\n  differs in \(needsRecreate.joined(separator: ", ")), which the API cannot change: "
                    + "cml-local deploy --recreate '\(name)' replaces the job (its run history is lost)"
            }
            return line
        }
    }

    public let client: JobClient
    public let definitions: JobDefinitions
    /// `--runtime-identifier`: overrides every definition's `runtime_identifier`.
    public var runtimeIdentifier: String?
    /// `--kernel`: the legacy engine kernel for every job (projects without ML Runtimes).
    public var kernel: String?

    public init(client: JobClient, definitions: JobDefinitions, runtimeIdentifier: String? = nil, kernel: String? = nil) {
        self.client = client
        self.definitions = definitions.deployed()
        self.runtimeIdentifier = runtimeIdentifier
        self.kernel = kernel
    }


    /// Brings the project's jobs in line with ``definitions``; `output` gets
    /// one line per job as it is done (in a dry run, also the request each
    /// write would be, with the key shown as `Bearer <redacted>`).
    ///
    /// A dry run sends only the GET requests that list jobs.
    ///
    /// - Parameter recreate: names of jobs to delete and create again when
    ///   they differ in a field the API cannot change.
    /// - Throws: ``LauncherError`` `.deploy`: a definition without a script or
    ///   a runtime, an unknown name in `recreate`, a job name used by several
    ///   jobs in the project, or a request that failed, with what was and was
    ///   not done. Never contains the key.
    @discardableResult
    public func deploy(
        dryRun: Bool = false, recreate: Set<String> = [], output: @Sendable (String) -> Void
    ) async throws(LauncherError) -> [Outcome] {
        let plan = try await makePlan(recreate: recreate)
        var outcomes: [Outcome] = []
        for (index, step) in plan.enumerated() {
            let outcome: Outcome
            do throws(JobClientError) {
                outcome = try await apply(step, dryRun: dryRun, output: output)
            } catch {
                throw await incomplete(plan: plan, failedAt: index, done: outcomes, cause: error)
            }
            output(outcome.description)
            outcomes.append(outcome)
        }
        return outcomes
    }

    private func apply(_ step: Step, dryRun: Bool, output: (String) -> Void) async throws(JobClientError) -> Outcome {
        switch (step.change, dryRun) {
        case (.none, _):
            return Outcome(name: step.name, jobID: step.existing?.id, action: .unchanged, needsRecreate: step.fixed)
        case (.create(let request), true):
            output(Self.indent(client.describeCreateJob(request).description))
            return Outcome(name: step.name, jobID: nil, action: .wouldCreate)
        case (.update(let id, let update), true):
            output(Self.indent(client.describeUpdateJob(jobID: id, update).description))
            return Outcome(name: step.name, jobID: id, action: .wouldUpdate(update.fieldNames), needsRecreate: step.fixed)
        case (.recreate(let id, let request), true):
            output(Self.indent("DELETE \(client.configuration.apiBase)/projects/\(client.configuration.projectID)/jobs/\(id)"))
            output(Self.indent(client.describeCreateJob(request).description))
            return Outcome(name: step.name, jobID: id, action: .wouldRecreate)
        case (.create(let request), false):
            let job = try await client.createJob(request)
            return Outcome(name: step.name, jobID: job.id, action: .created)
        case (.update(let id, let update), false):
            try await client.patchJob(jobID: id, update)
            // What the server holds, not what it answered to the PATCH.
            let now = try await client.job(jobID: id)
            let remaining = Set(Self.changes(from: now, to: step.desired).update.fieldNames)
            let fields = update.fieldNames
            return Outcome(
                name: step.name, jobID: id,
                action: .updated(applied: fields.filter { !remaining.contains($0) }, notApplied: fields.filter { remaining.contains($0) }),
                needsRecreate: step.fixed
            )
        case (.recreate(let id, let request), false):
            output("recreating '\(step.name)' (id \(id)): deleting it and its run history, then creating it again")
            try await client.deleteJob(jobID: id)
            let job = try await client.createJob(request)
            return Outcome(name: step.name, jobID: job.id, action: .recreated(oldID: id))
        }
    }

    // MARK: Plan

    struct Step {
        enum Change {
            case none
            case create(CreateJobRequest)
            case update(jobID: String, UpdateJobRequest)
            case recreate(jobID: String, CreateJobRequest)
        }

        let name: String
        let existing: Job?
        let desired: CreateJobRequest
        let change: Change
        /// Differing fields the API cannot change (left as they are).
        let fixed: [String]
    }

    /// Checks the definitions, reads the project's jobs and decides each job's change; writes nothing.
    func makePlan(recreate: Set<String> = []) async throws(LauncherError) -> [Step] {
        for definition in definitions.jobs where definition.script.isEmpty {
            throw LauncherError(.deploy, "job '\(definition.name)' has no script to deploy; nothing was changed")
        }
        for definition in definitions.jobs where (runtimeIdentifier ?? definition.runtimeIdentifier ?? "").isEmpty
            && (kernel ?? definition.kernel ?? "").isEmpty
        {
            throw LauncherError(
                .deploy,
                "job '\(definition.name)' has no runtime: give --runtime-identifier ID (the image identifier of a "
                    + "Python ML Runtime, from GET /api/v2/runtimes or Site Administration → Runtime Catalog) or "
                    + "runtime_identifier in the job definitions, or --kernel python3 for a project on legacy "
                    + "engines; nothing was changed"
            )
        }
        let names = Set(definitions.jobs.map(\.name))
        for name in recreate.sorted() where !names.contains(name) {
            throw LauncherError(.deploy, "--recreate '\(name)': no job of that name in the job definitions; nothing was changed")
        }
        var plan: [Step] = []
        for definition in definitions.jobs {
            let existing: Job?
            do { existing = try await client.findJobIfExists(named: definition.name) } catch {
                throw LauncherError(.deploy, "\(error.message); nothing was changed")
            }
            let desired = createRequest(for: definition)
            guard let existing else {
                plan.append(Step(name: definition.name, existing: nil, desired: desired, change: .create(desired), fixed: []))
                continue
            }
            let (update, fixed) = Self.changes(from: existing, to: desired)
            let change: Step.Change
            if !fixed.isEmpty, recreate.contains(definition.name) {
                change = .recreate(jobID: existing.id, desired)
            } else {
                change = update.isEmpty ? .none : .update(jobID: existing.id, update)
            }
            let recreating = if case .recreate = change { true } else { false }
            plan.append(
                Step(name: definition.name, existing: existing, desired: desired, change: change, fixed: recreating ? [] : fixed)
            )
        }
        return plan
    }

    /// What a job is created with: the definition, the runtime (or kernel),
    /// and `kill_on_timeout` so that a hung run is stopped. Run retries stay
    /// off: a retried run would trigger the next job twice.
    func createRequest(for definition: JobDefinition) -> CreateJobRequest {
        CreateJobRequest(
            name: definition.name, script: definition.script, cpu: definition.cpu, memory: definition.memory,
            timeout: definition.timeoutSeconds, environment: definition.environment,
            runtimeIdentifier: runtimeIdentifier ?? (kernel == nil ? definition.runtimeIdentifier : nil),
            kernel: kernel ?? definition.kernel,
            arguments: definition.arguments ?? (definition.schedule == nil ? nil : JobDefinition.scheduledArguments),
            killOnTimeout: true, schedule: definition.schedule
        )
    }

    /// The updatable fields of `job` that differ from `desired`, and the
    /// names of the differing fields the API cannot change. Runtime, kernel
    /// and arguments count only when `desired` sets them.
    static func changes(from job: Job, to desired: CreateJobRequest) -> (update: UpdateJobRequest, fixed: [String]) {
        var update = UpdateJobRequest()
        if !same(job.cpu, desired.cpu) { update.cpu = desired.cpu }
        if !same(job.memory, desired.memory) { update.memory = desired.memory }
        if job.timeout != desired.timeout { update.timeout = desired.timeout }
        if job.environment != desired.environment { update.environment = WireFormat.json(desired.environment) }
        if desired.killOnTimeout == true, !job.killOnTimeout { update.killOnTimeout = true }
        if let schedule = desired.schedule, schedule != job.schedule { update.schedule = schedule }
        var fixed: [String] = []
        if job.script != desired.script { fixed.append("script") }
        if let runtime = desired.runtimeIdentifier, runtime != job.runtimeIdentifier { fixed.append("runtime_identifier") }
        if let kernel = desired.kernel, kernel != job.kernel { fixed.append("kernel") }
        if let arguments = desired.arguments, arguments != job.arguments { fixed.append("arguments") }
        return (update, fixed)
    }

    /// CML keeps cpu and memory as 32-bit floats: 0.1 comes back as 0.10000000149.
    static func same(_ a: Double, _ b: Double) -> Bool {
        abs(a - b) <= 1e-6 * max(1, abs(a), abs(b))
    }

    // MARK: Reporting

    /// The error of a failed write: what failed, what was done, and what the
    /// server holds now of the rest (its answer may have been lost after the work).
    func incomplete(plan: [Step], failedAt index: Int, done: [Outcome], cause: JobClientError) async -> LauncherError {
        let verb: String
        switch plan[index].change {
        case .create: verb = "creating"
        case .recreate: verb = "recreating"
        case .update, .none: verb = "updating"
        }
        let doneText = done.isEmpty ? "nothing" : done.map { $0.description.split(separator: "\n")[0] }.joined(separator: "; ")
        var notDone: [String] = []
        for step in plan[index...] {
            if case .none = step.change { continue }  // already as defined
            let now: Job?
            do throws(JobClientError) { now = try await client.findJobIfExists(named: step.name) } catch {
                notDone.append("'\(step.name)' (unknown: the jobs cannot be listed now)")
                continue
            }
            guard let now else {
                notDone.append("'\(step.name)' (does not exist)")
                continue
            }
            let left = Self.changes(from: now, to: step.desired)
            let fields = left.update.fieldNames + left.fixed
            notDone.append(
                fields.isEmpty
                    ? "'\(step.name)' (id \(now.id): as defined after all)"
                    : "'\(step.name)' (id \(now.id): differs in \(fields.joined(separator: ", ")))"
            )
        }
        return LauncherError(
            .deploy,
            "deploy incomplete: \(verb) '\(plan[index].name)' failed: \(cause.message)\n"
                + "  done: \(doneText)\n"
                + "  the rest, as the server holds it now: \(notDone.joined(separator: ", "))\n"
                + "Run cml-local deploy again to complete it: it reuses the jobs that exist and creates or updates the rest."
        )
    }

    static func indent(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }.joined(separator: "\n")
    }
}
