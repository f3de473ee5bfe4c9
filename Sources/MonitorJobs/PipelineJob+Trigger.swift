import PeriodArgs

extension PipelineJob {
    /// The seed's wording of the trigger line: `✓ Triggered <this>: …`.
    var triggerNoun: String {
        switch self {
        case .getPredictions: "job"
        case .loadGroundTruth: "next job"
        case .checkModel: "next period"
        }
    }
}
