extension CSVReader {
    /// The index of column `name`.
    ///
    /// - Throws: ``DataError`` `.schema` naming the missing column.
    func requiredColumn(_ name: String) throws(DataError) -> Int {
        guard let index = column(named: name) else {
            throw DataError(.schema, file: path, line: line, "missing required column \"\(name)\" in the header")
        }
        return index
    }

    /// Field `index` of the current record, checked to be valid UTF-8 and,
    /// when `required`, non-empty. Valid until ``next()``.
    ///
    /// - Throws: ``DataError`` `.invalidValue` naming the column and the line.
    @inline(__always)
    func textField(_ index: Int, name: String, required: Bool) throws(DataError) -> UnsafeRawBufferPointer {
        let field = fieldUnchecked(index)
        if required && field.count == 0 {
            throw DataError(.invalidValue, file: path, line: line, "empty \(name)")
        }
        if !FieldParsing.isValidUTF8(field) {
            throw DataError(.invalidValue, file: path, line: line, "\(name) is not valid UTF-8")
        }
        return field
    }
}
