import Foundation
import VigilCore
import VigilModels

/// A compliance engine reached over HTTP: one signed `POST` of the versioned `ComplianceRequest`
/// JSON per evaluation (see the engine contract in the module documentation).
///
/// - **Signed** with the Standard Webhooks scheme: `webhook-id`, `webhook-timestamp`,
///   `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`.
/// - **Correlated**: the correlation id travels in the body and in `x-correlation-id`.
/// - **Bounded in time**: every call carries ``Configuration/timeout`` as `HTTPRequest/timeout`.
/// - **Short-lived media**: the link's advertised expiry is clamped to
///   ``Configuration/maxMediaLinkLifetime`` (≤ 60 minutes, the Genesys Cloud playback-URL lifetime),
///   and a link that is expired — or would expire within ``Configuration/minimumMediaLinkValidity``
///   — is refused with ``ComplianceEngineError/Code/mediaLinkExpired`` before anything is sent.
/// - **No PII**: `ComplianceRequest` has no field that can hold raw PII (ids, an expiring link,
///   classifications, pseudonymous tokens), so nothing else needs scrubbing here.
/// - **Strict replies**: `200` + verdict JSON → ``EngineReply/verdict(_:)``; `202` →
///   ``EngineReply/accepted(expectedBy:)``; `429`/`5xx` → retryable ``ComplianceEngineError`` with
///   `Retry-After`; other `4xx` → permanent; malformed JSON → ``ComplianceEngineError/Code/malformedReply``
///   naming the field path.
/// - **Guarded**: with a breaker, every call goes through it; while it is open, ``evaluate(_:)``
///   throws `CircuitBreakerOpenError` at once. That error is retryable: the worker gives
///   the job back to its queue with `retryAfter` as the delay (``EngineFailure/requeueDelay(for:fallback:)``)
///   — the job is never lost and the engine is not hammered.
///
/// ```swift
/// let engine = HTTPComplianceEngine(
///     configuration: .init(endpoint: URL(string: "https://engine.internal/v1/evaluate")!,
///                          secret: try VerdictSigningSecret(vault.engineSecret)),
///     transport: URLSessionTransport(),
///     breaker: CircuitBreaker(name: "engine", configuration: .init(
///         slowCallDurationThreshold: .seconds(20), slidingWindowSize: 20, minimumNumberOfCalls: 10,
///         recordFailure: ComplianceEngineError.countsAgainstEngine)))
/// ```
public struct HTTPComplianceEngine: ComplianceEngine {
    /// The Genesys Cloud limit on pre-signed media URL lifetime: 60 minutes (`recordingPlaybackUrlTtl`
    /// maximum).
    public static let platformMediaURLLifetime: Duration = .seconds(3_600)

    /// Endpoint, secret, limits and clocks.
    public struct Configuration: Sendable {
        /// The engine's evaluate URL (`https`; `http` only for a loopback host).
        public var endpoint: URL
        /// The secret requests are signed with.
        public var secret: VerdictSigningSecret
        /// The per-call timeout handed to the transport. Default 30 s.
        public var timeout: Duration
        /// The longest media-link lifetime advertised to the engine, measured from the send time;
        /// a later `expiresAt` is clamped to it. At most ``HTTPComplianceEngine/platformMediaURLLifetime``
        /// (larger values are clamped). Default 60 minutes.
        @Bounded(.zero...HTTPComplianceEngine.platformMediaURLLifetime) public var maxMediaLinkLifetime: Duration = HTTPComplianceEngine
            .platformMediaURLLifetime
        /// A link that expires sooner than this after sending is refused
        /// (``ComplianceEngineError/Code/mediaLinkExpired``): the engine could not fetch the media in
        /// time. Default 2 minutes.
        public var minimumMediaLinkValidity: Duration
        /// The largest reply body read. Default 64 KiB.
        public var maxReplyBytes: Int
        /// The wall clock used for `webhook-timestamp`, `Retry-After` dates and media expiry.
        public var now: @Sendable () -> Date
        /// Produces the `webhook-id` of each attempt (must not contain `.`). Default `msg_<uuid>`.
        public var messageID: @Sendable () -> String
        /// Extra header fields sent with every request (e.g. a routing key). Must not override the
        /// signature, correlation or content headers.
        public var additionalHeaders: HTTPFields

