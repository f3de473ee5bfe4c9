/// Binary or multiclass metrics, decided once for a whole data set, so that
/// one stray class in one period never switches that period's averaging.
public struct TaskDecision: Sendable, Equatable {
    public var averaging: Averaging
    /// In a binary data set, its two classes (the positive one among them);
    /// other classes in a period are counted as unexpected. Empty: not known
    /// (the evidence showed only the positive class).
    public var classes: [String]
    /// What decided it, for the report: `metadata task`, `period 0`, …
    public var source: String

    public init(averaging: Averaging, classes: [String], source: String) {
        self.averaging = averaging
        self.classes = classes
        self.source = source
    }

    /// Why no decision can be made: the positive label is not among the
    /// evidence's two classes.
    public struct Problem: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// Decides the data set's averaging.
    ///
    /// A declared task wins. Otherwise binary when the evidence holds at most
    /// two classes and the positive label is one of them (or the only other
    /// one: a lone class without positives); multiclass when they are more.
    ///
    /// - Parameters:
    ///   - declared: the metadata's `task`, if any.
    ///   - evidence: the distinct labels and predictions of the reference set
    ///     (or the first period with labels), sorted; `truncated` when more exist.
    ///   - source: where the evidence comes from, e.g. `period 0`.
    /// - Throws: ``Problem`` when the task is not declared and the evidence
    ///   holds two classes, neither of them the positive label: the metadata
    ///   names a class the data does not use.
    public static func decide(
        declared: Averaging?, positiveLabel: String, evidence: [String], truncated: Bool, source: String
    ) throws(Problem) -> TaskDecision {
        let fewClasses = !truncated && evidence.count <= 2
        // The two classes, when the evidence shows both (a lone non-positive class and the positive one count).
        let pair: [String] =
            !fewClasses ? []
            : evidence.count == 2 ? evidence
            : evidence == [positiveLabel] || evidence.isEmpty ? []
            : (evidence + [positiveLabel]).sorted()
        if let declared {
            return TaskDecision(averaging: declared, classes: declared == .binary ? pair : [], source: "metadata task")
        }
        guard fewClasses else { return TaskDecision(averaging: .macro, classes: [], source: source) }
        guard evidence.count < 2 || evidence.contains(positiveLabel) else {
            let classes = evidence.map { "\"\($0)\"" }.joined(separator: ", ")
            throw Problem(
                description: "positive_label \"\(positiveLabel)\" occurs nowhere in \(source) (its classes: \(classes)); "
                    + "set positive_label in the data set's metadata to the positive class, or declare \"task\": "
                    + "\"binary\" or \"multiclass\""
            )
        }
        return TaskDecision(averaging: .binary, classes: pair, source: source)
    }
}
