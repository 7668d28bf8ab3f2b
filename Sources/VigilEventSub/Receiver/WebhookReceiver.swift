import Foundation
@_spi(VigilInternal) import VigilCore
import VigilIdempotency
import VigilModels

/// The trust boundary: turns one HTTP delivery into at most one queued `RecordingJob` and an answer.
///
/// ```
/// size → verify signature + window → claim delivery (replay) → decode strictly → minimise
///      → tokenize → claim event (idempotency) → enqueue → complete claims → respond
/// ```
///
/// No platform or engine call happens here; the handler returns as soon as the job is queued.
/// It is free of any HTTP framework: the host passes the raw body bytes and headers and returns the
/// ``WebhookResponse``. See the module documentation for a Hummingbird and a Vapor route.
///
/// ## Idempotency
///
/// Two records in the `IdempotencyStore`:
/// - **delivery** `<prefix>delivery:<replay key>` (the `webhook-id`, or for Stripe-style the timestamp
///   and signature), fingerprint a fast 128-bit hash of the (already authenticated) raw body, kept ``Configuration/deliveryRetention``
///   (at least twice the verifier's tolerance). A replay or platform retry of an accepted delivery gets
///   200 with the cached acknowledgement without even being parsed; the same id with a different body
///   is refused as `webhook.replayed` (401).
/// - **event** `<prefix>recording:<recordingId>:<kind>` or `<prefix>conversation:<conversationId>:conversationEnded`,
///   fingerprint SHA-256 of the canonical minimised, tokenized payload, kept
///   ``Configuration/eventRetention``. The same event arriving through another delivery (a new id,
///   EventBridge and a webhook) is a duplicate (200); the same key with different content is a
///   conflict (200, counted, nothing enqueued). The kind is part of the key because `recordingStarted`,
///   `recordingCompleted` and `recordingAvailable` of one recording are distinct stages a host may
///   subscribe to separately; every conversation-end topic (`customer.end`, `user.end`, `acw`,
///   `wrapup`) shares one key, so a conversation gets one discovery job.
///
/// When the queue refuses the job (or the store fails), both claims are **released** and the answer
/// is 503 with `Retry-After`, so the platform's retry is processed normally.
public final class WebhookReceiver: Sendable {
    /// Tunables.
    public struct Configuration: Sendable {
        /// Body size and nesting limits.
        public var limits: EventDecodingLimits
        /// How long a claim may be held while the job is enqueued. Default 30 s.
        public var claimLease: Duration
        /// How long an accepted event is remembered (duplicates within it get 200). Default 72 h,
        /// longer than the platforms' retry schedules.
        public var eventRetention: Duration
        /// How long a delivery id is remembered; raised to at least twice the verifier's tolerance.
        /// Default 600 s.
        public var deliveryRetention: Duration
        /// Prefix of every store key (to share a store between receivers).
        public var keyPrefix: String
        /// The `Retry-After` seconds sent with 503. Default 5.
        public var retryAfterSeconds: Int

        /// Creates a configuration.
        public init(
            limits: EventDecodingLimits = EventDecodingLimits(), claimLease: Duration = .seconds(30),
            eventRetention: Duration = .seconds(72 * 3600), deliveryRetention: Duration = .seconds(600),
            keyPrefix: String = "vigil.ingest:", retryAfterSeconds: Int = 5
        ) {
            self.limits = limits
            self.claimLease = claimLease
            self.eventRetention = eventRetention
            self.deliveryRetention = deliveryRetention
            self.keyPrefix = keyPrefix
            self.retryAfterSeconds = retryAfterSeconds
        }
    }

    private let verifier: WebhookVerifier
    private let decoder: EventDecoder
    private let minimiser: EventMinimiser
    private let tokenizer: any EventTokenizer
    private let store: any IdempotencyStore
    /// Where accepted deliveries are enqueued.
    public let queue: any JobQueue<RecordingJob>
    private let configuration: Configuration
    private let deliveryRetention: Duration
    private let now: @Sendable () -> Date
    private let counter = Locked(WebhookReceiverCounters())
    private let fingerprintSeed: (UInt64, UInt64)

