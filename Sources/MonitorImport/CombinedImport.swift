import MonitorData

/// An import from one file holding a prediction and a label per row.
struct CombinedImport {
    let options: ImportOptions
    let path: String

    func run() throws(ImportError) -> ImportSummary {
        let (csv, columns, files) = try PeriodFiles.start(path, options: options, needLabel: true, needID: false)
        var reference = ReferenceCounter(limit: options.referenceRows)
        var index = 0
        var labeled = 0
        var spelling = SpellingCheck()
        while try RowChecks.next(csv) {
            if let id = columns.id { _ = try RowChecks.checkID(csv, id) }
            try RowChecks.checkPrediction(csv, columns)
            let slot = try files.open(try files.slot(row: index, csv: csv, columns: columns), withLabels: true)
            index += 1
            try RowChecks.writePrediction(slot.predictions!, csv: csv, columns: columns, generatedID: index)
            slot.rows += 1
            let prediction = csv.field(columns.prediction!)
            spelling.prediction(prediction)
            let given = csv.field(columns.label!)
            if given.count > 0 {  // an empty label is "no label yet": left out of the labels file
                let writer = slot.labels!
                if let id = columns.id {
                    try writer.writeCSVField(csv.field(id))
                } else {
                    try writer.write("row-\(index)")
                }
                try writer.write(byte: UInt8(ascii: ","))
                try options.labelMap.apply(given) { (label) throws(ImportError) in
                    try writer.writeCSVField(label)
                    spelling.label(label)
                    reference.add(correct: label.elementsEqual(prediction))
                }
                try writer.write(byte: 10)
                slot.labeled += 1
                labeled += 1
            }
        }
        var summary = try files.finishDataSet(reference: reference, labeled: labeled, labelsWithoutPrediction: 0)
        summary.warn(spelling: spelling, options: options)
        return summary
    }
}
