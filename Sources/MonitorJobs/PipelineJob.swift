/// The three jobs of the pipeline, their CML names and executables.
public enum PipelineJob: String, Sendable, CaseIterable {
    case getPredictions = "get-predictions"
    case loadGroundTruth = "load-ground-truth"
    case checkModel = "check-model"

    /// The CML job name, by which one job triggers the next.
    public var name: String {
        switch self {
        case .getPredictions: "Get Predictions"
        case .loadGroundTruth: "Load Ground Truth"
        case .checkModel: "Check Model"
        }
    }

    /// The executable's product name.
    public var executable: String { rawValue }

    /// The job this one triggers.
    var next: PipelineJob {
        switch self {
        case .getPredictions: .loadGroundTruth
        case .loadGroundTruth: .checkModel
        case .checkModel: .getPredictions
        }
    }

    /// The seed's wording of the trigger line: `✓ Triggered <this>: …`.
    var triggerNoun: String {
        switch self {
        case .getPredictions: "job"
        case .loadGroundTruth: "next job"
        case .checkModel: "next period"
        }
    }
}

/// A job's exit status (SPEC §3, §6).
public enum ExitStatus: Int32, Sendable {
    case success = 0
    case failure = 1
    /// `check-model` found the model degraded and stopped the pipeline.
    case degraded = 3
}