    /// Creates a receiver.
    ///
    /// - Parameters:
    ///   - verifier: checks signatures and the timestamp window.
    ///   - minimiser: the subscription's include list (``EventMinimiser/init(subscription:)``).
    ///   - tokenizer: turns personal fields into tokens and screens ids.
    ///   - store: the idempotency store shared by every instance of the host.
    ///   - queue: where jobs go.
    ///   - configuration: limits, leases and retentions.
    ///   - now: the wall clock (`receivedAt`).
    public init(
        verifier: WebhookVerifier, minimiser: EventMinimiser, tokenizer: any EventTokenizer,
        store: any IdempotencyStore, queue: any JobQueue<RecordingJob>,
        configuration: Configuration = Configuration(), now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.verifier = verifier
        self.decoder = EventDecoder(limits: configuration.limits)
        self.minimiser = minimiser
        self.tokenizer = tokenizer
        self.store = store
        self.queue = queue
        self.configuration = configuration
        self.deliveryRetention = max(configuration.deliveryRetention, verifier.tolerance * 2)
        self.now = now
        // Derived from the tokenizer's key, so every instance with the same key agrees and nobody
        // without it can test guesses of a body's content against a stored fingerprint.
        let seed = SHA256Hasher.hash(tokenizer.token(for: "vigil.delivery-fingerprint", field: "seed").rawValue).bytes
        fingerprintSeed = (seed[0..<8].reduce(0) { $0 << 8 | UInt64($1) }, seed[8..<16].reduce(0) { $0 << 8 | UInt64($1) })
    }

    /// The counters so far.
    public var counters: WebhookReceiverCounters { counter.withLock { $0 } }

    /// Handles one delivery. Never throws: every failure is a status.
    ///
    /// - Parameters:
    ///   - body: the raw body bytes exactly as received (the signature covers them).
    ///   - headers: the request headers.
    public func receive(body: [UInt8], headers: HTTPFields) async -> WebhookResponse {
        counter.withLock { $0.received += 1 }
        guard body.count <= configuration.limits.maxBodyBytes else {
            return reject(413, "event.bodyTooLarge")
        }
        let delivery: VerifiedDelivery
        do {
            delivery = try verifier.verify(body: body, headers: headers)
        } catch {
            return reject(401, error.errorCode)
        }

        // Delivery record: replays and retries of an accepted delivery stop here, unparsed.
        let deliveryKey = configuration.keyPrefix + "delivery:" + delivery.replayKey
        let deliveryToken: LeaseToken
        switch await claim(deliveryKey, fingerprint: BodyFingerprint.of(body, seed: fingerprintSeed)) {
        case let .acquired(token): deliveryToken = token
        case let .completed(outcome): return duplicate(outcome)
        case .inProgress: return retryLater("ingest.inProgress")
        case .conflict: return reject(401, WebhookVerificationError.Code.replayed.description)
        case .none: return retryLater("idempotency.storageFailure")
        }

        let event: RecordingLifecycleEvent
        do {
            event = try decoder.decode(body)
        } catch {
            await release(deliveryKey, deliveryToken)
            return reject(error.code == .bodyTooLarge ? 413 : 400, error.errorCode)
        }
        guard let jobKind = event.kind.jobKind, let conversationId = event.conversationId else {
            counter.withLock { $0.unknownTypes += 1 }
            let outcome = StoredOutcome(status: "ignored", completedAt: now())
            await complete(deliveryKey, deliveryToken, outcome, retain: deliveryRetention)
            return WebhookResponse(status: 200, outcome: .ignored, fields: [("status", "ignored")])
        }

        let prepared = prepare(minimiser.minimise(event), conversationId: conversationId, kind: jobKind)
        let eventKey = configuration.keyPrefix + prepared.job.idempotencyKey + ":" + jobKind.rawValue
        switch await claim(eventKey, fingerprint: prepared.fingerprint) {
        case let .acquired(eventToken):
            do {
                try await queue.enqueue(prepared.job, notBefore: nil)
            } catch {
                await release(eventKey, eventToken)
                await release(deliveryKey, deliveryToken)
                let code = (error as? any VigilError)?.errorCode ?? "queue.failed"
                return retryLater(code)
            }
            let outcome = StoredOutcome(
                status: "accepted",
                details: ["correlationId": prepared.job.correlationId.rawValue],
                completedAt: now())
            await complete(eventKey, eventToken, outcome, retain: configuration.eventRetention)
            await complete(deliveryKey, deliveryToken, outcome, retain: deliveryRetention)
            counter.withLock { $0.accepted += 1 }
            return WebhookResponse(
                status: 202, outcome: .accepted,
                fields: [("status", "accepted"), ("correlationId", prepared.job.correlationId.rawValue)])
        case let .completed(outcome):
            await complete(deliveryKey, deliveryToken, outcome, retain: deliveryRetention)
            return duplicate(outcome)
        case .inProgress:
            await release(deliveryKey, deliveryToken)
            return retryLater("ingest.inProgress")
        case .conflict:
            counter.withLock { $0.conflicts += 1 }
            let outcome = StoredOutcome(status: "conflict", completedAt: now())
            await complete(deliveryKey, deliveryToken, outcome, retain: deliveryRetention)
            return WebhookResponse(status: 200, outcome: .conflict, fields: [("status", "conflict")])
        case .none:
            await release(deliveryKey, deliveryToken)
            return retryLater("idempotency.storageFailure")
        }
    }

