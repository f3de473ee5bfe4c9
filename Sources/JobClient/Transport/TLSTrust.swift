/// The certificates the https transport trusts: libcurl's default, or the
/// CA bundle or folder a corporate workspace points its programs at.
///
/// libcurl reads none of these variables by itself; Python's `requests`
/// reads `REQUESTS_CA_BUNDLE`, and CML users often set only that one.
public struct TLSTrust: Sendable, Equatable, CustomStringConvertible {
    /// A PEM file of trusted CA certificates (`CURLOPT_CAINFO`).
    public var caFile: String?
    /// Which variable ``caFile`` came from.
    public var caFileVariable: String?
    /// A folder of hashed CA certificates (`CURLOPT_CAPATH`).
    public var caDirectory: String?

    public init(caFile: String? = nil, caFileVariable: String? = nil, caDirectory: String? = nil) {
        self.caFile = caFile
        self.caFileVariable = caFileVariable
        self.caDirectory = caDirectory
    }

    /// libcurl's built-in trust.
    public static let system = TLSTrust()

    /// The variables naming a CA file, first set wins.
    public static let fileVariables = ["CURL_CA_BUNDLE", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE"]
    /// The variable naming a CA folder.
    public static let directoryVariable = "SSL_CERT_DIR"

    /// The trust `environment` asks for; empty values count as unset.
    public init(environment: [String: String]) {
        self.init()
        for name in Self.fileVariables {
            if let value = environment[name], !value.isEmpty {
                caFile = value
                caFileVariable = name
                break
            }
        }
        if let value = environment[Self.directoryVariable], !value.isEmpty { caDirectory = value }
    }

    public var description: String {
        var parts: [String] = []
        if let caFile { parts.append("CA file \(caFile) from \(caFileVariable ?? "?")") }
        if let caDirectory { parts.append("CA folder \(caDirectory) from \(Self.directoryVariable)") }
        return parts.isEmpty ? "libcurl's default CA certificates" : parts.joined(separator: ", ")
    }

    /// What to do about an untrusted certificate, for error messages.
    var advice: String {
        "trusted now: \(self). Point \(Self.fileVariables.joined(separator: ", ")) at your CA bundle (PEM) "
            + "or \(Self.directoryVariable) at a folder of CA certificates"
    }
}
