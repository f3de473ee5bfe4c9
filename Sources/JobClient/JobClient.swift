import CMLAPI
import FoundationEssentials
import Synchronization

/// Triggers job runs through the CML API v2 (its models: the `CMLAPI` module).
///
/// Requests carry `Authorization: Bearer <key>` and go over a plain socket
/// for an `http://` API (the launcher's loopback server) or through libcurl,
/// loaded on first use, for `https://` (a real CML workspace). Connection
/// errors, timeouts, 429 and 5xx answers are retried per ``RetryPolicy``; any
/// other 4xx fails at once with the server's message. A trigger makes one
/// run however its answers get lost (see ``trigger(jobName:arguments:)``).
/// No error message ever contains the key.
public struct JobClient: JobTrigger {
    public let configuration: CMLConfiguration
    public let retry: RetryPolicy
    /// `page_size` of job listings; the server may send fewer.
    public var pageSize: Int = 100
    /// Where the client says what the caller should know but that is no
    /// error (a server that does not echo run environments); default: nowhere.
    public var warn: @Sendable (String) -> Void = { _ in }
    /// How the client waits before a retry; tests record the waits instead.
    package var sleep: @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    private let transport: any HTTPTransport
    private let lookups = JobLookups()

    public init(configuration: CMLConfiguration, retry: RetryPolicy = .default) {
        self.init(configuration: configuration, retry: retry, transport: Self.transport(for: configuration))
    }

    /// A client that sends its requests through `transport` (tests use it to
    /// run the curl transport against an `http://` server).
    package init(configuration: CMLConfiguration, retry: RetryPolicy, transport: any HTTPTransport) {
        self.configuration = configuration
        self.retry = retry
        self.transport = transport
    }

    /// ``SocketHTTPTransport`` for `http://` (loading libcurl costs a job
    /// process about 5 ms), ``CurlHTTPTransport`` for anything else or when
    /// the configuration forces it.
    package static func transport(for configuration: CMLConfiguration) -> any HTTPTransport {
        configuration.apiBase.lowercased().hasPrefix("http://") && !configuration.forceCurl
            ? SocketHTTPTransport() : CurlHTTPTransport(trust: configuration.trust)
    }

    // MARK: Jobs

    /// The project's job named exactly `name`.
    ///
    /// Lists jobs with `search_filter={"name": name}` (a substring match on the
    /// server), follows `next_page_token` to the last page and keeps the exact
    /// matches.
    ///
    /// - Throws: ``JobClientError`` `.jobNotFound` when no job or more than one
    ///   job has exactly that name; any request error.
    public func findJob(named name: String) async throws(JobClientError) -> Job {
        let listed = try await listJobs(nameContaining: name)
        let exact = listed.filter { $0.name == name }
        let similar = listed.map(\.name).filter { $0 != name }
        switch exact.count {
        case 1:
            return exact[0]
        case 0:
            let hint =
                similar.isEmpty
                ? "no job name contains it"
                : "jobs with similar names: \(similar.prefix(10).map { "'\($0)'" }.joined(separator: ", "))"
            throw JobClientError(
                .jobNotFound,
                "No job named exactly '\(name)' in CML project \(configuration.projectID) (\(hint)); create it from jobs/jobs.json"
            )
        default:
            throw JobClientError(
                .jobNotFound,
                "\(exact.count) jobs are named exactly '\(name)' in CML project \(configuration.projectID) "
                    + "(ids \(exact.map(\.id).joined(separator: ", "))); job names must be unique to trigger by name"
            )
        }
    }

    // MARK: Runs

    /// Creates (and so starts) one run of job `jobID` with `arguments`, one
    /// string such as `--period 3,10`, and optional per-run variables.
    ///
    /// The run carries a new trigger id (``CreateJobRunRequest/triggerIDVariable``), so retries
    /// after a lost answer adopt the run instead of making another.
    ///
    /// - Throws: ``JobClientError`` for any request error.
    public func createRun(
        jobID: String, arguments: String, environment: [String: String]? = nil
    ) async throws(JobClientError) -> JobRun {
        try await createTriggeredRun(jobID: jobID, arguments: arguments, triggerID: Self.makeTriggerID(), environment: environment ?? [:])
    }

    /// The run `runID` of job `jobID`, with its current status.
    public func run(jobID: String, runID: String) async throws(JobClientError) -> JobRun {
        try await send("GET", "\(jobsPath)/\(Self.escape(jobID))/runs/\(Self.escape(runID))")
    }

    /// Finds the job named exactly `jobName` and creates one run of it; returns the run id.
    ///
    /// Uses the job found by ``prepare(jobName:)`` when that lookup
    /// succeeded; otherwise, or when that job has gone since (404), looks again.
    /// The run is made by ``createTriggeredRun(jobID:arguments:triggerID:)``:
    /// a lost answer never makes a second run.
    ///
    /// - Throws: ``JobClientError``; with ``JobClientError/mayHaveTakenEffect``
    ///   when a run may exist all the same.
    public func trigger(jobName: String, arguments: String) async throws(JobClientError) -> String {
        try await trigger(jobName: jobName, arguments: arguments, environment: [:])
    }

