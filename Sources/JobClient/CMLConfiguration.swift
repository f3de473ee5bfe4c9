import FoundationEssentials

/// Where and as whom the job client talks to the CML API v2.
///
/// Inside a CML job (or a run started by `cml-local`) it comes from the
/// platform variables `CDSW_API_URL`, `CDSW_APIV2_KEY` and `CDSW_PROJECT_ID`,
/// with the CA certificate variables of ``TLSTrust``. Its ``description``
/// never shows the key.
public struct CMLConfiguration: Sendable, CustomStringConvertible {
    /// `scheme://host[:port]/api/v2`.
    public let apiBase: String
    /// The API v2 key, sent as `Authorization: Bearer …`.
    public let apiKey: String
    /// The project whose jobs are triggered.
    public let projectID: String
    /// The certificates trusted for an `https://` API.
    public var trust: TLSTrust = .system
    /// Send every request through libcurl, even to an `http://` API
    /// (`MONITOR_HTTP_TRANSPORT=curl`; `cml-local run --as-cml` sets it, so a
    /// rehearsal takes the path a real workspace takes).
    public var forceCurl = false

    public init(apiBase: String, apiKey: String, projectID: String) {
        self.apiBase = apiBase
        self.apiKey = apiKey
        self.projectID = projectID
    }

    /// The variable that picks the transport: `curl`, or `auto` (the default).
    public static let transportVariable = "MONITOR_HTTP_TRANSPORT"

    /// The names of the three platform variables.
    public static let urlVariable = "CDSW_API_URL"
    public static let keyVariable = "CDSW_APIV2_KEY"
    public static let projectVariable = "CDSW_PROJECT_ID"

    /// Reads the platform variables.
    ///
    /// Returns `nil` when none of them is set (an empty value counts as not
    /// set): standalone mode. `CDSW_API_URL` looks like `https://host/api/v1`;
    /// its scheme, host and port are kept and the path replaced by `/api/v2`.
    ///
    /// - Throws: ``JobClientError`` of kind `.configuration` when only some are
    ///   set or the URL is not an `http(s)://host…` URL. The message names the
    ///   variables, never the key's value.
    public init?(environment: [String: String]) throws(JobClientError) {
        func value(_ name: String) -> String? {
            guard let raw = environment[name] else { return nil }
            let trimmed = raw.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed()
            return trimmed.isEmpty ? nil : String(trimmed)
        }
        let url = value(Self.urlVariable)
        let key = value(Self.keyVariable)
        let project = value(Self.projectVariable)
        if url == nil, key == nil, project == nil { return nil }
        guard let url, let key, let project else {
            let names = [Self.urlVariable, Self.keyVariable, Self.projectVariable]
            let missing = names.filter { value($0) == nil }
            let present = names.filter { value($0) != nil }
            throw JobClientError(
                .configuration,
                "CML platform variables incomplete: \(present.joined(separator: ", ")) set but "
                    + "\(missing.joined(separator: ", ")) missing or empty; set all three (inside CML) or none (standalone)"
            )
        }
        self.init(apiBase: try Self.apiBase(fromAPIURL: url), apiKey: key, projectID: project)
        trust = TLSTrust(environment: environment)
        switch value(Self.transportVariable)?.lowercased() {
        case nil, "auto": forceCurl = false
        case "curl": forceCurl = true
        case let other?:
            throw JobClientError(.configuration, "\(Self.transportVariable) is '\(other)': expected 'curl' or 'auto'")
        }
    }

    /// `https://host:port/api/v1` → `https://host:port/api/v2`.
    static func apiBase(fromAPIURL text: String) throws(JobClientError) -> String {
        guard let components = URLComponents(string: text),
            let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = components.host, !host.isEmpty
        else {
            throw JobClientError(
                .configuration,
                "\(Self.urlVariable) is not a valid http(s) URL: '\(text)' (expected e.g. https://ml-host.example.com/api/v1)"
            )
        }
        let hostPart = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        let portPart = components.port.map { ":\($0)" } ?? ""
        return "\(scheme)://\(hostPart)\(portPart)/api/v2"
    }

    public var description: String {
        "CMLConfiguration(apiBase: \(apiBase), projectID: \(projectID), apiKey: <redacted>)"
    }
}
