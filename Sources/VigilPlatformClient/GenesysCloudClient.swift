import Foundation
import VigilCore
import VigilModels

/// A Genesys Cloud Platform API client that survives the platform's traps.
///
/// - **Auth**: OAuth client credentials against `https://login.<domain>/oauth/token` (Basic auth, form
///   body). The token is cached until shortly before `expires_in`; concurrent callers share one token
///   request; a `401` discards the token, fetches a new one and repeats the call once.
/// - **Retries** (see the policy table in the module documentation): `429` honours `Retry-After`;
///   `502`/`503`/`504` and connection failures are retried with the configured ``RetryPolicy`` on the
///   injected clock, within ``GenesysClientConfiguration/callDeadline``; cancellation is honoured
///   between attempts. A `POST` that creates something is retried only on `429` (the platform did
///   nothing) or when the caller passes an ``IdempotencyGuard``.
/// - **Errors**: everything is a ``GenesysAPIError``; bad arguments fail with
///   ``GenesysAPIError/Code/invalidInput`` **before** any request is sent.
///
/// ```swift
/// let client = GenesysCloudClient(
///     region: try GenesysRegion(string: "eu-west-1"),
///     credentials: GenesysCredentials(clientId: id, clientSecret: secret),
///     transport: URLSessionTransport())
/// let recording = try await client.awaitRecording(conversationId: cid, recordingId: rid)
/// let media = try await client.downloadMedia(of: recording)
/// for try await chunk in media.body { analyser.feed(chunk) }
/// ```
public struct GenesysCloudClient: Sendable, CustomStringConvertible {
    /// The region (API and login hosts).
    public let region: GenesysRegion
    /// Retry, timeout and size settings.
    public let configuration: GenesysClientConfiguration

    let transport: any HTTPTransport
    let credentials: GenesysCredentials
    let driver: any ClockDriver
    let wallNow: @Sendable () -> Date
    let tokens: TokenCache
    /// `https://api.<domain>` without a trailing slash, precomputed.
    let apiBase: String
    let tokenURL: URL
    let baseHeaders: HTTPFields

    /// Creates a client.
    ///
    /// - Parameters:
    ///   - region: where the organization lives.
    ///   - credentials: the OAuth client (client-credentials grant).
    ///   - transport: the HTTP stack (``URLSessionTransport``, the host's own, or the simulator).
    ///   - configuration: retry, deadline and size settings.
    ///   - clock: the clock every wait (backoff, polling, token lifetime) uses; a `TestClock` in tests.
    ///   - now: wall time, for HTTP-date `Retry-After` values and work-item date rules.
    public init(
        region: GenesysRegion, credentials: GenesysCredentials, transport: any HTTPTransport,
        configuration: GenesysClientConfiguration = GenesysClientConfiguration(),
        clock: some Clock<Duration> = ContinuousClock(),
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.region = region
        self.credentials = credentials
        self.transport = transport
        self.configuration = configuration
        self.wallNow = now
        let driver = ConcreteClockDriver(clock: clock)
        self.driver = driver
        var base = region.apiBaseURL.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        apiBase = base
        var login = region.loginBaseURL.absoluteString
        while login.hasSuffix("/") { login.removeLast() }
        tokenURL = URL(string: login + "/oauth/token")!
        var headers: HTTPFields = ["Accept": "application/json"]
        if let userAgent = configuration.userAgent { headers["User-Agent"] = userAgent }
        baseHeaders = headers
        let fetcher = TokenFetcher(
            transport: transport, credentials: credentials, tokenURL: tokenURL,
            configuration: configuration, driver: driver, wallNow: now)
        tokens = TokenCache(driver: driver, margin: configuration.tokenRefreshMargin, baseHeaders: headers) {
            try await fetcher.fetch()
        }
    }

    /// The region only — never credentials or tokens.
    public var description: String { "GenesysCloudClient(region: \(region))" }

    /// Fetches a token now (normally done lazily by the first call), e.g. to fail fast at start-up on
    /// bad credentials.
    ///
    /// - Throws: ``GenesysAPIError/Code/badCredentials`` or ``GenesysAPIError/Code/authenticationUnavailable``.
    public func authenticate() async throws {
        _ = try await tokens.token()
    }
}

// MARK: - Request machinery