        /// Creates a configuration.
        public init(
            endpoint: URL, secret: VerdictSigningSecret, timeout: Duration = .seconds(30),
            maxMediaLinkLifetime: Duration = HTTPComplianceEngine.platformMediaURLLifetime,
            minimumMediaLinkValidity: Duration = .seconds(120), maxReplyBytes: Int = 64 << 10,
            now: @escaping @Sendable () -> Date = { Date() },
            messageID: @escaping @Sendable () -> String = { "msg_" + UUID().uuidString.lowercased() },
            additionalHeaders: HTTPFields = HTTPFields()
        ) {
            self.endpoint = endpoint
            self.secret = secret
            self.timeout = timeout
            self.maxMediaLinkLifetime = maxMediaLinkLifetime
            self.minimumMediaLinkValidity = minimumMediaLinkValidity
            self.maxReplyBytes = maxReplyBytes
            self.now = now
            self.messageID = messageID
            self.additionalHeaders = additionalHeaders
        }
    }

    /// The configuration.
    public let configuration: Configuration
    private let transport: any HTTPTransport
    private let guarded: BreakerGuard?

    /// Creates an engine client without a circuit breaker (wrap it in
    /// ``CircuitBreakingComplianceEngine`` or accept that a failing engine is called every time).
    public init(configuration: Configuration, transport: any HTTPTransport) {
        self.configuration = configuration
        self.transport = transport
        self.guarded = nil
    }

    /// Creates an engine client whose calls all go through `breaker`.
    ///
    /// - Parameters:
    ///   - configuration: endpoint, secret, limits.
    ///   - transport: the host's HTTP stack.
    ///   - breaker: the breaker; configure its `recordFailure` with
    ///     ``ComplianceEngineError/countsAgainstEngine`` so a rejected request does not trip it.
    public init<C: Clock>(configuration: Configuration, transport: any HTTPTransport, breaker: CircuitBreaker<C>)
    where C.Duration == Duration {
        self.configuration = configuration
        self.transport = transport
        self.guarded = BreakerGuard(breaker)
    }

    /// Sends `request` to the engine and decodes its reply.
    ///
    /// A refused media link fails before the breaker is consulted (it says nothing about the engine).
    ///
    /// - Throws: ``ComplianceEngineError``; `CircuitBreakerOpenError` while the breaker is
    ///   open; `CancellationError`.
    public func evaluate(_ request: ComplianceRequest) async throws -> EngineReply {
        let prepared = try prepare(request)
        guard let guarded else { return try await send(prepared, correlationId: request.correlationId) }
        return try await guarded.run { try await self.send(prepared, correlationId: request.correlationId) }
    }

