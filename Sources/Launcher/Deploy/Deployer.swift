import Foundation
import JobClient

/// Creates or updates a CML project's jobs from job definitions (SPEC §10).
///
/// It first reads: for every definition, the jobs whose name contains it
/// (all pages), keeping the exact match. Several exact matches, or any read
/// failure, stop it before anything is written. Then, in the definitions'
/// order, it creates the missing jobs and patches the changed fields of the
/// others, so a second deploy changes nothing and never duplicates a job.
/// A failed write stops it; the error says which jobs were done and which
/// were not, and a re-run completes the rest.
///
/// It lives in the launcher module because `jobs/jobs.json`'s
/// ``JobDefinitions`` do, and `cml-local` already links the API models and
/// the ``JobClient``.
public struct Deployer: Sendable {
    /// What happened (or, in a dry run, would happen) to one job.
    public struct Outcome: Sendable, Equatable, CustomStringConvertible {
        public enum Action: Sendable, Equatable {
            case created
            /// With the API names of the changed fields.
            case updated([String])
            case unchanged
            case wouldCreate
            case wouldUpdate([String])
        }

        public let name: String
        /// The job's id; `nil` for ``Action/wouldCreate``.
        public let jobID: String?
        public let action: Action

        /// One line: `created   'Get Predictions' (id …)`, `updated   'Check Model' (id …): cpu, environment`,
        /// `unchanged 'Load Ground Truth' (id …)`, `would create 'X'`, `would update 'X' (id …): cpu`.
        public var description: String {
            let id = jobID.map { " (id \($0))" } ?? ""
            switch action {
            case .created: return "created   '\(name)'\(id)"
            case .updated(let fields): return "updated   '\(name)'\(id): \(fields.joined(separator: ", "))"
            case .unchanged: return "unchanged '\(name)'\(id)"
            case .wouldCreate: return "would create '\(name)'"
            case .wouldUpdate(let fields): return "would update '\(name)'\(id): \(fields.joined(separator: ", "))"
            }
        }
    }

    public let client: JobClient
    public let definitions: JobDefinitions
    /// `--runtime-identifier`: overrides every definition's `runtime_identifier`.
    public var runtimeIdentifier: String?

    public init(client: JobClient, definitions: JobDefinitions, runtimeIdentifier: String? = nil) {
        self.client = client
        self.definitions = definitions
        self.runtimeIdentifier = runtimeIdentifier
    }

    /// Brings the project's jobs in line with ``definitions``; `output` gets
    /// one line per job as it is done (in a dry run, also the request each
    /// write would be, with the key shown as `Bearer <redacted>`).
    ///
    /// A dry run sends only the GET requests that list jobs.
    ///
    /// - Throws: ``LauncherError`` `.deploy`: a definition without a script,
    ///   a job name used by several jobs in the project, or a request that
    ///   failed, with what was and was not done. Never contains the key.
    @discardableResult
    public func deploy(dryRun: Bool = false, output: @Sendable (String) -> Void) async throws(LauncherError) -> [Outcome] {
        let plan = try await makePlan()
        var outcomes: [Outcome] = []
        for (index, step) in plan.enumerated() {
            let outcome: Outcome
            switch step.change {
            case .none:
                outcome = Outcome(name: step.name, jobID: step.existing?.id, action: .unchanged)
                output(outcome.description)
            case .create(let request) where dryRun:
                outcome = Outcome(name: step.name, jobID: nil, action: .wouldCreate)
                output(outcome.description)
                output(Self.indent(client.describeCreateJob(request).description))
            case .update(let id, let update) where dryRun:
                outcome = Outcome(name: step.name, jobID: id, action: .wouldUpdate(update.fieldNames))
                output(outcome.description)
                output(Self.indent(client.describeUpdateJob(jobID: id, update).description))
            case .create(let request):
                do {
                    let job = try await client.createJob(request)
                    outcome = Outcome(name: step.name, jobID: job.id, action: .created)
                } catch {
                    throw Self.incomplete(verb: "creating", plan: plan, failedAt: index, done: outcomes, cause: error)
                }
                output(outcome.description)
            case .update(let id, let update):
                do {
                    _ = try await client.updateJob(jobID: id, update)
                    outcome = Outcome(name: step.name, jobID: id, action: .updated(update.fieldNames))
                } catch {
                    throw Self.incomplete(verb: "updating", plan: plan, failedAt: index, done: outcomes, cause: error)
                }
                output(outcome.description)
            }
            outcomes.append(outcome)
        }
        return outcomes
    }

