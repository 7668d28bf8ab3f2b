import Foundation

/// The seed's declarative event subscription (`POST /api/v2/eventsub/eventsubscriptions` in the seed;
/// Genesys Cloud has no such endpoint, so Vigil renders it to the real trigger / EventBridge configs).
///
/// Decoding round-trips the seed's JSON. The `oauth2` client secret is held as ``Sensitive`` and header
/// values are hidden: `description`, `debugDescription`, string interpolation and `dump` never show them.
///
/// The seed's `description` field is exposed as ``summary`` because `description` is the redacted
/// `CustomStringConvertible` rendering.
public struct EventSubscription: Codable, Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// Subscription name, 1–256 characters.
    public var name: String
    /// The seed's free-text `description` (≤ 512 characters).
    public var summary: String?
    /// The lifecycle event subscribed to.
    public var event: RecordingEventName
    /// Which event fields to deliver (data minimisation: request only what the engine needs).
    public var eventData: EventDataSelection
    /// Where deliveries go.
    public var destination: Destination
    /// How failed deliveries are retried; `nil` = the platform default.
    public var retryPolicy: DeliveryRetryPolicy?

    /// Creates a subscription.
    public init(
        name: String, summary: String? = nil, event: RecordingEventName, eventData: EventDataSelection,
        destination: Destination, retryPolicy: DeliveryRetryPolicy? = nil
    ) {
        self.name = name
        self.summary = summary
        self.event = event
        self.eventData = eventData
        self.destination = destination
        self.retryPolicy = retryPolicy
    }

    enum CodingKeys: String, CodingKey {
        case name, summary = "description", event, eventData, destination, retryPolicy
    }

    /// Decodes and validates (name 1–256, description ≤ 512).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decodeString(.name, length: 1...256)
        summary = try c.decodeStringIfPresent(.summary, length: 0...512)
        event = try c.decode(RecordingEventName.self, forKey: .event)
        eventData = try c.decode(EventDataSelection.self, forKey: .eventData)
        destination = try c.decode(Destination.self, forKey: .destination)
        retryPolicy = try c.decodeIfPresent(DeliveryRetryPolicy.self, forKey: .retryPolicy)
    }

    /// A redacted one-line rendering (no secret, no header values).
    public var description: String {
        "EventSubscription(name: \(name), event: \(event), include: \(eventData.include.map(\.rawValue)), "
            + "destination: \(destination))"
    }
    /// Same as ``description``.
    public var debugDescription: String { description }
    /// Children for `dump`: only non-secret parts (the destination mirrors itself redacted).
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "name": name, "event": event, "eventData": eventData,
                "destination": destination, "retryPolicy": retryPolicy as Any
            ],
            displayStyle: .struct)
    }
}

/// The seed's `eventData` block.
public struct EventDataSelection: Codable, Sendable, Hashable {
    /// The fields to include in each delivery.
    public var include: [EventDataField]

    /// Creates a selection.
    public init(include: [EventDataField]) { self.include = include }
}

/// A field name in ``EventDataSelection/include``.
///
/// **Open**: a field Vigil does not model is simply never populated; refusing the whole subscription
/// for it would be needlessly brittle.
public enum EventDataField: OpenStringEnum {
    /// `recordingId`.
    case recordingId
    /// `conversationId` (Vigil addition: the real recording API is addressed by conversation).
    case conversationId
    /// `mediaUri`.
    case mediaUri
    /// `participants` (participant ids and purposes only).
    case participants
    /// `startTime`.
    case startTime
    /// `endTime`.
    case endTime
    /// `direction`.
    case direction
    /// `channel`.
    case channel
    /// `tags`.
    case tags
    /// Any other field name, kept verbatim.
    case other(String)

    /// Maps a wire string to a case.
    public init(rawValue: String) {
        switch rawValue {
        case "recordingId": self = .recordingId
        case "conversationId": self = .conversationId
        case "mediaUri": self = .mediaUri
        case "participants": self = .participants
        case "startTime": self = .startTime
        case "endTime": self = .endTime
        case "direction": self = .direction
        case "channel": self = .channel
        case "tags": self = .tags
        default: self = .other(rawValue)
        }
    }

    /// The wire string.
    public var rawValue: String {
        switch self {
        case .recordingId: "recordingId"
        case .conversationId: "conversationId"
        case .mediaUri: "mediaUri"
        case .participants: "participants"
        case .startTime: "startTime"
        case .endTime: "endTime"
        case .direction: "direction"
        case .channel: "channel"
        case .tags: "tags"
        case let .other(value): value
        }
    }
}

/// Where a subscription delivers events.
public struct Destination: Codable, Sendable, Hashable, CustomStringConvertible, CustomReflectable {
    /// The delivery mechanism.
    public var type: DestinationType
    /// The endpoint: `https`, or `http` only for loopback hosts (local development).
    public var url: URL
    /// Extra request headers. Values are never printed (they may carry credentials).
    public var headers: [String: String]?
    /// How the platform authenticates to the endpoint.
    public var authentication: DestinationAuthentication?

    /// Creates a destination.
    public init(
        type: DestinationType = .webhook, url: URL, headers: [String: String]? = nil,
        authentication: DestinationAuthentication? = nil
    ) {
        self.type = type
        self.url = url
        self.headers = headers
        self.authentication = authentication
    }

    enum CodingKeys: String, CodingKey { case type, url, headers, authentication }