    /// ``trigger(jobName:arguments:)`` with per-run variables in the new run's environment.
    public func trigger(
        jobName: String, arguments: String, environment: [String: String]
    ) async throws(JobClientError) -> String {
        let triggerID = Self.makeTriggerID()
        if let ahead = lookups.take(jobName) {
            switch await ahead.result {
            case .success(let job):
                do {
                    return try await createTriggeredRun(
                        jobID: job.id, arguments: arguments, triggerID: triggerID, environment: environment
                    ).id
                } catch where error.kind == .http(status: 404) && !error.mayHaveTakenEffect {}
            case .failure(let error as JobClientError) where !error.isTransient:
                throw error.with(mayHaveTakenEffect: false)
            case .failure:
                break  // worth retrying: look again, with the full retry budget
            }
        }
        let job: Job
        do {
            job = try await findJob(named: jobName)
        } catch {
            throw error.with(mayHaveTakenEffect: false)  // a lookup made nothing
        }
        return try await createTriggeredRun(jobID: job.id, arguments: arguments, triggerID: triggerID, environment: environment).id
    }

    /// Starts finding the job named exactly `jobName` in the background: one
    /// attempt, no retries. A later ``trigger(jobName:arguments:)`` uses the
    /// job found, fails with a lasting error (401, no such job…), or after a
    /// transient one looks again with the full retry budget.
    public func prepare(jobName: String) {
        var policy = retry
        policy.maxAttempts = 1
        var once = JobClient(configuration: configuration, retry: policy, transport: transport)
        once.pageSize = pageSize
        once.warn = warn
        once.sleep = sleep
        lookups.start(jobName) { [once] () async throws(JobClientError) -> Job in try await once.findJob(named: jobName) }
    }

    // MARK: HTTP

    var jobsPath: String { "/projects/\(Self.escape(configuration.projectID))/jobs" }

    func send<Response: Decodable>(
        _ method: String, _ path: String, query: [(String, String)] = [], body: (some Encodable)? = String?.none
    ) async throws(JobClientError) -> Response {
        let request = try makeRequest(method, path, query: query, body: body)
        return try decode(try await perform(request), request)
    }

    /// Sends a request whose answer does not matter (it may even be empty).
    func sendIgnoringAnswer(_ method: String, _ path: String, body: (some Encodable)? = String?.none) async throws(JobClientError) {
        _ = try await perform(try makeRequest(method, path, body: body))
    }

    /// A request of the API with the client's headers; `what` names it in errors.
    func makeRequest(
        _ method: String, _ path: String, query: [(String, String)] = [], body: (some Encodable)? = String?.none
    ) throws(JobClientError) -> (transport: HTTPTransportRequest, what: String) {
        let what = "CML API \(method) \(path)"
        var bodyData: Data?
        if let body {
            do { bodyData = try JSONEncoder().encode(body) } catch {
                throw JobClientError(.invalidResponse, "cannot encode the \(what) request: \(error)")
            }
        }
        guard let url = URL(string: configuration.apiBase + path + Self.queryString(query)) else {
            throw JobClientError(.configuration, "\(what): invalid URL from API base \(configuration.apiBase)")
        }
        var headers = [HTTPHeader("Authorization", "Bearer \(configuration.apiKey)"), HTTPHeader("Accept", "application/json")]
        if bodyData != nil { headers.append(HTTPHeader("Content-Type", "application/json")) }
        let request = HTTPTransportRequest(
            method: method, url: url, headers: headers, body: bodyData.map { Array($0) } ?? [], timeout: retry.requestTimeout
        )
        return (request, what)
    }

    /// The answer of `request` as `Response`.
    func decode<Response: Decodable>(
        _ data: Data, _ request: (transport: HTTPTransportRequest, what: String)
    ) throws(JobClientError) -> Response {
        do {
            return try JSONDecoder().decode(Response.self, from: data)
        } catch {
            throw redacted(JobClientError(.invalidResponse, "\(request.what): unexpected answer (\(error)): \(Self.excerpt(data))"))
        }
    }

    /// Sends one request, retrying per ``retry``; returns the body of a 2xx answer.
    private func perform(_ request: (transport: HTTPTransportRequest, what: String)) async throws(JobClientError) -> Data {
        var attempt = 0
        while true {
            attempt += 1
            let failure: JobClientError
            var extraDelay: Duration = .zero
            switch try await attemptOnce(request) {
            case .success(let data):
                return data
            case .retryable(let error, let retryAfter):
                failure = error
                extraDelay = retryAfter
            }
            guard attempt < retry.maxAttempts else { throw gaveUp(failure, after: attempt) }
            try await backOff(after: attempt, atLeast: extraDelay, failure)
        }
    }

