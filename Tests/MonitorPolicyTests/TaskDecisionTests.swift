import MonitorPolicy
import Testing

@Suite("Binary or multiclass, decided once per data set")
struct TaskDecisionTests {
    @Test("declared, else the evidence's classes and the positive label decide", arguments: [
        (nil, ["0", "1"], false, Averaging.binary, ["0", "1"]),
        (nil, ["1"], false, .binary, []),
        (nil, ["0"], false, .binary, ["0", "1"]),
        (nil, ["0", "1", "2"], false, .macro, []),
        (nil, ["0", "1"], true, .macro, []),
        (.binary, ["0", "1", "2"], false, .binary, []),
        (.binary, ["1"], false, .binary, []),
        (.binary, ["no", "yes"], false, .binary, ["no", "yes"]),
        (.binary, ["0", "1"], false, .binary, ["0", "1"]),
        (.macro, ["0", "1"], false, .macro, []),
    ] as [(Averaging?, [String], Bool, Averaging, [String])])
    func decide(declared: Averaging?, evidence: [String], truncated: Bool, averaging: Averaging, classes: [String]) throws {
        let decision = try TaskDecision.decide(declared: declared, positiveLabel: "1", evidence: evidence, truncated: truncated, source: "period 0")
        #expect(decision.averaging == averaging)
        #expect(decision.classes == classes)
        #expect(decision.source == (declared == nil ? "period 0" : "metadata task"))
    }

    @Test("an undeclared positive label absent from two classes is a problem naming it and them")
    func absentPositiveLabel() {
        let problem = #expect(throws: TaskDecision.Problem.self) {
            try TaskDecision.decide(declared: nil, positiveLabel: "1", evidence: ["no", "yes"], truncated: false, source: "period 0")
        }
        #expect(problem?.description.contains(#"positive_label "1" occurs nowhere in period 0 (its classes: "no", "yes")"#) == true)
    }
}
