import Foundation
@_spi(VigilInternal) import VigilCore

/// The producer side: signs a body and returns the headers a ``WebhookVerifier`` accepts.
///
/// Used by tests, by Vigil's verdict-callback engine and by the demo. With several secrets it signs
/// with each (space-separated `v1,` entries, or repeated `v1=` elements), which is how a producer
/// rotates keys without downtime: sign with old and new until every consumer has the new one.
///
/// ```swift
/// let signer = try WebhookSigner(scheme: .standardWebhooks, secrets: ["whsec_…"])
/// let headers = signer.sign(body: body, id: "msg_…", timestamp: 1_614_265_330)
/// ```
public struct WebhookSigner: Sendable {
    /// The scheme produced.
    public let scheme: WebhookSignatureScheme
    private let secrets: [WebhookSecret]

    /// Creates a signer.
    ///
    /// - Throws: ``WebhookVerificationError/Code/noSecrets`` for an empty list.
    public init(scheme: WebhookSignatureScheme, secrets: [WebhookSecret]) throws(WebhookVerificationError) {
        guard !secrets.isEmpty else { throw WebhookVerificationError(.noSecrets, "at least one secret is required") }
        self.scheme = scheme
        self.secrets = secrets
    }

    /// Creates a signer from secret strings, decoded as `scheme` requires.
    ///
    /// - Throws: ``WebhookVerificationError`` for an empty list or an empty/malformed secret.
    public init(scheme: WebhookSignatureScheme, secrets: [String]) throws(WebhookVerificationError) {
        var decoded: [WebhookSecret] = []
        for secret in secrets { decoded.append(try WebhookSecret.make(secret, for: scheme)) }
        try self.init(scheme: scheme, secrets: decoded)
    }

    /// The signature header value alone: `v1,<base64>[ v1,<base64>…]` (Standard Webhooks) or
    /// `t=<ts>,v1=<hex>[,v1=<hex>…]` (Stripe-style; `id` is not signed).
    ///
    /// `id` must not contain `.` for Standard Webhooks (the verifier refuses such ids).
    public func signature(body: [UInt8], id: String, timestamp: Int64) -> String {
        let dot: [UInt8] = [UInt8(ascii: ".")]
        let timestampBytes = Array(String(timestamp).utf8)
        switch scheme.kind {
        case .standardWebhooks:
            let idBytes = Array(id.utf8)
            return secrets.map { secret in
                "v1," + Base64.encode(secret.authenticate(idBytes, dot, timestampBytes, dot, body).bytes)
            }.joined(separator: " ")
        case .stripeStyle:
            let signatures = secrets.map { "v1=" + Hex.encode($0.authenticate(timestampBytes, dot, body).bytes) }
            return (["t=\(timestamp)"] + signatures).joined(separator: ",")
        }
    }

    /// The headers to send with `body`: `webhook-id`, `webhook-timestamp`, `webhook-signature`
    /// (Standard Webhooks) or the single signature header (Stripe-style).
    public func sign(body: [UInt8], id: String, timestamp: Int64) -> HTTPFields {
        let value = signature(body: body, id: id, timestamp: timestamp)
        switch scheme.kind {
        case .standardWebhooks:
            return ["webhook-id": id, "webhook-timestamp": String(timestamp), "webhook-signature": value]
        case .stripeStyle:
            return HTTPFields([(scheme.signatureHeader, value)])
        }
    }

    /// Signs with the current time of `now` (whole seconds).
    public func sign(body: [UInt8], id: String, now: Date) -> HTTPFields {
        sign(body: body, id: id, timestamp: Int64(now.timeIntervalSince1970.rounded(.down)))
    }
}
