import Foundation
import VigilCore
import VigilModels

/// Something that went wrong at the engine boundary and deserves a report (an audit log line, a
/// metric, an alert for ``VerdictValidationError/isIdentityMismatch``): a rejected verdict, a forged
/// or replayed callback, a callback nobody was waiting for.
public struct VerdictIncident: Sendable {
    /// Where the verdict came from.
    public enum Source: String, Sendable, Hashable {
        /// The engine's immediate reply (HTTP `200`).
        case reply
        /// A callback delivered to ``VerdictCallbackReceiver``.
        case callback
    }

    /// Where the verdict came from.
    public let source: Source
    /// The typed error (value-free: ids, codes, field paths).
    public let error: any VigilError
    /// The recording concerned, when known.
    public let recordingId: GenesysID?
    /// The correlation id concerned, when known.
    public let correlationId: CorrelationID?
    /// When it happened (wall clock).
    public let at: Date
}

/// A verdict that arrived by callback and passed every check.
public struct CallbackVerdict: Sendable, Hashable {
    /// The request it answers (from the pending registry).
    public let request: ComplianceRequest
    /// The validated verdict.
    public let verdict: ValidatedVerdict
    /// The policy's decision, when the receiver has a policy.
    public let decision: RemediationDecision?
    /// The callback's `webhook-id`.
    public let deliveryId: String
    /// When it was received (wall clock).
    public let receivedAt: Date
}

/// Receives verdicts that engines post later (after answering `202 Accepted`).
///
/// The host's HTTP route passes the raw headers and body to `receive(headers:body:)` and answers
/// with `200` on success or ``VerdictCallbackError/httpStatus`` on failure. Each callback is:
///
/// 1. **verified**: `webhook-id`, `webhook-timestamp` and `webhook-signature` present and
///    well-formed; the timestamp within ±``Configuration/tolerance`` (default 300 s) of the injected
///    wall clock; a `v1` HMAC-SHA256 signature over `id.timestamp.body` matching one of the
///    configured secrets (several during rotation), compared in constant time;
/// 2. **deduplicated**: a `webhook-id` already accepted is refused as a replay (ids are remembered
///    until their timestamp leaves the window, and at least ``Configuration/replayRetention``);
/// 3. **decoded strictly** as a `ComplianceVerdict` (errors name the field path);
/// 4. **matched**: a recording that is not awaiting a verdict in the ``PendingVerdictStore`` is
///    rejected and reported — as is a second verdict for the same recording;
/// 5. **validated** against the stored request with the ``VerdictValidator`` (spoofed ids, ranges,
///    evidence);
/// 6. **handed over**: to the `onVerdict` handler (if it throws, the callback is answered `503`, and
///    both the pending request and the delivery id are restored so the engine's retry is accepted)
///    and to the ``verdicts`` stream.
///
/// Every rejection is reported to `onIncident`.
public final class VerdictCallbackReceiver: Sendable {
    /// Secrets, windows and limits.
    public struct Configuration: Sendable {
        /// The secrets a callback may be signed with (the current one first; add the next one during
        /// rotation). Must not be empty.
        public var secrets: [VerdictSigningSecret]
        /// How far `webhook-timestamp` may be from now, in either direction. Default 300 s.
        public var tolerance: Duration
        /// The least time a delivery id is remembered. At least ``tolerance``; default 300 s.
        public var replayRetention: Duration
        /// The largest body read. Default 64 KiB.
        public var maxBodyBytes: Int
        /// The wall clock for the timestamp window and replay expiry.
        public var now: @Sendable () -> Date

        /// Creates a configuration.
        public init(
            secrets: [VerdictSigningSecret], tolerance: Duration = .seconds(300),
            replayRetention: Duration = .seconds(300), maxBodyBytes: Int = 64 << 10,
            now: @escaping @Sendable () -> Date = { Date() }
        ) {
            precondition(!secrets.isEmpty, "at least one callback secret is required")
            self.secrets = secrets
            self.tolerance = tolerance
            self.replayRetention = max(replayRetention, tolerance)
            self.maxBodyBytes = maxBodyBytes
            self.now = now
        }
    }

    /// The configuration.
    public let configuration: Configuration
    /// Every verdict handed over, in order. Single consumer; buffers the newest 1,024 when nobody reads.
    public let verdicts: AsyncStream<CallbackVerdict>