    /// The last failure of a request tried `attempts` times.
    func gaveUp(_ failure: JobClientError, after attempts: Int) -> JobClientError {
        redacted(failure.with(message: "\(failure.message) (after \(attempts == 1 ? "1 attempt" : "\(attempts) attempts"))"))
    }

    /// Waits before the attempt after `attempt`; a cancelled wait ends with `failure`.
    func backOff(after attempt: Int, atLeast extraDelay: Duration, _ failure: JobClientError) async throws(JobClientError) {
        guard !Task.isCancelled else { throw redacted(failure.with(message: "\(failure.message) (cancelled while retrying)")) }
        do {
            try await sleep(max(retry.delay(afterAttempt: attempt), extraDelay))
        } catch {
            throw redacted(failure.with(message: "\(failure.message) (cancelled while retrying)"))
        }
    }

    enum Attempt {
        case success(Data)
        /// A failure worth retrying, with the server's `Retry-After` (capped) or zero.
        case retryable(JobClientError, retryAfter: Duration)
    }

    /// One request; throws the failures that are not worth retrying.
    func attemptOnce(_ request: (transport: HTTPTransportRequest, what: String)) async throws(JobClientError) -> Attempt {
        let what = request.what
        let response: HTTPTransportResponse
        do {
            response = try await transport.send(request.transport)
        } catch {
            switch error.kind {
            case .timeout:
                return .retryable(
                    error.with(message: "\(what) failed: no answer within \(retry.requestTimeout.seconds) s (\(error.message))"),
                    retryAfter: .zero
                )
            case .transport:
                return .retryable(
                    error.with(message: "\(what) failed: cannot reach \(configuration.apiBase) (\(error.message))"),
                    retryAfter: .zero
                )
            default:
                throw redacted(error.with(message: "\(what) failed: \(error.message)"))
            }
        }
        let status = response.status
        let data = Data(response.body)
        if (200..<300).contains(status) { return .success(data) }
        let reason = HTTPTransportResponse.reasonPhrase(forStatus: status)
        // A 4xx (429 included: the rate limit) turns the request away; a 5xx may come after the work.
        let failure = JobClientError(
            .http(status: status), "\(what) failed: HTTP \(status) \(reason): \(Self.serverMessage(data))",
            mayHaveTakenEffect: status >= 500
        )
        guard failure.isTransient else { throw redacted(failure) }
        let retryAfter = response.value(forHeader: "Retry-After").flatMap(Int.init).map { min(Duration.seconds(min(max(0, $0), 86_400)), retry.maxDelay) }
        return .retryable(failure, retryAfter: retryAfter ?? .zero)
    }

    /// The error with every occurrence of the key replaced, whatever a server echoed.
    func redacted(_ error: JobClientError) -> JobClientError {
        let key = configuration.apiKey
        guard key.count >= 4 else { return error }
        var message = error.message.replacing(key, with: "<redacted>")
        // An excerpt may have cut an echoed key short: its leading part goes too.
        var length = key.count - 1
        while length >= 8 {
            let part = String(key.prefix(length))
            if message.contains(part) { message = message.replacing(part, with: "<redacted>") }
            length -= 1
        }
        return message == error.message ? error : error.with(message: message)
    }

    // MARK: Encoding helpers

    /// Percent-encodes everything but RFC 3986 unreserved characters (UTF-8 bytes).
    static func escape(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                bytes.append(byte)
            default:
                bytes += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func queryString(_ items: [(String, String)]) -> String {
        items.isEmpty ? "" : "?" + items.map { "\(escape($0.0))=\(escape($0.1))" }.joined(separator: "&")
    }

    /// The `message` of an ``APIError`` body, else an excerpt of the body.
    static func serverMessage(_ data: Data) -> String {
        if let error = try? JSONDecoder().decode(APIError.self, from: data) {
            let text = error.message.isEmpty ? error.error : error.message
            if !text.isEmpty { return text }
        }
        let text = excerpt(data)
        return text.isEmpty ? "(no message)" : text
    }

    static func excerpt(_ data: Data) -> String {
        let text = String(decoding: data.prefix(300), as: UTF8.self)
        return data.count > 300 ? text + "…" : text
    }
}

extension Duration {
    /// The duration in (fractional) seconds.
    var seconds: Double {
        let (s, attoseconds) = components
        return Double(s) + Double(attoseconds) / 1e18
    }
}

/// Job lookups started by ``JobClient/prepare(jobName:)``, by name, shared by
/// the copies of a client.
private final class JobLookups: Sendable {
    private let tasks = Mutex<[String: Task<Job, any Error>]>([:])

    func start(_ name: String, _ lookup: @escaping @Sendable () async throws(JobClientError) -> Job) {
        tasks.withLock { tasks in
            guard tasks[name] == nil else { return }
            tasks[name] = Task { try await lookup() }
        }
    }

    /// The lookup of `name`, if one was started; it is used once.
    func take(_ name: String) -> Task<Job, any Error>? {
        tasks.withLock { $0.removeValue(forKey: name) }
    }
}