extension GenesysCloudClient {
    /// A response whose body was read into memory.
    struct RawResponse: Sendable {
        let status: Int
        let headers: HTTPFields
        let body: [UInt8]
    }

    /// Whether a request may be repeated after a failure that leaves its effect unknown — the one place
    /// a call's retry rule is decided (`call(…)` applies it;
    /// nothing above the client repeats a call).
    ///
    /// Every call is ``safe`` except these creates, which are ``createOnce`` — and, given a `lookup`,
    /// repeated like a safe call only after the lookup has found no effect of the previous attempt:
    ///
    /// | Call | Mode | Lookup before a repeat |
    /// |---|---|---|
    /// | `createAnnotation(_:…guard:)` | `createOnce` | with `.sameNameAndLocation`: same name, type and location |
    /// | `createWorkitem(_:guard:)` | `createOnce` | with `.externalTag`: the work item carrying the tag |
    /// | `addDataTableRow(_:datatableId:)` | `createOnce` | always: the row with the same key |
    /// | `createTrigger(_:)` (provisioning) | `createOnce` | none: only a 429 is repeated |
    ///
    /// (Query `POST`s — work-item queries, batch requests — change nothing and are ``safe``.)
    enum RetryMode: Sendable {
        /// Idempotent (GET, PUT, PATCH that sets values, queries): retry 429, 502–504, connection failures.
        case safe
        /// A create without a guard: retry only 429 (the platform guarantees it did nothing).
        case createOnce
    }

    func url(_ path: String, query: String = "") -> URL {
        // Paths are built from validated ids only, so this cannot fail.
        URL(string: apiBase + path + query)!
    }

    /// Runs one API call with auth, retries and error mapping; `handle` turns a 2xx answer into the result.
    ///
    /// With a `lookup`, the call is retried like a safe one, and before every repeat attempt `lookup` is
    /// asked whether the previous attempt's effect already exists; if so, that is the result.
    func call<T: Sendable>(
        _ method: HTTPMethod, _ path: String, query: String = "", body: [UInt8]? = nil,
        mode: RetryMode = .safe, timeout: Duration? = nil,
        lookup: (@Sendable () async throws -> T?)? = nil,
        handle: @escaping @Sendable (RawResponse) throws -> T
    ) async throws -> T {
        let url = url(path, query: query)
        let retryAll = mode == .safe || lookup != nil
        let timeout = timeout ?? configuration.requestTimeout
        do {
            return try await driver.retrying(
                policy: configuration.retryPolicy, deadline: configuration.callDeadline,
                classify: { Self.classify($0, retryAll: retryAll) },
                operation: { attempt in
                    if attempt > 1, let lookup, let existing = try await lookup() { return existing }
                    let raw = try await self.send(method, url, body: body, timeout: timeout)
                    return try handle(raw)
                })
        } catch let error as HTTPTransportError {
            throw GenesysAPIError(code: .transport, detail: error.code.description, request: error.request)
        }
    }

    /// The retry decision shared by every call.
    static func classify(_ error: any Error, retryAll: Bool) -> RetryableFailure? {
        switch error {
        case let error as GenesysAPIError:
            guard let status = error.status, error.code == .rateLimited || error.code == .serverError else {
                return nil
            }
            if status == 429 { return RetryableFailure(.status(429), retryAfter: error.retryAfter) }
            if retryAll, status == 502 || status == 503 || status == 504 {
                return RetryableFailure(.status(status), retryAfter: error.retryAfter)
            }
            return nil
        case let error as HTTPTransportError where retryAll:
            if error.code == .connectionFailed { return RetryableFailure(.connection) }
            if error.code == .timedOut { return RetryableFailure(.timeout) }
            return nil
        default:
            return nil
        }
    }

