import Foundation
import TestSupport
import Testing

/// Estimated performance (CBPE) and score drift through the built jobs.
@Suite struct EstimationEndToEndTests {
    func chain(_ ws: Workspace, _ period: Int, of total: Int, environment: [String: String] = [:]) throws -> (ProcessResult, ProcessResult) {
        let argument = "\(period),\(total)"
        let get = try ws.run("get-predictions", ["--period", argument])
        #expect(get.status == 0, "\(get.stderr)")
        let load = try ws.run("load-ground-truth", ["--period", argument])
        #expect(load.status == 0, "\(load.stderr)")
        return (get, try ws.run("check-model", ["--period", argument], environment: environment))
    }

    @Test("period 0 is the reference; later periods are estimated from a reference artifact built once")
    func estimatesFromPeriodZero() throws {
        let periods = [
            GeneratedPeriod(period: 0, rows: 400, accuracy: 0.9, seed: 21),
            GeneratedPeriod(period: 1, rows: 400, accuracy: 0.9, labeledFraction: 0, seed: 22),
            GeneratedPeriod(period: 2, rows: 400, accuracy: 0.9, labeledFraction: 0, seed: 23),
        ]
        let ws = try Workspace(periods.map(\.fixture))
        let (get0, check0) = try chain(ws, 0, of: 3)
        #expect(get0.lines.contains("– No estimated accuracy for period 0: reference period"))
        #expect(check0.lines.contains { $0.hasPrefix("  Realized accuracy: ") && $0.contains("Estimated: n/a (reference period)") })
        let m0 = try ws.metrics(0)
        #expect(m0["estimated"] is NSNull)
        #expect(m0["estimated_reason"] as? String == "reference period")

        let (get1, check1) = try chain(ws, 1, of: 3, environment: ["MONITOR_MAX_PSI": "0"])
        #expect(get1.lines.contains { $0.hasPrefix("✓ Estimated period 1 accuracy (no labels needed): ") && $0.contains("score drift PSI") })
        let metricsLine = try #require(check1.lines.firstIndex(of: "✓ Period 1 Metrics: Accuracy: n/a"))
        #expect(check1.lines[metricsLine + 1].hasPrefix("  Realized accuracy: n/a  Estimated (CBPE): "))
        let m1 = try ws.metrics(1)
        let estimated = try #require(m1["estimated"] as? [String: Any])
        #expect(estimated["method"] as? String == "cbpe")
        let (accuracy, lower, upper) = (try #require(double(estimated["accuracy"])), try #require(double(estimated["accuracy_lower"])),
                                        try #require(double(estimated["accuracy_upper"])))
        #expect(lower < accuracy && accuracy < upper)
        #expect(abs(accuracy - 0.9) < 0.05)
        for key in ["precision", "recall", "f1", "roc_auc"] { #expect(double(estimated[key]) != nil, "\(key)") }
        let drift = try #require(m1["score_drift"] as? [String: Any])
        #expect(double(drift["psi"]) != nil && double(drift["ks_statistic"]) != nil && double(drift["ks_p_value"]) != nil)
        #expect(drift["drifted"] as? Bool == true)  // MONITOR_MAX_PSI 0: any PSI exceeds it
        #expect(m1["estimated_degraded"] as? Bool == false)

        // The artifact is built once: period 2 reads it as it is.
        let artifact = "\(ws.store)/reference/reference.bin"
        let built = try FileManager.default.attributesOfItem(atPath: artifact)[.systemFileNumber] as? Int
        let (_, check2) = try chain(ws, 2, of: 3)
        #expect(check2.status == 0)
        #expect(try FileManager.default.attributesOfItem(atPath: artifact)[.systemFileNumber] as? Int == built)
        #expect(try (ws.metrics(2)["score_drift"] as? [String: Any])?["drifted"] is NSNull)
        // A changed source (period 0 loaded again) builds it anew.
        #expect(try ws.run("load-ground-truth", ["--period", "0,3"]).status == 0)
        #expect(try ws.run("check-model", ["--period", "0,3"]).status == 0)
        #expect(try ws.run("get-predictions", ["--period", "2,3"]).status == 0)
        #expect(try FileManager.default.attributesOfItem(atPath: artifact)[.systemFileNumber] as? Int != built)
    }

    /// Period 0: every row predicted 1; score 0.95 always right, score 0.55 right half the time.
    /// Period 1, unlabeled: only 0.55 scores, so the estimate is about 50%.
    static func shiftedToUncertainScores() -> [PeriodFixture] {
        var predictions = "id,prediction,score\n", labels = "id,label\n"
        for i in 0..<200 {
            let confident = i % 2 == 0
            predictions += "a\(i),1,\(confident ? 0.95 : 0.55)\n"
            labels += "a\(i),\(confident || i % 4 == 1 ? 1 : 0)\n"
        }
        let later = "id,prediction,score\n" + (0..<200).map { "b\($0),1,0.55" }.joined(separator: "\n") + "\n"
        return [
            PeriodFixture(predictionsCSV: predictions, labelsCSV: labels, rows: 200),
            PeriodFixture(predictionsCSV: later, labelsCSV: "id,label\n", rows: 200),
        ]
    }

    @Test("a period without labels is judged on its estimate: flagged under continue, stopped under stop")
    func estimatedDegradation() throws {
        let ws = try Workspace(Self.shiftedToUncertainScores())
        let (_, check0) = try chain(ws, 0, of: 2)
        #expect(check0.status == 0, "\(check0.stderr)")
        let (_, flagged) = try chain(ws, 1, of: 2)
        #expect(flagged.status == 0, "\(flagged.stderr)")
        #expect(flagged.lines.contains { $0.hasPrefix("⚠ Period 1 estimated degraded (policy: continue): insufficient ground truth") })
        var m = try ws.metrics(1)
        #expect(m["estimated_degraded"] as? Bool == true)
        #expect(m["degraded"] as? Bool == false)
        #expect(m["decision"] as? String == "last_period")
        #expect((m["reason"] as? String)?.contains("estimated degraded: estimated accuracy at most") == true)

        let stopped = try ws.run("check-model", ["--period", "1,2"], environment: ["MONITOR_ON_ESTIMATED_DEGRADATION": "stop"])
        #expect(stopped.status == 3)
        #expect(stopped.stdout.contains("✗ Model degraded in period 1"))
        m = try ws.metrics(1)
        #expect(m["decision"] as? String == "stop_degraded")
    }

    @Test("a labeled period outside the band says the estimate is off: concept drift")
    func conceptDrift() throws {
        var fixtures = Self.shiftedToUncertainScores()
        // Period 1 now labeled: its 0.55 scores are all wrong, far below the estimate's 50%.
        fixtures[1].labelsCSV = "id,label\n" + (0..<200).map { "b\($0),0" }.joined(separator: "\n") + "\n"
        let ws = try Workspace(fixtures)
        _ = try chain(ws, 0, of: 2)
        let (_, check) = try chain(ws, 1, of: 2, environment: ["MONITOR_ON_DEGRADATION": "continue"])
        #expect(check.lines.contains {
            $0.hasPrefix("  Realized accuracy: 0.00%  Estimated (CBPE): ")
                && $0.hasSuffix("— estimate off: the relation between score and outcome has changed (concept drift)")
        })
    }

    @Test("MONITOR_MAX_PSI and MONITOR_ON_ESTIMATED_DEGRADATION are checked like the other settings")
    func refusedSettings() throws {
        let ws = try Workspace([GeneratedPeriod(period: 0, rows: 50, accuracy: 0.9, seed: 3).fixture])
        #expect(try ws.run("get-predictions", ["--period", "0,1"]).status == 0)
        #expect(try ws.run("load-ground-truth", ["--period", "0,1"]).status == 0)
        let psi = try ws.run("check-model", ["--period", "0,1"], environment: ["MONITOR_MAX_PSI": "-1"])
        #expect(psi.status == 1)
        #expect(psi.stderr == "ERROR: Invalid MONITOR_MAX_PSI '-1': expected a number >= 0\n")
        let action = try ws.run("check-model", ["--period", "0,1", "--on-estimated-degradation", "later"])
        #expect(action.status == 1)
        #expect(action.stderr == "ERROR: Invalid --on-estimated-degradation 'later': expected 'stop' or 'continue'\n")
    }
}