    // MARK: - Job construction

    struct Prepared {
        var job: RecordingJob
        var fingerprint: String
    }

    /// Tokenizes the minimised event into a job and computes the payload fingerprint.
    func prepare(_ event: RecordingLifecycleEvent, conversationId: GenesysID, kind: RecordingJobKind) -> Prepared {
        var tokens: [String: PseudonymousToken] = [:]
        for (field, value) in event.personal {
            tokens[field] = tokenizer.token(for: value.value, field: field)
        }
        let a = event.attributes
        // Canonical minimised payload: one `name=value` line per present field, in a fixed order,
        // tokens sorted by field. Per-delivery facts (ids, times of receipt) are left out, so the same
        // event re-sent under a new delivery id has the same fingerprint.
        var hasher = SHA256Hasher()
        func line(_ name: StaticString, _ value: String?) {
            guard let value else { return }
            hasher.update(UnsafeRawBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
            hasher.update("=")
            hasher.update(value)
            hasher.update("\n")
        }
        line("v", "1")
        line("kind", kind.rawValue)
        line("conversation", conversationId.rawValue)
        line("recording", event.recordingId?.rawValue)
        line("mediaType", a.mediaType?.rawValue)
        line("direction", a.direction?.rawValue)
        line("fileState", a.fileState?.rawValue)
        line("startTime", a.startTime.map { String(Int64(($0.timeIntervalSince1970 * 1000).rounded())) })
        line("endTime", a.endTime.map { String(Int64(($0.timeIntervalSince1970 * 1000).rounded())) })
        line(
            "participants",
            a.participants.map { list in
                list.map { "\($0.participantId):\($0.purpose?.rawValue ?? ""):\($0.userId?.rawValue ?? "")" }.joined(separator: ",")
            })
        line("participantId", a.participantId?.rawValue)
        line("userId", a.userId?.rawValue)
        line("queueId", a.queueId?.rawValue)
        line("divisionId", a.divisionId?.rawValue)
        line("disconnectType", a.disconnectType?.rawValue)
        line("wrapupCode", a.wrapupCode?.rawValue)
        for field in tokens.keys.sorted() { line("token", field + ":" + tokens[field]!.rawValue) }
        let fingerprint = hasher.finalize().hex

        let eventId: String? = event.eventId.map { id in
            tokenizer.isSafeIdentifier(id) ? id : tokenizer.token(for: id, field: "eventId").rawValue
        }
        let correlationId: CorrelationID
        if let raw = event.correlationId, tokenizer.isSafeIdentifier(raw), let id = CorrelationID(raw) {
            correlationId = id
        } else if let raw = event.correlationId, let id = CorrelationID(tokenizer.token(for: raw, field: "correlationId").rawValue) {
            correlationId = id
        } else if let eventId, let id = CorrelationID(eventId) {
            correlationId = id
        } else {
            correlationId = CorrelationID("vigil-" + fingerprint.prefix(32))!
        }
        let metadata = RecordingJobMetadata(
            source: event.source, eventId: eventId, eventTimeMs: event.eventTimeMs, mediaType: a.mediaType,
            direction: a.direction, divisionId: a.divisionId, queueId: a.queueId,
            tokens: tokens.isEmpty ? nil : tokens)
        let job = RecordingJob(
            conversationId: conversationId, recordingId: event.recordingId, kind: kind,
            correlationId: correlationId, receivedAt: now(), metadata: metadata)
        return Prepared(job: job, fingerprint: fingerprint)
    }

    // MARK: - Store helpers (a store failure becomes `nil` → 503)

    private func claim(_ key: String, fingerprint: String) async -> ClaimResult? {
        try? await store.claim(key, fingerprint: fingerprint, lease: configuration.claimLease)
    }

    private func complete(_ key: String, _ token: LeaseToken, _ outcome: StoredOutcome, retain: Duration) async {
        // A failure here (the lease expired while enqueueing) leaves the record to expire; the job is
        // queued either way and a late duplicate is absorbed by the worker's own idempotency.
        try? await store.complete(key, token: token, outcome: outcome, retain: retain)
    }

    private func release(_ key: String, _ token: LeaseToken) async {
        try? await store.release(key, token: token)
    }

    // MARK: - Responses

    private func reject(_ status: Int, _ code: String) -> WebhookResponse {
        counter.withLock { $0.rejected[code, default: 0] += 1 }
        return WebhookResponse(
            status: status, outcome: .rejected(code: code),
            fields: [("status", "rejected"), ("code", code)])
    }

    private func retryLater(_ code: String) -> WebhookResponse {
        counter.withLock { $0.rejected[code, default: 0] += 1 }
        return WebhookResponse(
            status: 503, outcome: .retryLater(code: code),
            fields: [("status", "retry"), ("code", code)],
            retryAfter: configuration.retryAfterSeconds)
    }

    private func duplicate(_ outcome: StoredOutcome) -> WebhookResponse {
        counter.withLock { $0.duplicates += 1 }
        var fields = [("status", "duplicate"), ("acknowledged", outcome.status)]
        if let id = outcome.details["correlationId"], CorrelationID(id) != nil { fields.append(("correlationId", id)) }
        return WebhookResponse(status: 200, outcome: .duplicate, fields: fields)
    }
}

/// A fast seeded 128-bit fingerprint of an *authenticated* body, for delivery records.
///
/// Delivery fingerprints only need to tell apart two bodies a producer signed under one id; the body
/// has already passed HMAC verification, so nobody without the signing key can aim for a collision,
/// and a cryptographic hash (≈ 3 µs per KiB in pure Swift, 5 % of the receiver) buys little. Two
/// 64-bit lanes (multiply–xorshift over 8-byte words, then the tail and the length) start from a seed
/// derived from the organisation's token key, so a stored fingerprint cannot be checked against
/// guessed bodies without that key. (It is not a PRF: treat the store as confidential anyway.)
enum BodyFingerprint {
    static func of(_ body: [UInt8], seed: (UInt64, UInt64)) -> String {
        var a: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ seed.0, b: UInt64 = 0xC2B2_AE3D_27D4_EB4F ^ seed.1
        body.withUnsafeBytes { raw in
            let words = raw.count / 8
            for index in 0..<words {
                let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self))
                a = mix(a ^ word) &* 0xBF58_476D_1CE4_E5B9
                b = mix(b &+ word) &* 0x94D0_49BB_1331_11EB
            }
            for index in (words * 8)..<raw.count {
                a = mix(a ^ UInt64(raw[index])) &* 0xBF58_476D_1CE4_E5B9
                b = mix(b &+ UInt64(raw[index])) &* 0x94D0_49BB_1331_11EB
            }
        }
        a = mix(a ^ UInt64(body.count))
        b = mix(b ^ UInt64(body.count) ^ a)
        return "b1:" + hex(a) + hex(b)
    }

    private static func mix(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    private static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}

/// A snapshot of a receiver's counters.
public struct WebhookReceiverCounters: Sendable, Hashable {
    /// Every call to ``WebhookReceiver/receive(body:headers:)``.
    public var received = 0
    /// Jobs enqueued (202).
    public var accepted = 0
    /// Duplicate deliveries or events answered with the cached acknowledgement (200).
    public var duplicates = 0
    /// Well-formed events of unknown or non-actionable types, acknowledged (200).
    public var unknownTypes = 0
    /// Events whose key already had a job for different content (200).
    public var conflicts = 0
    /// Refusals and retry-laters by stable error code (`webhook.noMatchingSignature`, `event.malformedJSON`,
    /// `queue.rejected`, `ingest.inProgress`…).
    public var rejected: [String: Int] = [:]

    /// Creates zeroed counters.
    public init() {}
}