    /// Builds the signed HTTP request for `request` without sending it — what ``evaluate(_:)`` sends
    /// (with a fresh `webhook-id` and timestamp). Useful to inspect or document the wire format.
    ///
    /// - Returns: the request head and the exact body bytes that were signed.
    /// - Throws: ``ComplianceEngineError`` for a refused media link or an unusable endpoint.
    public func prepare(_ request: ComplianceRequest) throws(ComplianceEngineError) -> (HTTPRequest, [UInt8]) {
        guard Self.isAcceptableEndpoint(configuration.endpoint) else {
            throw ComplianceEngineError(
                code: .invalidConfiguration, correlationId: request.correlationId,
                detail: "the endpoint must be an absolute https URL (http only for loopback)")
        }
        let now = configuration.now()
        let outbound = try Self.clampMediaLink(
            request, now: now, maxLifetime: configuration.maxMediaLinkLifetime,
            minimumValidity: configuration.minimumMediaLinkValidity)
        let body: [UInt8]
        do {
            body = try VigilJSON.encodeBytes(outbound)
        } catch {
            throw ComplianceEngineError(
                code: .invalidConfiguration, correlationId: request.correlationId,
                path: error.path, detail: "the request cannot be encoded as JSON")
        }
        let id = configuration.messageID()
        guard StandardWebhooksV1.isValidID(id) else {
            throw ComplianceEngineError(
                code: .invalidConfiguration, correlationId: request.correlationId,
                detail: "webhook-id must be 1-256 printable characters without '.'")
        }
        let timestamp = Int64(now.timeIntervalSince1970.rounded(.down))
        var fields = configuration.additionalHeaders
        for name in [
            VerdictSignatureHeader.id, VerdictSignatureHeader.timestamp, VerdictSignatureHeader.signature,
            VerdictSignatureHeader.correlationID, "content-type", "accept"
        ] {
            fields.removeAll(named: name)
        }
        fields["content-type"] = "application/json"
        fields["accept"] = "application/json"
        fields[VerdictSignatureHeader.correlationID] = request.correlationId.rawValue
        fields[VerdictSignatureHeader.id] = id
        fields[VerdictSignatureHeader.timestamp] = String(timestamp)
        fields[VerdictSignatureHeader.signature] = StandardWebhooksV1.signature(
            id: id, timestamp: timestamp, body: body, secret: configuration.secret)
        let head = HTTPRequest(
            method: .post, url: configuration.endpoint, headerFields: fields,
            timeout: configuration.timeout)
        return (head, body)
    }

    // MARK: - Media link

    /// Refuses an expired, nearly expired or insecure link and clamps its advertised expiry to
    /// `now + maxLifetime`.
    static func clampMediaLink(
        _ request: ComplianceRequest, now: Date, maxLifetime: Duration,
        minimumValidity: Duration
    ) throws(ComplianceEngineError) -> ComplianceRequest {
        let url = request.media.uri.url
        guard url.scheme?.lowercased() == "https" || isLoopback(url) else {
            throw ComplianceEngineError(
                code: .mediaLinkInsecure, correlationId: request.correlationId,
                detail: "the media link must be https")
        }
        guard url.user == nil, url.password == nil else {
            throw ComplianceEngineError(
                code: .mediaLinkInsecure, correlationId: request.correlationId,
                detail: "the media link must not carry user credentials")
        }
        let lifetime = min(maxLifetime, platformMediaURLLifetime)
        guard !request.media.isExpired(at: now, margin: minimumValidity.seconds) else {
            throw ComplianceEngineError(
                code: .mediaLinkExpired, correlationId: request.correlationId,
                detail: "the media link expires in less than \(minimumValidity); re-fetch it")
        }
        var outbound = request
        let latest = now.addingTimeInterval(lifetime.seconds)
        if outbound.media.expiresAt > latest { outbound.media.expiresAt = latest }
        return outbound
    }

    static func isAcceptableEndpoint(_ url: URL) -> Bool {
        guard let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty,
            url.user == nil, url.password == nil
        else { return false }
        return scheme == "https" || (scheme == "http" && isLoopback(url))
    }

    static func isLoopback(_ url: URL) -> Bool {
        guard url.scheme?.lowercased() == "http" || url.scheme?.lowercased() == "https",
            let host = url.host?.lowercased()
        else { return false }
        return host == "localhost" || host == "127.0.0.1" || host == "::1" || host == "[::1]"
    }

    // MARK: - Sending and decoding

    private func send(_ prepared: (HTTPRequest, [UInt8]), correlationId: CorrelationID) async throws -> EngineReply {
        let (head, body) = prepared
        let response: HTTPResponse
        let replyBody: HTTPBody?
        do {
            (response, replyBody) = try await transport.send(head, body: HTTPBody(body))
        } catch let error as HTTPTransportError {
            throw Self.map(error, correlationId: correlationId)
        }
        let bytes: [UInt8]
        do {
            bytes = try await replyBody?.collect(upTo: configuration.maxReplyBytes) ?? []
        } catch let error as HTTPBodyError where error.code == .tooLarge {
            throw ComplianceEngineError(
                code: .replyTooLarge, status: response.status, correlationId: correlationId,
                detail: "the reply exceeds \(configuration.maxReplyBytes) bytes")
        } catch let error as HTTPTransportError {
            throw Self.map(error, correlationId: correlationId)
        }
        return try Self.decodeReply(response, body: bytes, correlationId: correlationId, now: configuration.now())
    }