    /// One attempt: bearer token, send, one re-authentication on 401, read the body, map errors.
    func send(_ method: HTTPMethod, _ url: URL, body: [UInt8]?, timeout: Duration?) async throws -> RawResponse {
        var reauthenticated = false
        while true {
            let token: BearerToken
            if let cached = tokens.cachedToken() { token = cached } else { token = try await tokens.token() }
            let request = HTTPRequest(
                method: method, url: url, headerFields: body == nil ? token.fields : token.jsonFields,
                timeout: timeout)
            let (response, responseBody) = try await transport.send(request, body: body.map { HTTPBody($0) })
            if response.status == 401, !reauthenticated {
                _ = try? await responseBody?.collect(upTo: 1 << 16)
                await tokens.invalidate(token)
                reauthenticated = true
                continue
            }
            let bytes: [UInt8]
            do {
                if let responseBody {
                    bytes = try await Self.readAll(responseBody, limit: configuration.maxResponseBytes)
                } else {
                    bytes = []
                }
            } catch let error as HTTPBodyError {
                throw GenesysAPIError(
                    code: .invalidResponse, status: response.status,
                    detail: "response body unreadable (\(error.errorCode))",
                    request: request.description)
            }
            if response.isSuccess { return RawResponse(status: response.status, headers: response.headerFields, body: bytes) }
            throw makeError(
                status: response.status, headers: response.headerFields, body: bytes,
                request: request.description, token: token.raw)
        }
    }

    /// Reads a whole body up to `limit` bytes; a single-chunk body is returned without a copy.
    static func readAll(_ body: HTTPBody, limit: Int) async throws -> [UInt8] {
        if case let .known(count) = body.length, count > Int64(limit) { throw HTTPBodyError.tooLarge(limit: limit) }
        var iterator = body.makeAsyncIterator()
        guard var result = try await iterator.next() else { return [] }
        guard result.count <= limit else { throw HTTPBodyError.tooLarge(limit: limit) }
        while let chunk = try await iterator.next() {
            guard result.count + chunk.count <= limit else { throw HTTPBodyError.tooLarge(limit: limit) }
            result.append(contentsOf: chunk)
        }
        return result
    }

    /// Maps a non-2xx answer to a ``GenesysAPIError`` with a sanitised message.
    func makeError(status: Int, headers: HTTPFields, body: [UInt8], request: String, token: String?) -> GenesysAPIError {
        let errorBody: ErrorBody? = body.isEmpty ? nil : try? VigilJSON.decode(ErrorBody.self, from: body)
        let code: GenesysAPIError.Code =
            switch status {
            case 400, 415, 422: .badRequest
            case 401: .unauthorized
            case 403: .forbidden
            case 404: .notFound
            case 409: .conflict
            case 429: .rateLimited
            case 500...599: .serverError
            default: .unexpectedStatus
            }
        let message = errorBody?.message.map { sanitize($0, token: token) } ?? "HTTP \(status)"
        return GenesysAPIError(
            code: code, status: status, genesysCode: errorBody?.code.map { sanitize($0, token: token) },
            detail: message, contextId: errorBody?.contextId.map { sanitize($0, token: token) },
            correlationId: headers["ININ-Correlation-Id"].map { sanitize($0, token: token) },
            retryAfter: headers["Retry-After"].flatMap { RetryAfter.parse($0, now: wallNow()) },
            request: request)
    }

    func sanitize(_ text: String, token: String?) -> String {
        var secrets = [credentials.clientSecret.value, credentials.clientId.value]
        if let token { secrets.append(token) }
        return MessageSanitizer.sanitize(text, secrets: secrets)
    }

    /// Decodes a 2xx body or fails with ``GenesysAPIError/Code/invalidResponse``.
    static func decode<T: Decodable>(_ type: T.Type, _ raw: RawResponse) throws(GenesysAPIError) -> T {
        do {
            return try VigilJSON.decode(type, from: raw.body)
        } catch {
            throw GenesysAPIError(
                code: .invalidResponse, status: raw.status, detail: "unexpected response shape: \(error)",
                correlationId: raw.headers["ININ-Correlation-Id"].map {
                    MessageSanitizer.sanitize($0, secrets: [])
                })
        }
    }

    static func encode<T: Encodable>(_ value: T, field: String) throws(GenesysAPIError) -> [UInt8] {
        do {
            return try VigilJSON.encodeBytes(value)
        } catch {
            throw .invalidInput(field, "cannot be encoded as JSON (\(error.code))")
        }
    }

    /// Validates a path segment the caller supplies as a string (job, data-table, work-item ids…).
    static func segment(_ value: String, field: String) throws(GenesysAPIError) -> String {
        guard (1...128).contains(value.utf8.count), value != ".", value != "..",
            value.utf8.allSatisfy(isUnreserved)
        else {
            throw .invalidInput(field, "must be 1-128 characters from A-Z a-z 0-9 . _ ~ -")
        }
        return value
    }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
            UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    /// Percent-encodes a query value.
    static func queryValue(_ value: String) -> String {
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+#?")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }
}

/// Fetches client-credentials tokens (with retries on platform trouble, none on bad credentials).
struct TokenFetcher: Sendable {
    let transport: any HTTPTransport
    let credentials: GenesysCredentials
    let tokenURL: URL
    let configuration: GenesysClientConfiguration
    let driver: any ClockDriver
    let wallNow: @Sendable () -> Date

