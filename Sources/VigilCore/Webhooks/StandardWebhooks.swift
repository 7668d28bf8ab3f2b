/// The Standard Webhooks v1 wire format (HMAC-SHA256), shared by everything in Vigil that signs or
/// verifies a delivery: the webhook receiver (`VigilEventSub`), the compliance-engine client and the
/// verdict callback receiver (`VigilVerdict`).
///
/// - Signed content: `msg_id.timestamp.payload` over the raw body bytes (re-serialised JSON breaks it).
/// - Signature: `v1,<base64 HMAC-SHA256>`; the `webhook-signature` header is a space-separated list, so
///   keys can rotate; entries of other versions are skipped.
/// - Secret: `whsec_` followed by base64 of 24–64 random bytes (the spec's range).
///
/// This type holds the format only. Timestamp windows, replay protection and key rotation policy live
/// with the verifiers that use it.
///
/// Source: standard-webhooks/standard-webhooks, `spec/standard-webhooks.md` (v1.0.0).
public enum StandardWebhooks {
    /// `webhook-id`: the message id, the same on every retry of one message.
    public static let idHeader = "webhook-id"
    /// `webhook-timestamp`: integer Unix seconds.
    public static let timestampHeader = "webhook-timestamp"
    /// `webhook-signature`: space-separated `v1,<base64>` entries.
    public static let signatureHeader = "webhook-signature"
    /// The prefix of a serialised symmetric secret.
    public static let secretPrefix = "whsec_"

    /// Decodes a serialised secret: surrounding whitespace trimmed, an optional `whsec_` prefix stripped,
    /// base64 in either alphabet with or without padding. Non-zero unused bits in the last character are
    /// tolerated, as the reference libraries (Python, JavaScript, Go) tolerate them.
    ///
    /// - Throws: ``Base64DecodingError`` when the text is empty after the prefix or is not base64.
    ///   The error never contains the secret.
    public static func decodeSecret(_ serialized: String) throws(Base64DecodingError) -> [UInt8] {
        var text = Substring(serialized)
        while let first = text.first, first.isWhitespace { text.removeFirst() }
        while let last = text.last, last.isWhitespace { text.removeLast() }
        if text.hasPrefix(secretPrefix) { text = text.dropFirst(secretPrefix.count) }
        guard !text.isEmpty else { throw Base64DecodingError(.invalidLength, offset: 0) }
        return try Base64.decode(String(text), allowingNonZeroTrailingBits: true)
    }

    /// The MAC of one message: `HMAC-SHA256(key, id "." timestamp "." body)`.
    ///
    /// - Parameter keyed: an ``HMACSHA256`` already keyed with the secret (copied, not consumed), so a
    ///   verifier pays the key schedule once per secret, not once per message.
    @_spi(VigilInternal) public static func mac(id: String, timestamp: Int64, body: some Collection<UInt8>, keyed: HMACSHA256) -> SHA256Digest {
        var mac = keyed
        mac.update(id)
        mac.update(".")
        mac.update(String(timestamp))
        mac.update(".")
        mac.update(body)
        return mac.finalize()
    }

    /// The `v1,<base64>` signature entry of one message.
    @_spi(VigilInternal) public static func signature(id: String, timestamp: Int64, body: some Collection<UInt8>, keyed: HMACSHA256) -> String {
        "v1," + Base64.encode(mac(id: id, timestamp: timestamp, body: body, keyed: keyed).bytes)
    }

    /// The decoded `v1` signatures in a `webhook-signature` header; entries of other versions and
    /// entries that are not base64 are skipped.
    public static func v1Signatures(inHeader header: String) -> [[UInt8]] {
        header.split(separator: " ").compactMap { entry in
            let parts = entry.split(separator: ",", maxSplits: 1)
            guard parts.count == 2, parts[0] == "v1" else { return nil }
            return try? Base64.decode(String(parts[1]))
        }
    }

    /// Whether `id` may be signed: 1–256 printable ASCII characters without `.` (the spec asks that ids
    /// never contain the delimiter of the signed content).
    public static func isValidMessageID(_ id: String) -> Bool {
        let bytes = id.utf8
        return (1...256).contains(bytes.count) && bytes.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: ".") }
    }
}