    // MARK: Plan

    struct Step {
        enum Change {
            case none
            case create(CreateJobRequest)
            case update(jobID: String, UpdateJobRequest)
        }

        let name: String
        let existing: Job?
        let change: Change
    }

    /// Reads the project's jobs and decides each job's change; writes nothing.
    func makePlan() async throws(LauncherError) -> [Step] {
        for definition in definitions.jobs where definition.script.isEmpty {
            throw LauncherError(.deploy, "job '\(definition.name)' has no script to deploy; nothing was changed")
        }
        var plan: [Step] = []
        for definition in definitions.jobs {
            let existing: Job?
            do { existing = try await client.findJobIfExists(named: definition.name) } catch {
                throw LauncherError(.deploy, "\(error.message); nothing was changed")
            }
            let desired = createRequest(for: definition)
            guard let existing else {
                plan.append(Step(name: definition.name, existing: nil, change: .create(desired)))
                continue
            }
            let update = Self.changes(from: existing, to: desired)
            plan.append(Step(name: definition.name, existing: existing, change: update.isEmpty ? .none : .update(jobID: existing.id, update)))
        }
        return plan
    }

    func createRequest(for definition: JobDefinition) -> CreateJobRequest {
        CreateJobRequest(
            name: definition.name, script: definition.script, cpu: definition.cpu, memory: definition.memory,
            timeout: definition.timeoutSeconds, environment: definition.environment,
            runtimeIdentifier: runtimeIdentifier ?? definition.runtimeIdentifier, kernel: definition.kernel,
            arguments: definition.arguments
        )
    }

    /// The fields of `job` that differ from `desired`. Runtime, kernel and
    /// arguments count only when `desired` sets them.
    static func changes(from job: Job, to desired: CreateJobRequest) -> UpdateJobRequest {
        var update = UpdateJobRequest()
        if job.script != desired.script { update.script = desired.script }
        if !same(job.cpu, desired.cpu) { update.cpu = desired.cpu }
        if !same(job.memory, desired.memory) { update.memory = desired.memory }
        if job.timeout != desired.timeout { update.timeout = desired.timeout }
        if job.environment != desired.environment { update.environment = WireFormat.json(desired.environment) }
        if let runtime = desired.runtimeIdentifier, runtime != job.runtimeIdentifier { update.runtimeIdentifier = runtime }
        if let kernel = desired.kernel, kernel != job.kernel { update.kernel = kernel }
        if let arguments = desired.arguments, arguments != job.arguments { update.arguments = arguments }
        return update
    }

    /// CML keeps cpu and memory as 32-bit floats: 0.1 comes back as 0.10000000149.
    static func same(_ a: Double, _ b: Double) -> Bool {
        abs(a - b) <= 1e-6 * max(1, abs(a), abs(b))
    }

    // MARK: Reporting

    /// The error of a failed write: what failed, what was done, what was not.
    static func incomplete(verb: String, plan: [Step], failedAt index: Int, done: [Outcome], cause: JobClientError) -> LauncherError {
        let doneText = done.isEmpty ? "nothing" : done.map(\.description).joined(separator: "; ")
        let notDone = plan[index...].compactMap { step -> String? in
            switch step.change {
            case .none: nil  // already as defined
            case .create: "'\(step.name)' (not created)"
            case .update(_, let update): "'\(step.name)' (not updated: \(update.fieldNames.joined(separator: ", ")))"
            }
        }
        return LauncherError(
            .deploy,
            "deploy incomplete: \(verb) '\(plan[index].name)' failed: \(cause.message)\n"
                + "  done: \(doneText)\n"
                + "  not done: \(notDone.joined(separator: ", "))\n"
                + "Run cml-local deploy again to complete it: it reuses the jobs that exist and creates or updates the rest."
        )
    }

    static func indent(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }.joined(separator: "\n")
    }
}