    func fetch() async throws -> (token: String, expiresIn: Int) {
        guard credentials.isWellFormed else {
            throw GenesysAPIError(code: .badCredentials, detail: "client id or secret is empty or malformed")
        }
        let request = HTTPRequest(
            method: .post, url: tokenURL,
            headerFields: [
                "Authorization": credentials.basicAuthorization,
                "Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"
            ],
            timeout: configuration.requestTimeout)
        let form = Array("grant_type=client_credentials".utf8)
        do {
            return try await driver.retrying(
                policy: configuration.retryPolicy, deadline: configuration.callDeadline,
                classify: { GenesysCloudClient.classify($0, retryAll: true) },
                operation: { _ in try await attempt(request, form) })
        } catch let error as GenesysAPIError
            where error.code == .rateLimited || error.code == .serverError
            || error.code == .unexpectedStatus
        {
            throw GenesysAPIError(
                code: .authenticationUnavailable, status: error.status, genesysCode: error.genesysCode,
                detail: "the login service could not issue a token: \(error.message)",
                correlationId: error.correlationId, retryAfter: error.retryAfter,
                request: request.description)
        } catch let error as HTTPTransportError {
            throw GenesysAPIError(
                code: .authenticationUnavailable,
                detail: "the login service is unreachable (\(error.code))",
                request: request.description)
        }
    }

    private func attempt(_ request: HTTPRequest, _ form: [UInt8]) async throws -> (token: String, expiresIn: Int) {
        let (response, body) = try await transport.send(request, body: HTTPBody(form))
        let bytes: [UInt8]
        do {
            bytes = try await body?.collect(upTo: 1 << 20) ?? []
        } catch {
            throw GenesysAPIError(
                code: .authenticationUnavailable, status: response.status,
                detail: "token response unreadable", request: request.description)
        }
        let secrets = [credentials.clientSecret.value, credentials.clientId.value]
        let correlation = response.headerFields["ININ-Correlation-Id"].map { MessageSanitizer.sanitize($0, secrets: secrets) }
        if response.isSuccess {
            guard let token = try? VigilJSON.decode(OAuthTokenResponse.self, from: bytes), token.isBearer else {
                throw GenesysAPIError(
                    code: .authenticationUnavailable, status: response.status,
                    detail: "token response is not a bearer token", correlationId: correlation,
                    request: request.description)
            }
            return (token.accessToken.value, token.expiresIn)
        }
        let oauth = try? VigilJSON.decode(OAuthErrorResponse.self, from: bytes)
        let explanation = (oauth?.errorDescription ?? oauth?.description).map {
            MessageSanitizer.sanitize($0, secrets: secrets)
        }
        // The OAuth `error` is the login host's text too: sanitised for every status (the 429 path
        // used to carry it verbatim).
        let oauthCode = oauth.map { MessageSanitizer.sanitize($0.error, secrets: secrets) }
        let retryAfter = response.headerFields["Retry-After"].flatMap { RetryAfter.parse($0, now: wallNow()) }
        switch response.status {
        case 400, 401, 403:
            throw GenesysAPIError(
                code: .badCredentials, status: response.status,
                genesysCode: oauthCode,
                detail: explanation ?? "the login service rejected the client credentials",
                correlationId: correlation, request: request.description)
        case 429:
            throw GenesysAPIError(
                code: .rateLimited, status: 429, genesysCode: oauthCode,
                detail: explanation ?? "token requests are rate limited", correlationId: correlation,
                retryAfter: retryAfter, request: request.description)
        case 500...599:
            throw GenesysAPIError(
                code: .serverError, status: response.status, detail: explanation ?? "HTTP \(response.status)",
                correlationId: correlation, retryAfter: retryAfter, request: request.description)
        default:
            throw GenesysAPIError(
                code: .unexpectedStatus, status: response.status,
                detail: explanation ?? "HTTP \(response.status)", correlationId: correlation,
                request: request.description)
        }
    }
}
