/// The parts of `GET /api/v2/conversations/{conversationId}` Vigil reads: who took part, in which role,
/// over which media. Unknown fields are ignored (the real document has many more).
public struct Conversation: Codable, Sendable, Hashable {
    /// The conversation id.
    public var id: String
    /// The conversation's external tag, when set.
    public var externalTag: String?
    /// Everyone who took part, in the order the platform lists them.
    public var participants: [Participant]

    /// One participant.
    public struct Participant: Codable, Sendable, Hashable {
        /// The participant id (the `{participantId}` of the attributes endpoints).
        public var id: String
        /// The role: `customer`, `agent`, `acd`, `ivr`, `external`, `workflow`, … (as the platform names it).
        public var purpose: String?
        /// Voice communications.
        public var calls: [Communication]?
        /// Callback communications.
        public var callbacks: [Communication]?
        /// Chat communications.
        public var chats: [Communication]?
        /// Email communications.
        public var emails: [Communication]?
        /// Message communications.
        public var messages: [Communication]?

        /// Creates a participant.
        public init(
            id: String, purpose: String?, calls: [Communication]? = nil, callbacks: [Communication]? = nil,
            chats: [Communication]? = nil, emails: [Communication]? = nil, messages: [Communication]? = nil
        ) {
            self.id = id
            self.purpose = purpose
            self.calls = calls
            self.callbacks = callbacks
            self.chats = chats
            self.emails = emails
            self.messages = messages
        }

        /// The media segment of this participant's attributes endpoint
        /// (`/api/v2/conversations/{media}/{cid}/participants/{pid}/attributes`): the first media type it
        /// has communications on — `calls`, `callbacks`, `chats`, `emails`, `messages` — or `nil`.
        public var mediaSegment: String? {
            for (segment, communications) in [
                ("calls", calls), ("callbacks", callbacks), ("chats", chats),
                ("emails", emails), ("messages", messages)
            ]
            where !(communications ?? []).isEmpty {
                return segment
            }
            return nil
        }
    }

    /// One communication of a participant (only its id is read).
    public struct Communication: Codable, Sendable, Hashable {
        /// The communication id.
        public var id: String?

        /// Creates a communication.
        public init(id: String?) { self.id = id }
    }

    /// Creates a conversation.
    public init(id: String, externalTag: String? = nil, participants: [Participant]) {
        self.id = id
        self.externalTag = externalTag
        self.participants = participants
    }
}