    private let continuation: AsyncStream<CallbackVerdict>.Continuation
    private let registry: any PendingVerdictStore
    private let validator: VerdictValidator
    private let policy: VerdictPolicy?
    private let deliveryIDs: any DeliveryIDStore
    private let onIncident: (@Sendable (VerdictIncident) -> Void)?
    private let onVerdict: (@Sendable (CallbackVerdict) async throws -> Void)?

    /// Creates a receiver.
    ///
    /// - Parameters:
    ///   - configuration: secrets, windows, limits, wall clock.
    ///   - registry: the requests awaiting a verdict (``PendingVerdictRegistry`` in memory, or a shared
    ///     ``PendingVerdictStore`` when callbacks may land on another machine).
    ///   - validator: checks each verdict against its request.
    ///   - policy: when given, each handed-over verdict carries its decision.
    ///   - deliveryIDs: where accepted `webhook-id`s are remembered (in memory by default).
    ///   - onIncident: called for every rejected callback.
    ///   - onVerdict: called for every accepted verdict before the route answers `200`.
    public init(
        configuration: Configuration, registry: any PendingVerdictStore,
        validator: VerdictValidator = VerdictValidator(), policy: VerdictPolicy? = nil,
        deliveryIDs: (any DeliveryIDStore)? = nil,
        onIncident: (@Sendable (VerdictIncident) -> Void)? = nil,
        onVerdict: (@Sendable (CallbackVerdict) async throws -> Void)? = nil
    ) {
        self.configuration = configuration
        self.registry = registry
        self.validator = validator
        self.policy = policy
        self.deliveryIDs = deliveryIDs ?? InMemoryDeliveryIDStore(now: configuration.now)
        self.onIncident = onIncident
        self.onVerdict = onVerdict
        (verdicts, continuation) = AsyncStream.makeStream(of: CallbackVerdict.self, bufferingPolicy: .bufferingNewest(1_024))
    }

    deinit {
        continuation.finish()
    }

    /// Verifies, deduplicates, decodes, matches, validates and hands over one callback.
    ///
    /// - Parameters:
    ///   - headers: the request's header fields (names are matched case-insensitively).
    ///   - body: the raw request body, exactly as received (the signature covers these bytes).
    /// - Returns: the accepted verdict; answer `200`.
    /// - Throws: ``VerdictCallbackError``; answer with its ``VerdictCallbackError/httpStatus``.
    @discardableResult
    public func receive(headers: HTTPFields, body: [UInt8]) async throws(VerdictCallbackError) -> CallbackVerdict {
        do {
            return try await process(headers: headers, body: body)
        } catch {
            onIncident?(
                VerdictIncident(
                    source: .callback, error: error, recordingId: error.recordingId,
                    correlationId: error.correlationId, at: configuration.now()))
            throw error
        }
    }

    /// Reads a streaming body (up to ``Configuration/maxBodyBytes``) and calls `receive(headers:body:)`.
    ///
    /// - Throws: ``VerdictCallbackError`` (``VerdictCallbackError/Code/bodyTooLarge`` past the limit).
    @discardableResult
    public func receive(headers: HTTPFields, body: HTTPBody) async throws(VerdictCallbackError) -> CallbackVerdict {
        let bytes: [UInt8]
        do {
            bytes = try await body.collect(upTo: configuration.maxBodyBytes)
        } catch {
            let failure = VerdictCallbackError(code: .bodyTooLarge, detail: "the body could not be read within the limit")
            onIncident?(
                VerdictIncident(
                    source: .callback, error: failure, recordingId: nil, correlationId: nil,
                    at: configuration.now()))
            throw failure
        }
        return try await receive(headers: headers, body: bytes)
    }

