import Foundation
import VigilCore
import VigilIdempotency

/// Remembers verified deliveries in an `IdempotencyStore` so that a captured request replayed inside
/// the window is refused.
///
/// A delivery is admitted by claiming `webhook-delivery:<replay key>` with a lease of ``retention``
/// (default: twice the verifier's tolerance — a delivery stamped `tolerance` in the future stays valid
/// for `2 × tolerance`, so it must be remembered at least that long). The claim is never completed:
/// the live lease *is* the memory, and it expires on its own. Any later claim of the same key while
/// it lives — in progress, completed or conflicting — is a replay.
///
/// Use it with ``WebhookVerifier/verify(body:headers:replayGuard:)`` where a replay must be an error
/// (verdict callbacks). ``WebhookReceiver`` keeps its own delivery records in the store instead, so
/// a replay of an *accepted* delivery gets the cached acknowledgement rather than a 401.
public struct WebhookReplayGuard: Sendable {
    /// The store.
    public let store: any IdempotencyStore
    /// How long a delivery is remembered.
    public let retention: Duration
    /// Prefix of the store keys.
    public let keyPrefix: String

    /// Creates a guard.
    ///
    /// - Parameters:
    ///   - store: where deliveries are remembered (shared between all instances of the host).
    ///   - retention: how long; at least `2 × tolerance` of the verifier it guards (default 600 s).
    ///   - keyPrefix: namespaces the keys in a shared store.
    public init(
        store: any IdempotencyStore, retention: Duration = .seconds(600),
        keyPrefix: String = "webhook-delivery:"
    ) {
        self.store = store
        self.retention = retention
        self.keyPrefix = keyPrefix
    }

    /// Records `delivery`, or throws ``WebhookVerificationError/Code/replayed`` if it was seen within
    /// ``retention``.
    ///
    /// - Throws: ``WebhookVerificationError/Code/replayed``, or
    ///   ``WebhookVerificationError/Code/replayCheckFailed`` when the store fails (retryable).
    public func admit(_ delivery: VerifiedDelivery) async throws(WebhookVerificationError) {
        let result: ClaimResult
        do {
            result = try await store.claim(
                keyPrefix + delivery.replayKey,
                fingerprint: Hex.encode(delivery.matchedSignature), lease: retention)
        } catch {
            throw WebhookVerificationError(.replayCheckFailed, "the replay store failed")
        }
        guard case .acquired = result else {
            throw WebhookVerificationError(.replayed, "delivery was already received within the replay window")
        }
    }
}
