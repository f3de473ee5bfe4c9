import FoundationEssentials

// This module holds the CML API v2 models both sides use: JobClient sends and
// reads them, the launcher's LocalAPIServer answers with them.
//
// CML's API v2 is grpc-gateway over protobuf, so its JSON is protojson:
// int64 fields are JSON strings ("3600"), a job's or run's `environment` is a
// JSON-encoded string ("{\"A\":\"1\"}", or ""), and fields holding a zero
// value may be left out. Decoding accepts every such shape; encoding writes
// what a real server writes, so the launcher's imitation answers the same way.

extension KeyedDecodingContainer {
    /// A protojson string field; absent or `null` is `""`.
    func wireString(_ key: Key) throws -> String {
        try decodeIfPresent(String.self, forKey: key) ?? ""
    }

    /// A protojson int64 (or int32) field: a JSON string or number holding an
    /// integer; absent or `null` is 0.
    func wireInteger(_ key: Key) throws -> Int {
        try wireNumber(key, expected: "an integer")
    }

    /// A protojson double field: a JSON number, or a string holding one; absent or `null` is 0.
    func wireDouble(_ key: Key) throws -> Double {
        try wireNumber(key, expected: "a number")
    }

    private func wireNumber<T: Decodable & LosslessStringConvertible & Numeric>(_ key: Key, expected: String) throws -> T {
        if let number = try? decodeIfPresent(T.self, forKey: key) { return number }
        guard let text = try decodeIfPresent(String.self, forKey: key) else { return 0 }
        guard let number = T(text) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "expected \(expected), got '\(text)'")
        }
        return number
    }

    /// An `environment` field: a JSON-encoded string→string object (`""` is
    /// empty), also taken as a plain object. Text that is not such an object
    /// reads as empty: one odd run must not stop a client reading the others.
    func wireEnvironment(_ key: Key) throws -> [String: String] {
        if let map = try? decodeIfPresent([String: String].self, forKey: key) { return map }
        guard let text = try? decodeIfPresent(String.self, forKey: key), !text.isEmpty else { return [:] }
        return WireFormat.environment(fromJSON: text) ?? [:]
    }
}

extension KeyedEncodingContainer {
    /// Writes `value` unless it is empty (protojson leaves zero values out).
    mutating func wireString(_ value: String, _ key: Key) throws {
        if !value.isEmpty { try encode(value, forKey: key) }
    }

    /// Writes an int64 as a JSON string, unless it is 0.
    mutating func wireInt64(_ value: Int, _ key: Key) throws {
        if value != 0 { try encode(String(value), forKey: key) }
    }

    /// Writes a double as a JSON number, unless it is 0.
    mutating func wireDouble(_ value: Double, _ key: Key) throws {
        if value != 0 { try encode(value, forKey: key) }
    }

    /// Writes an environment as a JSON-encoded string, unless it is empty.
    mutating func wireEnvironment(_ value: [String: String], _ key: Key) throws {
        if !value.isEmpty { try encode(WireFormat.json(value), forKey: key) }
    }
}

/// Helpers for the API's JSON-in-a-string `environment` fields.
public enum WireFormat {
    /// `map` as compact JSON with sorted keys, e.g. `{"A":"1"}`.
    public static func json(_ map: [String: String]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(map)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    /// The string→string object encoded in `text`, or `nil` when it is not one.
    public static func environment(fromJSON text: String) -> [String: String]? {
        try? JSONDecoder().decode([String: String].self, from: Data(text.utf8))
    }
}