    static func map(_ error: HTTPTransportError, correlationId: CorrelationID) -> ComplianceEngineError {
        switch error.code {
        case .timedOut:
            return ComplianceEngineError(code: .timedOut, correlationId: correlationId, detail: "no reply within the timeout")
        case .connectionFailed:
            return ComplianceEngineError(code: .connectionFailed, correlationId: correlationId, detail: error.detail)
        case .invalidRequest:
            return ComplianceEngineError(code: .invalidConfiguration, correlationId: correlationId, detail: error.detail)
        default:
            return ComplianceEngineError(code: .unexpectedStatus, correlationId: correlationId, detail: error.detail)
        }
    }

    /// Maps a reply to an ``EngineReply`` or a typed error (the contract's status table).
    static func decodeReply(
        _ response: HTTPResponse, body: [UInt8], correlationId: CorrelationID,
        now: Date
    ) throws(ComplianceEngineError) -> EngineReply {
        let status = response.status
        let retryAfter = response.headerFields["retry-after"].flatMap { RetryAfter.parse($0, now: now) }
        switch status {
        case 200:
            try requireJSON(response, correlationId: correlationId)
            do {
                return .verdict(try VigilJSON.decode(ComplianceVerdict.self, from: body))
            } catch {
                throw ComplianceEngineError(
                    code: .malformedReply, status: status, correlationId: correlationId,
                    path: error.path, detail: "\(error.code): \(error.reason)")
            }
        case 202:
            if body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
                return .accepted(expectedBy: nil)
            }
            try requireJSON(response, correlationId: correlationId)
            let acceptance: EngineAcceptance
            do {
                acceptance = try VigilJSON.decode(EngineAcceptance.self, from: body)
            } catch {
                throw ComplianceEngineError(
                    code: .malformedReply, status: status, correlationId: correlationId,
                    path: error.path, detail: "\(error.code): \(error.reason)")
            }
            if let echoed = acceptance.correlationId, echoed != correlationId {
                throw ComplianceEngineError(
                    code: .malformedReply, status: status, correlationId: correlationId,
                    path: "correlationId", detail: "the acceptance names another correlation id")
            }
            return .accepted(expectedBy: acceptance.expectedBy)
        case 429:
            throw ComplianceEngineError(
                code: .rateLimited, status: status, correlationId: correlationId,
                retryAfter: retryAfter, detail: "the engine is rate limiting")
        case 500...599:
            throw ComplianceEngineError(
                code: .unavailable, status: status, correlationId: correlationId,
                retryAfter: retryAfter, detail: "the engine failed")
        case 400...499:
            throw ComplianceEngineError(
                code: .rejected, status: status, correlationId: correlationId,
                detail: "the engine rejected the request")
        default:
            throw ComplianceEngineError(
                code: .unexpectedStatus, status: status, correlationId: correlationId,
                detail: "the contract defines only 200, 202, 4xx and 5xx")
        }
    }

    private static func requireJSON(_ response: HTTPResponse, correlationId: CorrelationID) throws(ComplianceEngineError) {
        guard let type = response.headerFields["content-type"] else { return }
        let mediaType = type.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard mediaType == "application/json" else {
            throw ComplianceEngineError(
                code: .malformedReply, status: response.status, correlationId: correlationId,
                path: "", detail: "the reply is not application/json")
        }
    }
}

/// The optional body of a `202 Accepted` reply.
struct EngineAcceptance: Decodable, Sendable {
    var correlationId: CorrelationID?
    var expectedBy: Date?
}