    private func process(headers: HTTPFields, body: [UInt8]) async throws(VerdictCallbackError) -> CallbackVerdict {
        guard body.count <= configuration.maxBodyBytes else {
            throw VerdictCallbackError(code: .bodyTooLarge, detail: "the body exceeds \(configuration.maxBodyBytes) bytes")
        }
        guard let id = headers[VerdictSignatureHeader.id], let timestampText = headers[VerdictSignatureHeader.timestamp],
            let signature = headers[VerdictSignatureHeader.signature]
        else {
            throw VerdictCallbackError(code: .missingHeaders, detail: "webhook-id, webhook-timestamp and webhook-signature are required")
        }
        guard StandardWebhooksV1.isValidID(id) else {
            throw VerdictCallbackError(code: .invalidHeaders, detail: "webhook-id must be 1-256 printable characters without '.'")
        }
        guard timestampText.utf8.count <= 12, timestampText.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
            let timestamp = Int64(timestampText)
        else {
            throw VerdictCallbackError(code: .invalidHeaders, deliveryId: id, detail: "webhook-timestamp must be integer Unix seconds")
        }
        let now = configuration.now()
        let sent = Date(timeIntervalSince1970: TimeInterval(timestamp))
        let tolerance = configuration.tolerance.seconds
        if sent < now.addingTimeInterval(-tolerance) {
            throw VerdictCallbackError(code: .timestampTooOld, deliveryId: id, detail: "webhook-timestamp is outside the tolerance")
        }
        if sent > now.addingTimeInterval(tolerance) {
            throw VerdictCallbackError(code: .timestampTooNew, deliveryId: id, detail: "webhook-timestamp is outside the tolerance")
        }
        guard
            StandardWebhooksV1.verify(
                header: signature, id: id, timestamp: timestamp, body: body,
                secrets: configuration.secrets)
        else {
            throw VerdictCallbackError(code: .badSignature, deliveryId: id, detail: "no v1 signature matches the body")
        }
        // Only a verified delivery may occupy the replay store.
        let rememberUntil = max(sent.addingTimeInterval(tolerance), now.addingTimeInterval(configuration.replayRetention.seconds))
        let fresh: Bool
        do {
            fresh = try await deliveryIDs.insertIfAbsent(id, until: rememberUntil)
        } catch {
            throw VerdictCallbackError(code: .storeUnavailable, deliveryId: id, detail: "the delivery-id store failed")
        }
        guard fresh else {
            throw VerdictCallbackError(code: .replayed, deliveryId: id, detail: "this webhook-id was already received")
        }

        let verdict: ComplianceVerdict
        do {
            verdict = try VigilJSON.decode(ComplianceVerdict.self, from: body)
        } catch {
            throw VerdictCallbackError(
                code: .malformedBody, deliveryId: id, path: error.path,
                detail: "\(error.code): \(error.reason)")
        }
        let pending: PendingVerdict?
        do {
            pending = try await registry.entry(for: verdict.recordingId)
        } catch {
            try? await deliveryIDs.remove(id)
            throw VerdictCallbackError(
                code: .storeUnavailable, deliveryId: id, recordingId: verdict.recordingId,
                correlationId: verdict.correlationId, detail: "the pending-verdict store failed")
        }
        guard let entry = pending else {
            throw VerdictCallbackError(
                code: .notAwaiting, deliveryId: id, recordingId: verdict.recordingId,
                correlationId: verdict.correlationId,
                detail: "no verdict is awaited for this recording")
        }
        let validated: ValidatedVerdict
        do {
            validated = try validator.validate(verdict, for: entry.request)
        } catch {
            throw VerdictCallbackError(
                code: .rejectedVerdict, deliveryId: id, recordingId: entry.request.recordingId,
                correlationId: entry.request.correlationId, validation: error,
                detail: error.description)
        }
        let removed: PendingVerdict?
        do {
            removed = try await registry.remove(verdict.recordingId, correlationId: verdict.correlationId)
        } catch {
            try? await deliveryIDs.remove(id)
            throw VerdictCallbackError(
                code: .storeUnavailable, deliveryId: id, recordingId: verdict.recordingId,
                correlationId: verdict.correlationId, detail: "the pending-verdict store failed")
        }
        guard removed != nil else {
            throw VerdictCallbackError(
                code: .notAwaiting, deliveryId: id, recordingId: verdict.recordingId,
                correlationId: verdict.correlationId,
                detail: "the verdict for this recording was already received")
        }
        let accepted = CallbackVerdict(
            request: entry.request, verdict: validated, decision: policy?.decide(validated),
            deliveryId: id, receivedAt: now)
        if let onVerdict {
            do {
                try await onVerdict(accepted)
            } catch {
                try? await registry.register(entry.request, expiresAt: entry.expiresAt)
                try? await deliveryIDs.remove(id)
                throw VerdictCallbackError(
                    code: .handlerFailed, deliveryId: id, recordingId: verdict.recordingId,
                    correlationId: verdict.correlationId,
                    detail: "the verdict could not be handed over; the engine should retry")
            }
        }
        continuation.yield(accepted)
        return accepted
    }
}

