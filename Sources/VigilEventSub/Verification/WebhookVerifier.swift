import Foundation
@_spi(VigilInternal) import VigilCore

/// Verifies that a webhook delivery was signed by a holder of one of the active secrets, recently.
///
/// ```swift
/// let verifier = try WebhookVerifier(
///     scheme: .standardWebhooks,
///     secrets: [.standardWebhooks(current), .standardWebhooks(previous)])   // rotation
/// let delivery = try verifier.verify(body: body, headers: headers)
/// ```
///
/// Checks, in order (the first failure is reported):
/// 1. the scheme's headers are present and well-formed — a Standard Webhooks id is 1–256 printable
///    ASCII characters **without `.`** (the spec's id/timestamp hygiene: the signed content is
///    `.`-delimited), and every timestamp is a plain non-negative integer of unix seconds (no sign,
///    fraction, exponent or leading zero);
/// 2. the timestamp lies within ``tolerance`` of the injected wall clock **in both directions**
///    (`now − tolerance ≤ t ≤ now + tolerance`, default 300 s). The Standard Webhooks reference
///    libraries do the same; Stripe's own libraries only reject *old* timestamps — Vigil is stricter
///    and rejects future ones for both schemes, so a leaked signing key cannot pre-sign deliveries for
///    later;
/// 3. some `v1` signature matches the HMAC-SHA256 of the signed content under some active secret,
///    compared in constant time over the decoded bytes (entries of other versions, and entries that do
///    not decode to 32 bytes, are skipped).
///
/// Verification is pure and synchronous. Replay protection — refusing a delivery seen before inside
/// the window — needs shared state: pass a ``WebhookReplayGuard`` to
/// ``verify(body:headers:replayGuard:)``. (``WebhookReceiver`` uses an idempotency store for the same
/// purpose and answers a replay of an accepted delivery with its cached acknowledgement.)
public struct WebhookVerifier: Sendable {
    /// The scheme spoken.
    public let scheme: WebhookSignatureScheme
    /// How far a timestamp may be from now, in either direction.
    public let tolerance: Duration
    private let secrets: [WebhookSecret]
    private let toleranceSeconds: Double
    private let now: @Sendable () -> Date

    /// The most signatures one header may carry (rotation needs two or three). More is refused as
    /// malformed, so a hostile header cannot make verification do unbounded work.
    public static let maxSignatures = 16
    /// The longest signature header accepted, in bytes.
    public static let maxSignatureHeaderBytes = 4096
    /// The longest Standard Webhooks id accepted, in bytes.
    public static let maxIDBytes = 256

    /// Creates a verifier.
    ///
    /// - Parameters:
    ///   - scheme: the signature scheme.
    ///   - secrets: every currently active secret (during rotation, old and new). Order does not matter.
    ///   - tolerance: the timestamp window, applied in both directions. Default 300 s.
    ///   - now: the wall clock (inject a test clock's `wall`).
    /// - Throws: ``WebhookVerificationError/Code/noSecrets`` for an empty list.
    public init(
        scheme: WebhookSignatureScheme, secrets: [WebhookSecret], tolerance: Duration = .seconds(300),
        now: @escaping @Sendable () -> Date = { Date() }
    ) throws(WebhookVerificationError) {
        guard !secrets.isEmpty else { throw WebhookVerificationError(.noSecrets, "at least one secret is required") }
        self.scheme = scheme
        self.secrets = secrets
        self.tolerance = tolerance
        self.toleranceSeconds = max(0, tolerance.seconds)
        self.now = now
    }

    /// Creates a verifier from secret strings, decoded as `scheme` requires.
    ///
    /// - Throws: ``WebhookVerificationError/Code/noSecrets``, ``WebhookVerificationError/Code/emptySecret``
    ///   or ``WebhookVerificationError/Code/malformedSecret``.
    public init(
        scheme: WebhookSignatureScheme, secrets: [String], tolerance: Duration = .seconds(300),
        now: @escaping @Sendable () -> Date = { Date() }
    ) throws(WebhookVerificationError) {
        var decoded: [WebhookSecret] = []
        for secret in secrets { decoded.append(try WebhookSecret.make(secret, for: scheme)) }
        try self.init(scheme: scheme, secrets: decoded, tolerance: tolerance, now: now)
    }

    /// Verifies headers and signature over the raw body bytes exactly as received.
    ///
    /// - Returns: the verified delivery (id, timestamp, which secret matched, the replay key).
    /// - Throws: ``WebhookVerificationError``.
    public func verify(body: [UInt8], headers: HTTPFields) throws(WebhookVerificationError) -> VerifiedDelivery {
        switch scheme.kind {
        case .standardWebhooks: try verifyStandard(body: body, headers: headers)
        case .stripeStyle: try verifyStripe(body: body, headers: headers)
        }
    }

