import MonitorData

/// An import from a predictions file and a labels file joined by id.
struct SeparateImport {
    let options: ImportOptions
    let predictionsPath: String
    let labelsPath: String

    /// What is held per prediction id: its slot, its predicted class, whether a label was seen.
    struct Entry {
        var slot: Int32
        var prediction: Int32
        var labeled: Bool
    }

    func run() throws(ImportError) -> ImportSummary {
        let (csv, columns, files) = try PeriodFiles.start(
            predictionsPath, options: options, needLabel: false, needID: true)
        var entries: [String: Entry] = [:]
        var classes: [String: Int32] = [:]
        var index = 0
        while try RowChecks.next(csv) {
            let idBytes = try RowChecks.checkID(csv, columns.id!)
            try RowChecks.checkPrediction(csv, columns)
            let slotIndex = try files.slot(row: index, csv: csv, columns: columns)
            let slot = try files.open(slotIndex, withLabels: false)
            index += 1
            let id = String(decoding: idBytes, as: UTF8.self)
            let predicted = String(decoding: csv.field(columns.prediction!), as: UTF8.self)
            let classIndex: Int32
            if let known = classes[predicted] {
                classIndex = known
            } else {
                classIndex = Int32(classes.count)
                classes[predicted] = classIndex
            }
            guard entries.updateValue(Entry(slot: Int32(slotIndex), prediction: classIndex, labeled: false), forKey: id) == nil
            else {
                throw ImportError(file: csv.path, line: csv.line, "duplicate id \"\(id.prefix(60))\"")
            }
            try RowChecks.writePrediction(slot.predictions!, csv: csv, columns: columns, generatedID: index)
            slot.rows += 1
        }

        let labels = try RowChecks.open(labelsPath)
        let labelColumns = try ColumnIndices.resolve(
            labels, options.columns, split: options.split, needPrediction: false, needLabel: true, needID: true)
        var reference = ReferenceCounter(limit: options.referenceRows)
        var labeled = 0
        var withoutPrediction = 0
        var spelling = SpellingCheck()
        for name in classes.keys { Array(name.utf8).withUnsafeBytes { spelling.prediction($0) } }
        while try RowChecks.next(labels) {
            let idBytes = try RowChecks.checkID(labels, labelColumns.id!)
            let given = labels.field(labelColumns.label!)
            let id = String(decoding: idBytes, as: UTF8.self)
            guard var entry = entries[id] else {
                withoutPrediction += 1  // a label for an id never predicted: counted, dropped
                continue
            }
            if entry.labeled {
                throw ImportError(file: labels.path, line: labels.line, "duplicate label for id \"\(id.prefix(60))\"")
            }
            guard given.count > 0 else { continue }  // "no label yet"
            entry.labeled = true
            entries[id] = entry
            let slot = files.slots[Int(entry.slot)]
            try files.openLabels(slot, Int(entry.slot))
            try slot.labels!.writeCSVField(idBytes)
            try slot.labels!.write(byte: UInt8(ascii: ","))
            try options.labelMap.apply(given) { (label) throws(ImportError) in
                try slot.labels!.writeCSVField(label)
                spelling.label(label)
                reference.add(correct: classes[String(decoding: label, as: UTF8.self)] == entry.prediction)
            }
            try slot.labels!.write(byte: 10)
            slot.labeled += 1
            labeled += 1
        }
        var summary = try files.finishDataSet(reference: reference, labeled: labeled, labelsWithoutPrediction: withoutPrediction)
        summary.warn(spelling: spelling, options: options)
        return summary
    }
}
