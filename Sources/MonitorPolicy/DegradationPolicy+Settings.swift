extension DegradationPolicy {
    /// One threshold of the policy, as a flag of `check-model` and as a job-level variable.
    public enum Setting: Sendable, CaseIterable {
        case minAccuracy, maxDrop, significance, minLabeled, onDegradation, maxPSI, onEstimatedDegradation

        /// `--max-drop`.
        public var flag: String {
            switch self {
            case .minAccuracy: "--min-accuracy"
            case .maxDrop: "--max-drop"
            case .significance: "--significance"
            case .minLabeled: "--min-labeled"
            case .onDegradation: "--on-degradation"
            case .maxPSI: "--max-psi"
            case .onEstimatedDegradation: "--on-estimated-degradation"
            }
        }

        /// `MONITOR_MAX_DROP`.
        public var variable: String {
            switch self {
            case .minAccuracy: "MONITOR_MIN_ACCURACY"
            case .maxDrop: "MONITOR_MAX_DROP"
            case .significance: "MONITOR_SIGNIFICANCE"
            case .minLabeled: "MONITOR_MIN_LABELED"
            case .onDegradation: "MONITOR_ON_DEGRADATION"
            case .maxPSI: "MONITOR_MAX_PSI"
            case .onEstimatedDegradation: "MONITOR_ON_ESTIMATED_DEGRADATION"
            }
        }
    }

    /// The policy from `flags`, else the job-level `environment` (an empty
    /// variable counts as unset), else the defaults.
    ///
    /// - Throws: ``SettingError`` for the first value out of range, naming the
    ///   flag or the variable it came from.
    public init(environment: [String: String], flags: [Setting: String] = [:]) throws(SettingError) {
        func value(_ setting: Setting) -> (text: String, source: String)? {
            JobSetting(flag: setting.flag, flags[setting], variable: setting.variable, environment: environment)
                .map { ($0.text, $0.source) }
        }
        func fraction(_ setting: Setting, open: Bool = false) throws(SettingError) -> Double? {
            guard let (text, source) = value(setting) else { return nil }
            guard let number = Double(text.trimmingSpaces), number.isFinite,
                open ? (number > 0 && number < 1) : (number >= 0 && number <= 1)
            else {
                throw SettingError(source: source, value: text, expected: "a number in \(open ? "(0, 1)" : "[0, 1]")")
            }
            return number
        }

        self.init()
        minAccuracy = try fraction(.minAccuracy)
        if let drop = try fraction(.maxDrop) { maxDrop = drop }
        if let level = try fraction(.significance, open: true) { significance = level }
        if let (text, source) = value(.minLabeled) {
            guard let count = Int(text.trimmingSpaces), count >= 0 else {
                throw SettingError(source: source, value: text, expected: "a whole number >= 0")
            }
            minLabeled = count
        }
        func action(_ setting: Setting) throws(SettingError) -> DegradationAction? {
            guard let (text, source) = value(setting) else { return nil }
            guard let action = DegradationAction(rawValue: text.trimmingSpaces.lowercased()) else {
                throw SettingError(source: source, value: text, expected: "'stop' or 'continue'")
            }
            return action
        }
        if let action = try action(.onDegradation) { self.action = action }
        if let action = try action(.onEstimatedDegradation) { estimatedAction = action }
        if let (text, source) = value(.maxPSI) {
            guard let number = Double(text.trimmingSpaces), number.isFinite, number >= 0 else {
                throw SettingError(source: source, value: text, expected: "a number >= 0")
            }
            maxPSI = number
        }
    }
}
