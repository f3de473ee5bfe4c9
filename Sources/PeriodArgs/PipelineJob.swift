/// The three jobs of the pipeline, their CML names and executables, and the
/// order in which each triggers the next.
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

    /// The job-level variable naming the pipeline, for several pipelines in one project.
    public static let pipelineVariable = "MONITOR_PIPELINE"

    /// The CML job name in pipeline `pipeline`: ``name`` with ` [pipeline]`
    /// appended ("Get Predictions [churn]"); ``name`` alone for `nil` or empty.
    public func name(pipeline: String?) -> String {
        Self.name(name, pipeline: pipeline)
    }

    /// `base` with ` [pipeline]` appended, unless `pipeline` is `nil` or empty.
    public static func name(_ base: String, pipeline: String?) -> String {
        guard let pipeline, !pipeline.isEmpty else { return base }
        return "\(base) [\(pipeline)]"
    }

    /// The executable's product name.
    public var executable: String { rawValue }

    /// The job this one triggers.
    public var next: PipelineJob {
        switch self {
        case .getPredictions: .loadGroundTruth
        case .loadGroundTruth: .checkModel
        case .checkModel: .getPredictions
        }
    }

    /// The runs of a pipeline from period `current` of `total` that does not
    /// stop early: three per period left, then the final `get-predictions
    /// --period T,T` (`3T + 1` from period 0).
    public static func runCount(from current: Int, total: Int) -> Int {
        3 * max(0, total - current) + 1
    }
}
