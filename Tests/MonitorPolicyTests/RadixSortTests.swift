@testable import MonitorPolicy
import Testing
import TestSupport

@Suite("ROC AUC's radix sort")
struct RadixSortTests {

    @Test(arguments: [0, 1, 63, 64, 65, 1000, 70_000])
    func sortsLikeSort(count: Int) {
        var random = SeededGenerator(seed: UInt64(count))
        let specials: [Double] = [0, -0.0, 1, -1, 0.5, .ulpOfOne, -.leastNonzeroMagnitude, .greatestFiniteMagnitude, -.greatestFiniteMagnitude]
        var values = (0..<count).map { i -> Double in
            switch i % 4 {
            case 0: Double(Int.random(in: 0...10_000, using: &random)) / 10_000  // 4-decimal scores, many ties
            case 1: Double.random(in: -1e6...1e6, using: &random)
            case 2: specials[Int.random(in: 0..<specials.count, using: &random)]
            default: Double.random(in: 0...1, using: &random)
            }
        }
        let expected = values.sorted()
        var keys = values.map(Metrics.orderedKey)
        keys.withUnsafeMutableBufferPointer { Metrics.radixSort($0) }
        values = keys.map { Metrics.value(ofKey: $0) }
        #expect(values.count == expected.count)
        #expect(zip(values, expected).allSatisfy { $0 == $1 }, "radix sort differs from sort()")
    }

    @Test func aucMatchesPairCounting() {
        var random = SeededGenerator(seed: 42)
        let n = 3000
        let scores = (0..<n).map { _ in Double(Int.random(in: 0...200, using: &random)) / 200 }
        let labels = (0..<n).map { i -> Int32 in i % 7 == 0 ? -1 : (Bool.random(using: &random) ? 1 : 0) }
        var pos: [Double] = [], neg: [Double] = []
        for i in 0..<n where labels[i] >= 0 { if labels[i] == 1 { pos.append(scores[i]) } else { neg.append(scores[i]) } }
        var twice = 0
        for p in pos { for q in neg { twice += p > q ? 2 : (p == q ? 1 : 0) } }
        let expected = Double(twice) / (2 * Double(pos.count) * Double(neg.count))
        let auc = Metrics.rocAUC(scores: scores, labels: labels, positiveIndex: 1, positives: pos.count, negatives: neg.count)
        #expect(auc == expected)
    }

    /// Above the size where the two sorts run on two threads; with -0.0 and
    /// 0.0 (a tie) and many equal scores. The reference counts each distinct
    /// score's positives and negatives and walks the sorted distinct scores.
    @Test func aucOfALargePeriodMatchesCountsPerScore() {
        var random = SeededGenerator(seed: 7)
        let n = 120_000
        let scores = (0..<n).map { i -> Double in
            i % 1000 == 0 ? (i % 2000 == 0 ? -0.0 : 0.0) : Double(Int.random(in: 0...5000, using: &random)) / 5000
        }
        let labels = (0..<n).map { i -> Int32 in i % 11 == 0 ? -1 : (Int.random(in: 0..<3, using: &random) == 0 ? 1 : 0) }
        var perScore: [Double: (positive: Int, negative: Int)] = [:]
        for i in 0..<n where labels[i] >= 0 {
            if labels[i] == 1 { perScore[scores[i], default: (0, 0)].positive += 1 } else { perScore[scores[i], default: (0, 0)].negative += 1 }
        }
        var twice = 0, negativesBelow = 0
        for score in perScore.keys.sorted() {
            let (p, q) = perScore[score]!
            twice += p * (2 * negativesBelow + q)
            negativesBelow += q
        }
        let positives = perScore.values.reduce(0) { $0 + $1.positive }
        let negatives = perScore.values.reduce(0) { $0 + $1.negative }
        let expected = Double(twice) / (2 * Double(positives) * Double(negatives))
        let auc = Metrics.rocAUC(scores: scores, labels: labels, positiveIndex: 1, positives: positives, negatives: negatives)
        #expect(auc == expected)
    }
}
