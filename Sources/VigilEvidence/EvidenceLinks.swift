import Foundation
@_spi(VigilInternal) import VigilCore

/// Short-lived links to sealed evidence — what a verdict's `evidenceSnippet` carries instead of the
/// evidence itself: `<base>/<objectId>?expires=<unix seconds>&signature=<hex HMAC-SHA256>` over
/// `<objectId>.<expires>` with a secret the serving host holds. The link proves nothing but the right
/// to ask; the host checks it (``verify(objectId:expires:signature:)``) and then opens the vault.
public struct EvidenceLinks: Sendable {
    /// Where the evidence is served (e.g. `https://vigil.example.com/evidence`).
    public let base: URL
    private let secret: [UInt8]
    private let now: @Sendable () -> Date
    /// The longest lifetime a link may have (default 1 h, as Genesys' own media links).
    public let maximumLifetime: Duration

    /// Creates the signer.
    ///
    /// - Throws: ``EvidenceError/Code/invalidKey`` when the secret is shorter than 32 bytes.
    public init(
        base: URL, secret: [UInt8], maximumLifetime: Duration = .seconds(3_600),
        now: @escaping @Sendable () -> Date = { Date() }
    ) throws(EvidenceError) {
        guard secret.count >= 32 else { throw EvidenceError(.invalidKey, "the link secret must be at least 32 bytes") }
        self.base = base
        self.secret = secret
        self.maximumLifetime = maximumLifetime
        self.now = now
    }

    /// A link to `objectId` valid for `lifetime` (capped at ``maximumLifetime``).
    public func link(for objectId: String, expiresIn lifetime: Duration = .seconds(900)) -> URL {
        let seconds = min(lifetime, maximumLifetime).components.seconds
        let expires = Int64(now().timeIntervalSince1970) + max(1, seconds)
        var components = URLComponents(url: base.appendingPathComponent(objectId), resolvingAgainstBaseURL: false)!
        components.queryItems = [
            URLQueryItem(name: "expires", value: String(expires)),
            URLQueryItem(name: "signature", value: signature(objectId, expires))
        ]
        return components.url!
    }

    /// Checks a link's parts: a vault object id, not expired, not further out than the maximum
    /// lifetime, and the signature (compared in constant time).
    ///
    /// - Throws: ``EvidenceError/Code/invalidLink`` naming which check failed.
    public func verify(objectId: String, expires: String, signature: String) throws(EvidenceError) {
        guard EvidenceVault.isValidObjectId(objectId) else { throw EvidenceError(.invalidLink, "not an evidence object id") }
        guard let expiry = Int64(expires) else { throw EvidenceError(.invalidLink, "expires is not a number") }
        let current = Int64(now().timeIntervalSince1970)
        guard expiry >= current else { throw EvidenceError(.invalidLink, "the link has expired") }
        guard expiry - current <= maximumLifetime.components.seconds else {
            throw EvidenceError(.invalidLink, "the link lives longer than links may")
        }
        guard ConstantTime.equals(Array(signature.utf8), Array(self.signature(objectId, expiry).utf8)) else {
            throw EvidenceError(.invalidLink, "the signature does not match")
        }
    }

    private func signature(_ objectId: String, _ expires: Int64) -> String {
        HMACSHA256.authenticationCode(for: "\(objectId).\(expires)", key: secret).hex
    }
}
