import Foundation

/// An Amazon EventBridge event from the Genesys Cloud partner event source.
///
/// `detailType` (`detail-type`) is the topic **pattern** (`v2.detail.events.conversation.{id}.customer.end`);
/// `detail.topicName` is the concrete topic. `source` is
/// `aws.partner/genesys.com/cloud/{orgId}/{suffix}`.
public struct EventBridgeEnvelope<Detail> {
    /// Envelope version (`"0"`).
    public var version: String
    /// EventBridge event id.
    public var id: String
    /// Topic pattern.
    public var detailType: String
    /// Partner event source.
    public var source: String
    /// AWS account id.
    public var account: String
    /// When EventBridge received the event.
    public var time: Date
    /// AWS region.
    public var region: String
    /// Resource ARNs (empty for Genesys).
    public var resources: [String]
    /// The Genesys notification.
    public var detail: Detail

    /// Creates an envelope.
    public init(
        version: String = "0", id: String, detailType: String, source: String, account: String,
        time: Date, region: String, resources: [String] = [], detail: Detail
    ) {
        self.version = version
        self.id = id
        self.detailType = detailType
        self.source = source
        self.account = account
        self.time = time
        self.region = region
        self.resources = resources
        self.detail = detail
    }

    enum CodingKeys: String, CodingKey {
        case version, id, detailType = "detail-type", source, account, time, region, resources, detail
    }
}

extension EventBridgeEnvelope: Decodable where Detail: Decodable {
    /// Decodes all envelope fields (all required; `resources` may be empty).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        version = try c.decode(String.self, forKey: .version)
        id = try c.decode(String.self, forKey: .id)
        detailType = try c.decode(String.self, forKey: .detailType)
        source = try c.decode(String.self, forKey: .source)
        account = try c.decode(String.self, forKey: .account)
        time = try c.decode(Date.self, forKey: .time)
        region = try c.decode(String.self, forKey: .region)
        resources = try c.decode([String].self, forKey: .resources)
        detail = try c.decode(Detail.self, forKey: .detail)
    }
}

extension EventBridgeEnvelope: Encodable where Detail: Encodable {
    /// Encodes all envelope fields.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(version, forKey: .version)
        try c.encode(id, forKey: .id)
        try c.encode(detailType, forKey: .detailType)
        try c.encode(source, forKey: .source)
        try c.encode(account, forKey: .account)
        try c.encode(time, forKey: .time)
        try c.encode(region, forKey: .region)
        try c.encode(resources, forKey: .resources)
        try c.encode(detail, forKey: .detail)
    }
}

extension EventBridgeEnvelope: Sendable where Detail: Sendable {}
extension EventBridgeEnvelope: Equatable where Detail: Equatable {}
extension EventBridgeEnvelope: Hashable where Detail: Hashable {}

/// A Genesys Cloud notification: the WebSocket message and the EventBridge `detail`.
///
/// `{"topicName", "version", "eventBody", "metadata": {"CorrelationId"}, "timestamp"?}`.
public struct NotificationMessage<Body> {
    /// Concrete topic, e.g. `v2.detail.events.conversation.<cid>.customer.end`.
    public var topicName: String
    /// Body schema version (`"2"`).
    public var version: String?
    /// The event body.
    public var eventBody: Body
    /// Genesys correlation metadata (absent on heartbeats).
    public var metadata: NotificationMetadata?
    /// When Genesys published it (EventBridge deliveries carry it).
    public var timestamp: Date?

    /// Creates a message.
    public init(
        topicName: String, version: String? = "2", eventBody: Body, metadata: NotificationMetadata? = nil,
        timestamp: Date? = nil
    ) {
        self.topicName = topicName
        self.version = version
        self.eventBody = eventBody
        self.metadata = metadata
        self.timestamp = timestamp
    }
}

extension NotificationMessage: Decodable where Body: Decodable {}
extension NotificationMessage: Encodable where Body: Encodable {}
extension NotificationMessage: Sendable where Body: Sendable {}
extension NotificationMessage: Equatable where Body: Equatable {}
extension NotificationMessage: Hashable where Body: Hashable {}

/// `metadata` of a ``NotificationMessage``.
public struct NotificationMetadata: Codable, Sendable, Hashable {
    /// Genesys' correlation id (JSON key `CorrelationId`).
    public var correlationId: String?

    /// Creates metadata.
    public init(correlationId: String?) { self.correlationId = correlationId }

    enum CodingKeys: String, CodingKey { case correlationId = "CorrelationId" }
}
