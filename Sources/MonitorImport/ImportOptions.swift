/// What `cml-local import` reads, how it splits rows into periods, and where it writes.
public struct ImportOptions: Sendable {
    /// The logged data: one file with predictions and labels, or two files joined by id.
    public enum Input: Sendable, Equatable {
        /// One CSV (or gzip'd CSV) with a prediction and a label column per row.
        case combined(String)
        /// A predictions file and a labels file, joined by the id column.
        case separate(predictions: String, labels: String)
    }

    /// How rows become periods.
    public enum Split: Sendable, Equatable {
        /// `N` periods of (nearly) equal row counts; needs a first pass to count rows.
        case count(Int)
        /// Periods of `N` rows each (the last may be shorter).
        case size(Int)
        /// Time windows of this many seconds, aligned to the Unix epoch, from the
        /// first row's window to the last row's; empty windows are empty periods.
        /// Rows must come in time order (window by window).
        case window(seconds: Int64)
        /// The values of an existing period column. Spellings of one number
        /// (`1`, `01`, `+1`, `1.0`) are one value; when every value is an
        /// integer, `v` becomes period `v - min` (gaps are empty periods); when
        /// every value is a number, they are numbered in numeric order; else in
        /// text order.
        case column
    }

    /// Column names in the input. `nil` means the data format's name (`id`, `prediction`, …) when the header has it.
    public struct Columns: Sendable, Equatable {
        /// Default `id`; without one, ids `row-<n>` are generated (combined input only).
        public var id: String?
        /// Default `timestamp`; required by ``Split/window(seconds:)``.
        public var timestamp: String?
        /// Default `prediction`; required.
        public var prediction: String?
        /// Default `score`; optional.
        public var score: String?
        /// Default `label`; required.
        public var label: String?
        /// Required by ``Split/column``.
        public var period: String?

        public init(
            id: String? = nil, timestamp: String? = nil, prediction: String? = nil, score: String? = nil,
            label: String? = nil, period: String? = nil
        ) {
            self.id = id
            self.timestamp = timestamp
            self.prediction = prediction
            self.score = score
            self.label = label
            self.period = period
        }
    }

    /// The most periods an import writes (counted periods, windows, or the span of integer period values).
    public static let maxPeriods = 1_000_000
    static let maxPeriodsText = "1,000,000"

    public var input: Input
    public var split: Split
    public var columns: Columns
    /// The output data set directory; must not exist or be empty.
    public var outputDirectory: String
    /// The data set's `name`.
    public var name: String
    /// The data set's `positive_label`.
    public var positiveLabel: String
    /// Write the first `N` labeled rows as the reference set (`reference/…`, left out of the periods) and
    /// record their accuracy as `reference.accuracy`.
    public var referenceRows: Int?
    /// Label values rewritten as they are imported.
    public var labelMap = LabelMap()
    /// zlib level of the written files.
    public var compressionLevel: Int32 = 6

    public init(
        input: Input, split: Split, columns: Columns = Columns(), outputDirectory: String, name: String,
        positiveLabel: String = "1", referenceRows: Int? = nil
    ) {
        self.input = input
        self.split = split
        self.columns = columns
        self.outputDirectory = outputDirectory
        self.name = name
        self.positiveLabel = positiveLabel
        self.referenceRows = referenceRows
    }

    /// Parses a window such as `30m`, `1h`, `1d` or `7d` (also `s`, `w`) into seconds.
    public static func windowSeconds(_ text: String) -> Int64? {
        guard let unit = text.last, let count = Int64(text.dropLast()), count > 0 else { return nil }
        let scale: Int64
        switch unit {
        case "s": scale = 1
        case "m": scale = 60
        case "h": scale = 3600
        case "d": scale = 86400
        case "w": scale = 7 * 86400
        default: return nil
        }
        let (product, overflow) = count.multipliedReportingOverflow(by: scale)
        return overflow ? nil : product
    }
}
