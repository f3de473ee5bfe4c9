// Benchmark of the data module: reads every period of a data set through
// PredictionReader and LabelReader (inflate + parse + validate), the way the
// jobs do, and reports time, throughput and peak RSS. Used by scripts/bench-data.
//
//   DataBench DATA_DIR [REPETITIONS [inflate-only | metadata]]
//
// `metadata`: the median time of reading the metadata as one period's job
// does (DataSet scope .period) and as the full check does (.all).
import MonitorData

import Platform

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

func peakRSSMiB() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024  // ru_maxrss is in KiB on Linux
}

struct Totals {
    var rows = 0
    var labels = 0
    var bytes = 0
    var checksum = 0.0
}

func readAll(_ dataSet: DataSet) throws(DataError) -> Totals {
    var totals = Totals()
    for period in 0..<dataSet.metadata.numPeriods {
        let predictions = try PredictionReader(path: try dataSet.predictionsPath(period: period))
        while try predictions.next() {
            totals.rows += 1
            totals.checksum += predictions.score
            totals.bytes &+= predictions.id.count &+ predictions.prediction.count
        }
        let labels = try LabelReader(path: try dataSet.labelsPath(period: period))
        while try labels.next() {
            totals.labels += 1
            totals.bytes &+= labels.id.count &+ labels.label.count
        }
    }
    return totals
}

/// Inflate only (no CSV parsing): the floor for ``readAll``.
func inflateAll(_ dataSet: DataSet) throws(DataError) -> Totals {
    var totals = Totals()
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 * 1024, alignment: 16)
    defer { buffer.deallocate() }
    for period in 0..<dataSet.metadata.numPeriods {
        for path in [try dataSet.predictionsPath(period: period), try dataSet.labelsPath(period: period)] {
            let reader = try GzipReader(path: path)
            while case let count = try reader.read(into: buffer), count > 0 {
                totals.bytes += count
            }
        }
    }
    return totals
}

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    print("usage: DataBench DATA_DIR [REPETITIONS]")
    exit(2)
}
let repetitions = arguments.count >= 3 ? Int(arguments[2]) ?? 1 : 1
let inflateOnly = arguments.count >= 4 && arguments[3] == "inflate-only"
if arguments.count >= 4 && arguments[3] == "metadata" {
    func medianMilliseconds(_ body: () throws -> Void) rethrows -> Double {
        var times: [Double] = []
        for _ in 0..<max(repetitions, 1) {
            let start = now()
            try body()
            times.append(now() - start)
        }
        return times.sorted()[times.count / 2] * 1000
    }
    do {
        let path = DataSet.metadataPath(directory: arguments[1])
        let periods = try DataSet(directory: arguments[1]).metadata.numPeriods
        let inflate = try medianMilliseconds { _ = try GzipReader.readAll(path: path) }
        let one = try medianMilliseconds { _ = try DataSet(directory: arguments[1], scope: .period(periods / 2)) }
        let all = try medianMilliseconds { _ = try DataSet(directory: arguments[1]) }
        print("periods=\(periods) inflate_ms=\(inflate) period_scope_ms=\(one) all_scope_ms=\(all)")
    } catch {
        print("error: \(error)")
        exit(1)
    }
    exit(0)
}
do {
    let dataSet = try DataSet(directory: arguments[1])
    var times: [Double] = []
    var totals = Totals()
    for _ in 0..<repetitions {
        let start = now()
        totals = inflateOnly ? try inflateAll(dataSet) : try readAll(dataSet)
        times.append(now() - start)
    }
    times.sort()
    let median = times[times.count / 2]
    print("times_s=\(times.map { String((($0 * 1000).rounded()) / 1000) }.joined(separator: ","))")
    print("median_s=\(median)")
    print("prediction_rows=\(totals.rows) label_rows=\(totals.labels)")
    print("rows_per_s=\(Double(totals.rows + totals.labels) / median)")
    print("checksum=\(totals.checksum) bytes=\(totals.bytes)")
    print("peak_rss_mib=\(peakRSSMiB())")
} catch {
    print("error: \(error)")
    exit(1)
}
