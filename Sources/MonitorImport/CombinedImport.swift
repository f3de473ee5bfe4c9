import MonitorData

/// An import from one file holding a prediction and a label per row.
struct CombinedImport {
    let options: ImportOptions
    let path: String

    func run() throws(ImportError) -> ImportSummary {
        let (csv, columns, files) = try PeriodFiles.start(path, options: options, needLabel: true, needID: false)
        var reference = ReferenceCounter(limit: options.referenceRows)
        if options.referenceRows != nil {
            reference.files = try ReferenceFiles(options: options, predictionsHeader: files.predictionsHeader)
        }
        var index = 0
        var labeled = 0
        var spelling = SpellingCheck()
        while try RowChecks.next(csv) {
            if let id = columns.id { _ = try RowChecks.checkID(csv, id) }
            try RowChecks.checkPrediction(csv, columns)
            if reference.wantsMore, csv.field(columns.label!).count > 0, let target = reference.files {
                index += 1
                try RowChecks.writePrediction(target.predictions, csv: csv, columns: columns, generatedID: index)
                spelling.prediction(csv.field(columns.prediction!))
                try writeLabel(to: target.labels, csv: csv, columns: columns, index: index, spelling: &spelling, reference: &reference)
                continue
            }
            let slot = try files.open(try files.slot(row: index, csv: csv, columns: columns), withLabels: true)
            index += 1
            try RowChecks.writePrediction(slot.predictions!, csv: csv, columns: columns, generatedID: index)
            slot.rows += 1
            spelling.prediction(csv.field(columns.prediction!))
            if csv.field(columns.label!).count > 0 {  // an empty label is "no label yet": left out of the labels file
                try writeLabel(to: slot.labels!, csv: csv, columns: columns, index: index, spelling: &spelling, reference: &reference)
                slot.labeled += 1
                labeled += 1
            }
        }
        try reference.files?.finish()
        var summary = try files.finishDataSet(reference: reference, labeled: labeled, labelsWithoutPrediction: 0)
        summary.warn(spelling: spelling, options: options)
        return summary
    }

    /// Writes the current row's id and (mapped) label to `writer`, counting it for the reference.
    private func writeLabel(
        to writer: GzipWriter, csv: CSVReader, columns: ColumnIndices, index: Int, spelling: inout SpellingCheck,
        reference: inout ReferenceCounter
    ) throws(ImportError) {
        if let id = columns.id {
            try writer.writeCSVField(csv.field(id))
        } else {
            try writer.write("row-\(index)")
        }
        try writer.write(byte: UInt8(ascii: ","))
        let prediction = csv.field(columns.prediction!)
        try options.labelMap.apply(csv.field(columns.label!)) { (label) throws(ImportError) in
            try writer.writeCSVField(label)
            spelling.label(label)
            reference.add(correct: label.elementsEqual(prediction))
        }
        try writer.write(byte: 10)
    }
}
