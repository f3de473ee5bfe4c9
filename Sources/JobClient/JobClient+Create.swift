/// What a look for the result of an earlier create request found.
enum Look<Created> {
    case found(Created)
    /// Not there: the earlier request made nothing (or it cannot be told).
    case absent
    /// The look failed in a way worth retrying.
    case failed(JobClientError)
}

extension JobClient {
    /// Sends a create request (POST) at most as often as ``retry`` allows,
    /// never making two of what it creates.
    ///
    /// After any failed attempt that may have taken effect (a cut connection,
    /// a timeout, a 5xx, an unreadable answer; not a refused connection or a 4xx) it
    /// calls `look` before sending again, and adopts what `look` finds;
    /// a failed look counts as a failed attempt (nothing is re-sent before a
    /// look succeeds). An answer that arrives but cannot be read is looked
    /// for too. After the last failed attempt it looks once more.
    ///
    /// - Parameters:
    ///   - thing: what is created, for the error: `A run`, `The job`.
    ///   - look: finds what an earlier attempt made; throws what is not worth retrying.
    ///   - mayStillAppear: how a user looks for it by hand, for the error
    ///     when nothing was found but something may still appear.
    /// - Throws: ``JobClientError``: the last failure; when an attempt may have
    ///   taken effect, with the hint and ``JobClientError/mayHaveTakenEffect`` set.
    func createAdopting<Created: Decodable>(
        _ request: (transport: HTTPTransportRequest, what: String),
        thing: String,
        look: () async throws(JobClientError) -> Look<Created>,
        mayStillAppear hint: () -> String
    ) async throws(JobClientError) -> Created {
        var mayExist = false
        func lastLook() async -> Created? {
            guard mayExist, case .found(let created)? = try? await look() else { return nil }
            return created
        }
        func unresolved(_ error: JobClientError) -> JobClientError {
            guard mayExist else { return error.with(mayHaveTakenEffect: false) }
            return redacted(
                JobClientError(
                    error.kind,
                    "\(error.message). \(thing) may still appear: an earlier request may have reached the server. "
                        + "Before trying again, \(hint())",
                    mayHaveTakenEffect: true
                )
            )
        }
        var attempt = 0
        while true {
            attempt += 1
            let failure: JobClientError
            var extraDelay: Duration = .zero
            do throws(JobClientError) {
                var found = Look<Created>.absent
                if mayExist { found = try await look() }
                switch found {
                case .found(let created):
                    return created
                case .failed(let error):
                    failure = error
                case .absent:
                    switch try await attemptOnce(request) {
                    case .success(let data):
                        mayExist = true  // made, whatever its answer says
                        return try decode(data, request)
                    case .retryable(let error, let retryAfter):
                        failure = error
                        extraDelay = retryAfter
                        if error.mayHaveTakenEffect { mayExist = true }
                    }
                }
            } catch {
                // Not worth retrying: an answer cut short or unreadable may still follow the work.
                if error.mayHaveTakenEffect { mayExist = true }
                if let created = await lastLook() { return created }
                throw unresolved(error)
            }
            guard attempt < retry.maxAttempts else {
                if let created = await lastLook() { return created }
                throw unresolved(gaveUp(failure, after: attempt))
            }
            do throws(JobClientError) {
                try await backOff(after: attempt, atLeast: extraDelay, failure)
            } catch {
                throw unresolved(error)
            }
        }
    }
}