/// A callback that ``VerdictCallbackReceiver`` refused, with the HTTP status to answer.
public struct VerdictCallbackError: VigilCodedError, Hashable {
    /// Why; new kinds are added as new static members.
    public struct Code: VigilErrorCode {
        private enum Base: String {
            case missingHeaders, invalidHeaders, timestampTooOld, timestampTooNew, badSignature, replayed
            case bodyTooLarge, malformedBody, notAwaiting, rejectedVerdict, handlerFailed, storeUnavailable
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// A Standard Webhooks header is missing. `400`.
        public static let missingHeaders = Code(.missingHeaders)
        /// A header is malformed (id with `.`, non-integer timestamp). `400`.
        public static let invalidHeaders = Code(.invalidHeaders)
        /// `webhook-timestamp` is older than the tolerance. `401`.
        public static let timestampTooOld = Code(.timestampTooOld)
        /// `webhook-timestamp` is further ahead than the tolerance. `401`.
        public static let timestampTooNew = Code(.timestampTooNew)
        /// No signature matches: forged, corrupted, or signed with an unknown secret. `401`.
        public static let badSignature = Code(.badSignature)
        /// The `webhook-id` was already accepted. `409`.
        public static let replayed = Code(.replayed)
        /// The body exceeds the limit. `413`.
        public static let bodyTooLarge = Code(.bodyTooLarge)
        /// The body is not a valid verdict; ``VerdictCallbackError/path`` names the field. `400`.
        public static let malformedBody = Code(.malformedBody)
        /// No verdict is awaited for the recording (unknown, expired, or already answered). `409`.
        public static let notAwaiting = Code(.notAwaiting)
        /// The verdict failed validation against its request; see
        /// ``VerdictCallbackError/validation``. `422`.
        public static let rejectedVerdict = Code(.rejectedVerdict)
        /// The host's handler failed; the engine should retry. `503`.
        public static let handlerFailed = Code(.handlerFailed)
        /// The delivery-id store or the pending-verdict store failed; the engine should retry. `503`.
        public static let storeUnavailable = Code(.storeUnavailable)

        /// `callback`: codes read `callback.<name>`, e.g. `callback.missingHeaders`.
        public static let domain = "callback"
        /// The name within ``domain``, e.g. `missingHeaders`.
        public var name: String { base.rawValue }
    }

    /// Why the callback was refused.
    public let code: Code
    /// The `webhook-id`, when it was readable — `withheld` when it could hold personal data (it is not
    /// `CorrelationID`-shaped, or has 9 or more digits outside UUIDs).
    public let deliveryId: String?
    /// The recording concerned, when known.
    public let recordingId: GenesysID?
    /// The correlation id concerned, when known — `withheld` when it could hold personal data (a
    /// verdict for a recording nothing awaits names one nobody has checked).
    public let correlationId: CorrelationID?
    /// For ``Code/malformedBody``: the JSON path of the offending field.
    public let path: String?
    /// For ``Code/rejectedVerdict``: the rule the verdict broke.
    public let validation: VerdictValidationError?
    /// A short, value-free explanation.
    public let detail: String

    /// Creates an error.
    public init(
        code: Code, deliveryId: String? = nil, recordingId: GenesysID? = nil, correlationId: CorrelationID? = nil,
        path: String? = nil, validation: VerdictValidationError? = nil, detail: String
    ) {
        self.code = code
        // Both can come from the callback itself, unchecked; the error is what the host logs (found by
        // `PIIPropertyTests`).
        self.deliveryId = deliveryId.map { Loggable.isIdentifier($0) ? $0 : "withheld" }
        self.recordingId = recordingId
        self.correlationId = correlationId.map { Loggable.isIdentifier($0.rawValue) ? $0 : .withheld }
        self.path = path
        self.validation = validation
        self.detail = detail
    }

    /// The status the callback route answers with. `4xx` tells the engine not to retry; `503` asks
    /// it to.
    public var httpStatus: Int {
        switch code {
        case .missingHeaders, .invalidHeaders, .malformedBody: 400
        case .timestampTooOld, .timestampTooNew, .badSignature: 401
        case .replayed, .notAwaiting: 409
        case .bodyTooLarge: 413
        case .rejectedVerdict: 422
        default: 503
        }
    }

    /// `true` only for ``Code/handlerFailed`` and ``Code/storeUnavailable``.
    public var isRetryable: Bool { code == .handlerFailed || code == .storeUnavailable }

    /// `callback.badSignature (delivery msg_…): <detail>`.
    public var description: String {
        var text = "\(code)"
        if let deliveryId { text += " (delivery \(deliveryId))" }
        if let path { text += " at \(path.isEmpty ? "(root)" : path)" }
        return text + ": \(detail)"
    }
}