    /// Verifies, then asks `replayGuard` whether the delivery is new.
    ///
    /// - Throws: as ``verify(body:headers:)``, plus ``WebhookVerificationError/Code/replayed`` for a
    ///   delivery seen inside the guard's retention, or
    ///   ``WebhookVerificationError/Code/replayCheckFailed`` when the store fails.
    public func verify(body: [UInt8], headers: HTTPFields, replayGuard: WebhookReplayGuard) async throws(WebhookVerificationError)
        -> VerifiedDelivery
    {
        let delivery = try verify(body: body, headers: headers)
        try await replayGuard.admit(delivery)
        return delivery
    }

    // MARK: - Standard Webhooks

    private func verifyStandard(body: [UInt8], headers: HTTPFields) throws(WebhookVerificationError) -> VerifiedDelivery {
        guard let id = nonEmpty(headers["webhook-id"]),
            let timestampText = nonEmpty(headers["webhook-timestamp"]),
            let signatureHeader = nonEmpty(headers["webhook-signature"])
        else {
            throw WebhookVerificationError(.missingHeaders, "webhook-id, webhook-timestamp and webhook-signature are required")
        }
        guard id.utf8.count <= Self.maxIDBytes,
            id.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: ".") })
        else {
            throw WebhookVerificationError(.malformedHeader, "webhook-id must be 1-\(Self.maxIDBytes) printable ASCII characters without '.'")
        }
        let timestamp = try parseTimestamp(timestampText, header: "webhook-timestamp")
        try checkWindow(timestamp)
        guard signatureHeader.utf8.count <= Self.maxSignatureHeaderBytes else {
            throw WebhookVerificationError(.malformedHeader, "webhook-signature exceeds \(Self.maxSignatureHeaderBytes) bytes")
        }
        guard let candidates = Self.standardSignatures(signatureHeader) else {
            throw WebhookVerificationError(.malformedHeader, "webhook-signature has more than \(Self.maxSignatures) entries")
        }
        let dot: [UInt8] = [UInt8(ascii: ".")]
        let idBytes = Array(id.utf8), timestampBytes = Array(timestampText.utf8)
        for (index, secret) in secrets.enumerated() {
            let expected = secret.authenticate(idBytes, dot, timestampBytes, dot, body)
            if let match = firstMatch(expected, in: candidates) {
                return VerifiedDelivery(
                    scheme: scheme, id: id, timestamp: timestamp, secretIndex: index,
                    replayKey: "swh:" + id, matchedSignature: match)
            }
        }
        throw WebhookVerificationError(.noMatchingSignature, "no v1 signature in webhook-signature matches")
    }

    /// The 32-byte `v1` signatures in a `webhook-signature` header (space-separated `version,base64`
    /// entries; other versions and undecodable entries are skipped), or `nil` when it has more than
    /// ``maxSignatures`` entries.
    ///
    /// An ASCII header (every real one) is read byte by byte; any other goes through `String`'s
    /// character-wise split, which treats a space followed by a combining mark as no separator. Both
    /// give the same answer for ASCII, where every character is one byte.
    static func standardSignatures(_ header: String) -> [[UInt8]]? {
        var header = header
        let ascii: [[UInt8]]?? = header.withUTF8 { bytes in
            guard bytes.allSatisfy({ $0 < 0x80 }) else { return .none }
            var candidates: [[UInt8]] = []
            var entries = 0
            var start = 0
            while start < bytes.count {
                if bytes[start] == UInt8(ascii: " ") {
                    start += 1
                    continue
                }
                var end = start
                while end < bytes.count, bytes[end] != UInt8(ascii: " ") { end += 1 }
                entries += 1
                if entries > maxSignatures { return .some(nil) }
                let entry = UnsafeBufferPointer(rebasing: bytes[start..<end])
                if entry.count > 3, entry[0] == UInt8(ascii: "v"), entry[1] == UInt8(ascii: "1"), entry[2] == UInt8(ascii: ","),
                    let signature = try? Base64.decode(utf8: UnsafeBufferPointer(rebasing: entry[3...])), signature.count == 32
                {
                    candidates.append(signature)
                }
                start = end
            }
            return .some(candidates)
        }
        if let ascii { return ascii }
        return standardSignaturesByCharacter(header)
    }

    /// ``standardSignatures(_:)`` through `String`'s character-wise split: the path for non-ASCII headers,
    /// and the reference the byte-wise path is tested against.
    static func standardSignaturesByCharacter(_ header: String) -> [[UInt8]]? {
        let entries = header.split(separator: " ", omittingEmptySubsequences: true)
        guard entries.count <= maxSignatures else { return nil }
        var candidates: [[UInt8]] = []
        for entry in entries {
            guard let comma = entry.firstIndex(of: ","), entry[..<comma] == "v1" else { continue }
            guard let bytes = try? Base64.decode(String(entry[entry.index(after: comma)...])), bytes.count == 32 else {
                continue
            }
            candidates.append(bytes)
        }
        return candidates
    }

    // MARK: - Stripe-style

    private func verifyStripe(body: [UInt8], headers: HTTPFields) throws(WebhookVerificationError) -> VerifiedDelivery {
        let name = scheme.signatureHeader
        guard let header = nonEmpty(headers[name]) else {
            throw WebhookVerificationError(.missingHeaders, "\(name) is required")
        }
        guard header.utf8.count <= Self.maxSignatureHeaderBytes else {
            throw WebhookVerificationError(.malformedHeader, "\(name) exceeds \(Self.maxSignatureHeaderBytes) bytes")
        }
        var timestampText: Substring?
        var candidates: [[UInt8]] = []
        var elementCount = 0
        for element in header.split(separator: ",", omittingEmptySubsequences: true) {
            elementCount += 1
            guard elementCount <= Self.maxSignatures + 1 else {
                throw WebhookVerificationError(.malformedHeader, "\(name) has too many elements")
            }
            let element = element.drop { $0 == " " }
            guard let equals = element.firstIndex(of: "=") else { continue }
            let key = element[..<equals], value = element[element.index(after: equals)...]
            if key == "t" {
                guard timestampText == nil else {
                    throw WebhookVerificationError(.malformedHeader, "\(name) has more than one timestamp")
                }
                timestampText = value
            } else if key == "v1", let bytes = try? Hex.decode(String(value)), bytes.count == 32 {
                candidates.append(bytes)
            }
        }
        guard let timestampText else {
            throw WebhookVerificationError(.malformedHeader, "\(name) has no t= timestamp")
        }
        let timestamp = try parseTimestamp(timestampText, header: name)
        try checkWindow(timestamp)
        let timestampBytes = Array(timestampText.utf8)
        let dot: [UInt8] = [UInt8(ascii: ".")]
        for (index, secret) in secrets.enumerated() {
            let expected = secret.authenticate(timestampBytes, dot, body)
            if let match = firstMatch(expected, in: candidates) {
                return VerifiedDelivery(
                    scheme: scheme, id: nil, timestamp: timestamp, secretIndex: index,
                    replayKey: "stripe:\(timestamp):" + Hex.encode(match),
                    matchedSignature: match)
            }
        }
        throw WebhookVerificationError(.noMatchingSignature, "no v1 signature in \(name) matches")
    }

    // MARK: - Shared checks

    private func nonEmpty(_ value: String?) -> String? {
        guard let value, !value.isEmpty else { return nil }
        return value
    }

    /// A canonical non-negative integer: 1–12 ASCII digits, no leading zero (except `0` itself).
    private func parseTimestamp(_ text: some StringProtocol, header: String) throws(WebhookVerificationError) -> Int64 {
        let bytes = text.utf8
        guard (1...12).contains(bytes.count),
            bytes.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
            bytes.count == 1 || bytes.first != UInt8(ascii: "0"),
            let value = Int64(text)
        else {
            throw WebhookVerificationError(.malformedHeader, "\(header) timestamp must be integer unix seconds")
        }
        return value
    }

    private func checkWindow(_ timestamp: Int64) throws(WebhookVerificationError) {
        let current = now().timeIntervalSince1970
        let seconds = Double(timestamp)
        if seconds < current - toleranceSeconds {
            throw WebhookVerificationError(.timestampTooOld, "timestamp is older than the \(Int(toleranceSeconds)) s tolerance")
        }
        if seconds > current + toleranceSeconds {
            throw WebhookVerificationError(.timestampTooNew, "timestamp is more than \(Int(toleranceSeconds)) s in the future")
        }
    }

    /// The first candidate equal to `expected`, compared in constant time; every candidate is compared.
    private func firstMatch(_ expected: SHA256Digest, in candidates: [[UInt8]]) -> [UInt8]? {
        let digest = expected.bytes
        var match: [UInt8]?
        for candidate in candidates where ConstantTime.equals(candidate, digest) && match == nil {
            match = candidate
        }
        return match
    }
}

/// A delivery that passed ``WebhookVerifier/verify(body:headers:)``.
public struct VerifiedDelivery: Sendable, Hashable, CustomStringConvertible {
    /// The scheme that verified it.
    public let scheme: WebhookSignatureScheme
    /// The Standard Webhooks `webhook-id` (`nil` for Stripe-style, whose header carries no id).
    public let id: String?
    /// The signed timestamp, unix seconds.
    public let timestamp: Int64
    /// The index, in the verifier's secret list, of the secret that matched — watch it during a
    /// rotation to see when the old secret stops being used.
    public let secretIndex: Int
    /// What replay protection remembers: `swh:<webhook-id>`, or for Stripe-style (no id) the
    /// timestamp and the matching signature, `stripe:<t>:<hex>` — a captured request replayed
    /// verbatim repeats both.
    public let replayKey: String
    /// The signature bytes that matched (not printed).
    let matchedSignature: [UInt8]

    /// Scheme, id, timestamp and secret index; never the signature.
    public var description: String {
        "VerifiedDelivery(scheme: \(scheme), id: \(id ?? "none"), timestamp: \(timestamp), secretIndex: \(secretIndex))"
    }
}
