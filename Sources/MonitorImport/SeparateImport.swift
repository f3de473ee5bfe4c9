import MonitorData

/// An import from a predictions file and a labels file joined by id.
struct SeparateImport {
    let options: ImportOptions
    let predictionsPath: String
    let labelsPath: String

    /// What is held per prediction id: its slot (-1: the reference set), its predicted class, whether a label was seen.
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
        var reference = ReferenceCounter(limit: options.referenceRows)
        let referenceIDs = try firstLabeledIDs(options.referenceRows)
        if options.referenceRows != nil {
            reference.files = try ReferenceFiles(options: options, predictionsHeader: files.predictionsHeader)
        }
        while try RowChecks.next(csv) {
            let idBytes = try RowChecks.checkID(csv, columns.id!)
            try RowChecks.checkPrediction(csv, columns)
            let id = String(decoding: idBytes, as: UTF8.self)
            let inReference = referenceIDs.contains(id)
            let slotIndex = inReference ? -1 : try files.slot(row: index, csv: csv, columns: columns)
            let writer = inReference ? reference.files!.predictions : try files.open(slotIndex, withLabels: false).predictions!
            index += 1
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
            try RowChecks.writePrediction(writer, csv: csv, columns: columns, generatedID: index)
            if !inReference { files.slots[slotIndex].rows += 1 }
        }

        let labels = try RowChecks.open(labelsPath)
        let labelColumns = try ColumnIndices.resolve(
            labels, options.columns, split: options.split, needPrediction: false, needLabel: true, needID: true)
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
            let slot = entry.slot < 0 ? nil : files.slots[Int(entry.slot)]
            if let slot { try files.openLabels(slot, Int(entry.slot)) }
            let writer = slot?.labels ?? reference.files!.labels
            try writer.writeCSVField(idBytes)
            try writer.write(byte: UInt8(ascii: ","))
            try options.labelMap.apply(given) { (label) throws(ImportError) in
                try writer.writeCSVField(label)
                spelling.label(label)
                if slot == nil { reference.add(correct: classes[String(decoding: label, as: UTF8.self)] == entry.prediction) }
            }
            try writer.write(byte: 10)
            guard let slot else { continue }
            slot.labeled += 1
            labeled += 1
        }
        try reference.files?.finish()
        var summary = try files.finishDataSet(reference: reference, labeled: labeled, labelsWithoutPrediction: withoutPrediction)
        summary.warn(spelling: spelling, options: options)
        return summary
    }

    /// The ids of the labels file's first `count` rows with a label (none when `count` is `nil`): the reference set.
    private func firstLabeledIDs(_ count: Int?) throws(ImportError) -> Set<String> {
        guard let count else { return [] }
        let labels = try RowChecks.open(labelsPath)
        let columns = try ColumnIndices.resolve(
            labels, options.columns, split: options.split, needPrediction: false, needLabel: true, needID: true)
        var ids: Set<String> = []
        while ids.count < count, try RowChecks.next(labels) {
            let id = try RowChecks.checkID(labels, columns.id!)
            if labels.field(columns.label!).count > 0 { ids.insert(String(decoding: id, as: UTF8.self)) }
        }
        return ids
    }
}
