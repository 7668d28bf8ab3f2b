import Foundation
import VigilModels

/// One normalised event, whatever envelope it arrived in: the seed's webhook
/// (`RecordingWebhookEvent`), an Amazon EventBridge delivery or a Notification API message.
///
/// Identity (kind, ids, times) is typed and safe to log. Contact details from the event (caller number,
/// addresses, names, wrap-up notes, free-text tags) sit in ``personal`` as `Sensitive` values, only
/// until the receiver minimises and tokenizes them; ``description`` never prints them.
public struct RecordingLifecycleEvent: Sendable, Hashable, CustomStringConvertible, CustomReflectable {
    /// What happened.
    public enum Kind: Sendable, Hashable, CustomStringConvertible {
        /// `recording:recordingStarted`: preliminary, media not ready.
        case recordingStarted
        /// `recording:recordingCompleted`, or a recording notification whose media is still uploading.
        case recordingCompleted
        /// `recording:recordingAvailable`, or a recording notification with `fileState` `AVAILABLE` /
        /// `RESTORED`.
        case recordingAvailable
        /// A conversation detail end event (`customer.end`, `user.end`, `acw`, `wrapup`): discover the
        /// conversation's recordings and verify they are ready.
        case conversationEnded
        /// A well-formed event Vigil does not act on (another topic, an unknown seed event name, a
        /// heartbeat, a deleted recording). It is acknowledged and counted, never retried. `type` is the
        /// topic pattern or event name with ids replaced by `{id}` (or `unrecognised` if it holds
        /// anything that could be data).
        case ignored(type: String)

        /// The job kind, `nil` for ``ignored(type:)``.
        public var jobKind: RecordingJobKind? {
            switch self {
            case .recordingStarted: .recordingStarted
            case .recordingCompleted: .recordingCompleted
            case .recordingAvailable: .recordingAvailable
            case .conversationEnded: .conversationEnded
            case .ignored: nil
            }
        }

        /// `recordingAvailable`, `ignored(v2.foo.{id})`…
        public var description: String {
            switch self {
            case let .ignored(type): "ignored(\(type))"
            default: jobKind!.rawValue
            }
        }
    }

    /// What happened.
    public var kind: Kind
    /// Which envelope it came in.
    public var source: EventSource
    /// The envelope's own id (seed delivery id, EventBridge id), as received. Not printed: a sender may
    /// put anything in it; the receiver screens it before a job carries it.
    public var eventId: String?
    /// The sender's correlation id, as received. Not printed (screened like ``eventId``).
    public var correlationId: String?
    /// The conversation (always set unless ``kind`` is ``Kind/ignored(type:)``).
    public var conversationId: GenesysID?
    /// The recording, when the event names one.
    public var recordingId: GenesysID?
    /// When the event happened, epoch ms.
    public var eventTimeMs: Int64?
    /// The topic suffix or event name that produced ``kind`` (`customer.end`, `fileState:AVAILABLE`,
    /// `recording:recordingAvailable`), from a fixed vocabulary.
    public var trigger: String
    /// Typed, non-personal attributes.
    public var attributes: EventAttributes
    /// Contact details and free text, keyed by their wire field name (`ani`, `dnis`, `addressFrom`,
    /// `externalContactId`, `wrapupNotes`, `tags`…). Never printed.
    public var personal: [String: Sensitive<String>]

    /// Creates an event.
    public init(
        kind: Kind, source: EventSource, eventId: String? = nil, correlationId: String? = nil,
        conversationId: GenesysID? = nil, recordingId: GenesysID? = nil, eventTimeMs: Int64? = nil,
        trigger: String, attributes: EventAttributes = EventAttributes(),
        personal: [String: Sensitive<String>] = [:]
    ) {
        self.kind = kind
        self.source = source
        self.eventId = eventId
        self.correlationId = correlationId
        self.conversationId = conversationId
        self.recordingId = recordingId
        self.eventTimeMs = eventTimeMs
        self.trigger = trigger
        self.attributes = attributes
        self.personal = personal
    }

    /// Kind, source, ids and the *names* of personal fields; never their values.
    public var description: String {
        "RecordingLifecycleEvent(kind: \(kind), source: \(source.rawValue), trigger: \(trigger), "
            + "conversationId: \(conversationId?.rawValue ?? "nil"), recordingId: \(recordingId?.rawValue ?? "nil"), "
            + "personal: \(personal.keys.sorted()))"
    }

    /// The same fields as ``description``, so `dump` shows no raw ids or personal values.
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "kind": kind, "source": source, "trigger": trigger,
                "conversationId": conversationId as Any, "recordingId": recordingId as Any,
                "eventTimeMs": eventTimeMs as Any, "attributes": attributes,
                "personalFields": personal.keys.sorted()
            ], displayStyle: .struct)
    }
}

/// Typed, non-personal attributes of a ``RecordingLifecycleEvent``.
///
/// Every id here is a UUID (a value that is not is dropped while decoding, never carried as text).
public struct EventAttributes: Sendable, Hashable {
    /// Channel (`channel` in the seed, `mediaType` in Genesys events).
    public var mediaType: MediaType?
    /// Direction.
    public var direction: CallDirection?
    /// Recording storage state (recording notifications).
    public var fileState: FileState?
    /// Recording start (seed).
    public var startTime: Date?
    /// Recording end (seed).
    public var endTime: Date?
    /// Participant ids and roles (seed).
    public var participants: [EventParticipant]?
    /// The participant a detail event is about.
    public var participantId: GenesysID?
    /// The agent.
    public var userId: GenesysID?
    /// The queue.
    public var queueId: GenesysID?
    /// The division.
    public var divisionId: GenesysID?
    /// How the participant disconnected.
    public var disconnectType: DisconnectType?
    /// The wrap-up code id.
    public var wrapupCode: GenesysID?

    /// Creates attributes (all absent).
    public init() {}
}