    /// Decodes and validates the URL (absolute; `https`, or `http` to a loopback host).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        type = try c.decode(DestinationType.self, forKey: .type)
        let string = try c.decode(String.self, forKey: .url)
        guard let url = URL(string: string), Self.isAcceptable(url) else {
            throw c.failure(.invalidValue, .url, "must be an absolute https URL (http only for loopback)")
        }
        self.url = url
        headers = try c.decodeIfPresent([String: String].self, forKey: .headers)
        authentication = try c.decodeIfPresent(DestinationAuthentication.self, forKey: .authentication)
    }

    static func isAcceptable(_ url: URL) -> Bool {
        guard let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty else { return false }
        if scheme == "https" { return true }
        return scheme == "http" && ["localhost", "127.0.0.1", "::1", "[::1]"].contains(host.lowercased())
    }

    /// Type, URL without its query, header *names* and the redacted authentication.
    public var description: String {
        let names = headers.map { $0.keys.sorted().joined(separator: ", ") } ?? ""
        return "Destination(type: \(type), url: \(Self.redactedURL(url)), headers: [\(names)], "
            + "authentication: \(authentication.map { "\($0)" } ?? "none"))"
    }
    /// The URL without query or fragment (webhook URLs sometimes carry keys there, e.g. `?code=`).
    static func redactedURL(_ url: URL) -> String {
        guard var components = URLComponents(url: url, resolvingAgainstBaseURL: false) else { return "<redacted>" }
        let hadQuery = components.query != nil || components.fragment != nil
        components.query = nil
        components.fragment = nil
        components.user = nil
        components.password = nil
        return (components.string ?? "<redacted>") + (hadQuery ? "?<redacted>" : "")
    }

    /// Children for `dump` without header values or URL query.
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "type": type, "url": Self.redactedURL(url),
                "headerNames": headers.map { $0.keys.sorted() } ?? [],
                "authentication": authentication as Any
            ], displayStyle: .struct)
    }
}

/// The delivery mechanism of a ``Destination``.
///
/// **Closed**: this configures what Vigil must do; a mechanism it cannot perform must fail loudly at
/// load time, not silently deliver nothing.
public enum DestinationType: String, ClosedStringEnum {
    /// An HTTPS POST to ``Destination/url``.
    case webhook
}

/// The seed's `destination.authentication` block.
public struct DestinationAuthentication: Codable, Sendable, Hashable, CustomStringConvertible, CustomReflectable {
    /// The scheme.
    public var type: AuthenticationType
    /// OAuth client id (required for `oauth2`).
    public var clientId: String?
    /// OAuth client secret (required for `oauth2`); in the seed a *reference* to an encrypted secret.
    /// Never printed.
    public var clientSecret: Sensitive<String>?

    /// Creates an authentication block.
    public init(type: AuthenticationType, clientId: String? = nil, clientSecret: Sensitive<String>? = nil) {
        self.type = type
        self.clientId = clientId
        self.clientSecret = clientSecret
    }

    enum CodingKeys: String, CodingKey { case type, clientId, clientSecret }

    /// Decodes and validates: `oauth2` requires `clientId` and `clientSecret`.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        type = try c.decode(AuthenticationType.self, forKey: .type)
        clientId = try c.decodeStringIfPresent(.clientId, length: 1...256)
        clientSecret = try c.decodeIfPresent(Sensitive<String>.self, forKey: .clientSecret)
        if type == .oauth2 {
            if clientId == nil { throw c.failure(.missingField, .clientId, "required for oauth2") }
            if clientSecret == nil { throw c.failure(.missingField, .clientSecret, "required for oauth2") }
        }
    }

    /// Type and client id; the secret is shown as `<redacted>`.
    public var description: String {
        "Authentication(type: \(type), clientId: \(clientId ?? "nil"), clientSecret: "
            + (clientSecret == nil ? "nil" : "<redacted>") + ")"
    }
    /// Children for `dump`; the secret is a redacted ``Sensitive``.
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "type": type, "clientId": clientId as Any,
                "clientSecret": clientSecret as Any
            ], displayStyle: .struct)
    }
}

/// How the platform authenticates to a webhook destination.
///
/// **Closed**: an authentication scheme Vigil does not implement must fail configuration loading.
public enum AuthenticationType: String, ClosedStringEnum {
    /// OAuth 2.0 client credentials.
    case oauth2
    /// Requests signed with HMAC-SHA256 (the seed's recommendation for verifying webhooks).
    case hmacSha256 = "hmac-sha256"
    /// No authentication (development only).
    case none
}

/// The seed's `retryPolicy` block. (Named so it does not collide with VigilCore's `RetryPolicy`.)
public struct DeliveryRetryPolicy: Codable, Sendable, Hashable {
    /// Retries after the first attempt, 0–100.
    public var maxRetries: Int
    /// How the delay grows.
    public var backoffStrategy: BackoffStrategy
    /// First delay in milliseconds, 0–3,600,000.
    public var initialDelayMs: Int64

    /// Creates a policy.
    public init(maxRetries: Int, backoffStrategy: BackoffStrategy, initialDelayMs: Int64) {
        self.maxRetries = maxRetries
        self.backoffStrategy = backoffStrategy
        self.initialDelayMs = initialDelayMs
    }

    enum CodingKeys: String, CodingKey { case maxRetries, backoffStrategy, initialDelayMs }

    /// Decodes and validates the ranges.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        maxRetries = Int(try c.decodeInteger(.maxRetries, in: 0...100))
        backoffStrategy = try c.decode(BackoffStrategy.self, forKey: .backoffStrategy)
        initialDelayMs = try c.decodeInteger(.initialDelayMs, in: 0...3_600_000)
    }
}

/// The growth of retry delays.
///
/// **Closed**: configures behaviour; an unknown strategy must fail at load time.
public enum BackoffStrategy: String, ClosedStringEnum {
    /// Delay doubles each attempt.
    case exponential
    /// Delay grows by the initial delay each attempt.
    case linear
    /// Constant delay.
    case fixed
}
