import Foundation
@_spi(VigilInternal) import VigilCore
import VigilModels

/// Applies a subscription's `eventData.include` list to an event: nothing outside it survives.
///
/// Always kept, because no job can be routed without them: the kind, the source, the conversation and
/// recording ids (UUIDs), the event's own id, correlation id and time. Everything else — typed
/// attributes and personal fields alike — is kept only when its name is in the list. Names are the
/// seed's (`channel`, `direction`, `startTime`, `endTime`, `participants`, `tags`) or, for Genesys
/// detail events, the wire field name (`ani`, `queueId`, `divisionId`, `wrapupNotes`…; `channel` and
/// `mediaType` are synonyms; `participants` also covers `participantId` and `userId`).
///
/// `mediaUri` is never carried, even when listed: a pre-signed link is a bearer credential, and the
/// worker re-resolves media through the recordings API anyway.
public struct EventMinimiser: Sendable, Hashable {
    /// The included field names.
    public let included: Set<String>
    /// The attribute decisions, taken once (minimisation runs on every event).
    private let keeps: Keeps

    private struct Keeps: Sendable, Hashable {
        var mediaType, direction, fileState, startTime, endTime, participants, participantId, userId: Bool
        var queueId, divisionId, disconnectType, wrapupCode: Bool
    }

    /// Creates a minimiser for `include`.
    public init(include: [EventDataField]) {
        let names = Set(include.map(\.rawValue))
        included = names
        let has = { names.contains($0) }
        keeps = Keeps(
            mediaType: has("channel") || has("mediaType"), direction: has("direction"),
            fileState: has("fileState"), startTime: has("startTime"), endTime: has("endTime"),
            participants: has("participants"), participantId: has("participants") || has("participantId"),
            userId: has("participants") || has("userId"), queueId: has("queueId"),
            divisionId: has("divisionId"), disconnectType: has("disconnectType"),
            wrapupCode: has("wrapupCode"))
    }

    /// Creates a minimiser for the subscription's `eventData.include`.
    public init(subscription: EventSubscription) {
        self.init(include: subscription.eventData.include)
    }

    /// `event` with every field outside the include list removed.
    public func minimise(_ event: RecordingLifecycleEvent) -> RecordingLifecycleEvent {
        var out = event
        var a = EventAttributes()
        let source = event.attributes
        if keeps.mediaType { a.mediaType = source.mediaType }
        if keeps.direction { a.direction = source.direction }
        if keeps.fileState { a.fileState = source.fileState }
        if keeps.startTime { a.startTime = source.startTime }
        if keeps.endTime { a.endTime = source.endTime }
        if keeps.participants { a.participants = source.participants }
        if keeps.participantId { a.participantId = source.participantId }
        if keeps.userId { a.userId = source.userId }
        if keeps.queueId { a.queueId = source.queueId }
        if keeps.divisionId { a.divisionId = source.divisionId }
        if keeps.disconnectType { a.disconnectType = source.disconnectType }
        if keeps.wrapupCode { a.wrapupCode = source.wrapupCode }
        out.attributes = a
        if !event.personal.isEmpty { out.personal = event.personal.filter { included.contains($0.key) } }
        return out
    }
}

/// Turns personal values into pseudonymous tokens, and screens identifiers that are about to be carried.
///
/// Vigil's receiver calls it after minimisation, so a `RecordingJob` holds identifiers and tokens
/// only. ``KeyedEventTokenizer`` is the built-in implementation; a host can supply one backed by its
/// own PII detection.
public protocol EventTokenizer: Sendable {
    /// A deterministic token for `value` of field `field` (equal inputs give equal tokens under one key;
    /// irreversible without the key).
    func token(for value: String, field: String) -> PseudonymousToken

    /// Whether `identifier` (a delivery id, a correlation id) may be carried as is. Return `false` for
    /// anything that contains personal data; the receiver then carries a token instead.
    func isSafeIdentifier(_ identifier: String) -> Bool
}

/// Keyed deterministic tokens: `tok_<field>_<22 base64url characters>`, the first 16 bytes of
/// HMAC-SHA256(key, `"vigil.eventsub.v1" ‖ 0x00 ‖ field ‖ 0x00 ‖ value`).
///
/// Identifiers are screened conservatively: a UUID passes; otherwise 1–128 characters of
/// `A–Z a–z 0–9 . _ : -` with fewer than 9 digits in total — so no card number (13–19 digits), US SSN
/// (9), or phone number with area code fits, whatever the separators.
public struct KeyedEventTokenizer: EventTokenizer, CustomStringConvertible {
    private let mac: HMACSHA256

    /// The shortest key accepted, in bytes.
    public static let minimumKeyBytes = 16

    /// Creates a tokenizer under an organisation key (32 random bytes recommended).
    ///
    /// Returns `nil` for a key shorter than ``minimumKeyBytes``.
    public init?(key: [UInt8]) {
        guard key.count >= Self.minimumKeyBytes else { return nil }
        mac = HMACSHA256(key: key)
    }

    /// See ``EventTokenizer/token(for:field:)``.
    public func token(for value: String, field: String) -> PseudonymousToken {
        var copy = mac
        copy.update("vigil.eventsub.v1")
        copy.update([0])
        copy.update(field)
        copy.update([0])
        copy.update(value)
        let digest = copy.finalize().bytes.prefix(16)
        let isTag =
            (1...32).contains(field.utf8.count)
            && field.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) }
        let tag = isTag ? field : "field"
        return PseudonymousToken("tok_\(tag)_" + Base64.encode(digest, alphabet: .urlSafe, padding: false))!
    }

    /// See ``EventTokenizer/isSafeIdentifier(_:)``.
    public func isSafeIdentifier(_ identifier: String) -> Bool { Screen.isSafeIdentifier(identifier) }

    /// `KeyedEventTokenizer(<redacted>)`.
    public var description: String { "KeyedEventTokenizer(<redacted>)" }
}
