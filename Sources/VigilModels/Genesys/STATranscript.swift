import Foundation

/// A Speech & Text Analytics transcript file (downloaded from the pre-signed URL that
/// `GET …/speechandtextanalytics/conversations/{cid}/communications/{commId}/transcripturl` returns).
///
/// The field names are known; the exact shapes of `duration`/`offset` and the value types are
/// **UNVERIFIED** (reference §7), so decoding is lenient there: a duration may be
/// `{"milliseconds": n}` or a bare number, times may be epoch-ms numbers or ISO-8601 strings, and an
/// unrecognised shape becomes `nil` instead of failing the document. What the analysis cannot do
/// without is strict: `transcripts`, each transcript's `phrases`, and each phrase's `text`.
///
/// Descriptions omit the spoken text (it is what the compliance check looks for: card numbers, SSNs).
public struct STATranscriptDocument: Codable, Sendable, Hashable, CustomStringConvertible {
    /// Organization id.
    public var organizationId: String?
    /// Conversation id.
    public var conversationId: String?
    /// Communication (session) id.
    public var communicationId: String?
    /// Media type (`call`, …).
    public var mediaType: String?
    /// Conversation start, epoch ms.
    public var conversationStartTime: Int64?
    /// Communication start, epoch ms.
    public var startTime: Int64?
    /// Duration.
    public var duration: STADuration?
    /// Participants.
    public var participants: [STAParticipant]?
    /// Transcripts (one per language/program).
    public var transcripts: [STATranscript]
    /// Source URI.
    public var uri: String?

    /// Creates a document.
    public init(conversationId: String? = nil, communicationId: String? = nil, transcripts: [STATranscript]) {
        self.conversationId = conversationId
        self.communicationId = communicationId
        self.transcripts = transcripts
    }

    enum CodingKeys: String, CodingKey {
        case organizationId, conversationId, communicationId, mediaType, conversationStartTime, startTime
        case duration, participants, transcripts, uri
    }

    /// Decodes leniently except for `transcripts`.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        organizationId = c.lenientString(.organizationId)
        conversationId = c.lenientString(.conversationId)
        communicationId = c.lenientString(.communicationId)
        mediaType = c.lenientString(.mediaType)
        conversationStartTime = c.lenientEpochMs(.conversationStartTime)
        startTime = c.lenientEpochMs(.startTime)
        duration = c.lenient(STADuration.self, .duration)
        participants = c.lenient([STAParticipant].self, .participants)
        transcripts = try c.decode([STATranscript].self, forKey: .transcripts)
        uri = c.lenientString(.uri)
    }

    /// All phrases of all transcripts, in order.
    public var allPhrases: [STAPhrase] { transcripts.flatMap(\.phrases) }

    /// Ids and counts only.
    public var description: String {
        "STATranscriptDocument(conversationId: \(conversationId ?? "nil"), communicationId: "
            + "\(communicationId ?? "nil"), transcripts: \(transcripts.count), phrases: \(allPhrases.count))"
    }
}

/// A duration or offset object (`{"milliseconds": n}`); a bare number is read as milliseconds.
public struct STADuration: Codable, Sendable, Hashable {
    /// Milliseconds.
    public var milliseconds: Int64

    /// Creates a duration.
    public init(milliseconds: Int64) { self.milliseconds = milliseconds }

    enum CodingKeys: String, CodingKey { case milliseconds }

    /// Accepts `{"milliseconds": n}` or `n`; `n` is rounded and must lie within ±2^53 (a larger
    /// number once trapped converting to `Int64`: a hostile transcript could stop the process).
    public init(from decoder: any Decoder) throws {
        let number: Double
        let path: [any CodingKey]
        if let c = try? decoder.container(keyedBy: CodingKeys.self) {
            number = try c.decode(Double.self, forKey: .milliseconds)
            path = decoder.codingPath + [CodingKeys.milliseconds]
        } else {
            number = try decoder.singleValueContainer().decode(Double.self)
            path = decoder.codingPath
        }
        guard abs(number) <= maxSafeJSONInteger else {
            throw DecodingError.vigil(.invalidValue, at: path, "must be within ±2^53 milliseconds")
        }
        milliseconds = Int64(number.rounded())
    }
}

/// A transcript participant. `ani`/`dnis` are ``Sensitive``.
public struct STAParticipant: Codable, Sendable, Hashable {
    /// Role.
    public var participantPurpose: ParticipantPurpose?
    /// Caller number (PII).
    public var ani: Sensitive<String>?
    /// Dialed number (PII).
    public var dnis: Sensitive<String>?
    /// User id (agents).
    public var userId: String?
    /// Queue id.
    public var queueId: String?
    /// Start, epoch ms.
    public var startTimeMs: Int64?
    /// End, epoch ms.
    public var endTimeMs: Int64?

    /// Creates a participant.
    public init(participantPurpose: ParticipantPurpose? = nil, userId: String? = nil) {
        self.participantPurpose = participantPurpose
        self.userId = userId
    }

    enum CodingKeys: String, CodingKey {
        case participantPurpose, ani, dnis, userId, queueId, startTimeMs, endTimeMs
    }

    /// Decodes leniently.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        participantPurpose = c.lenient(ParticipantPurpose.self, .participantPurpose)
        ani = c.lenient(Sensitive<String>.self, .ani)
        dnis = c.lenient(Sensitive<String>.self, .dnis)
        userId = c.lenientString(.userId)
        queueId = c.lenientString(.queueId)
        startTimeMs = c.lenientEpochMs(.startTimeMs)
        endTimeMs = c.lenientEpochMs(.endTimeMs)
    }
}

/// One transcript of a document.
public struct STATranscript: Codable, Sendable, Hashable {
    /// Transcript id.
    public var transcriptId: String?
    /// Language (BCP-47).
    public var language: String?
    /// Program id.
    public var programId: String?
    /// Engine id.
    public var engineId: String?
    /// Start, epoch ms.
    public var startTime: Int64?
    /// The phrases (required).
    public var phrases: [STAPhrase]
    /// Sentiment/topics/acoustic analytics, kept as JSON (shape UNVERIFIED).
    public var analytics: JSONValue?

    /// Creates a transcript.
    public init(transcriptId: String? = nil, language: String? = nil, phrases: [STAPhrase]) {
        self.transcriptId = transcriptId
        self.language = language
        self.phrases = phrases
    }

    enum CodingKeys: String, CodingKey {
        case transcriptId, language, programId, engineId, startTime, phrases, analytics
    }

    /// Decodes leniently except for `phrases`.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        transcriptId = c.lenientString(.transcriptId)
        language = c.lenientString(.language)
        programId = c.lenientString(.programId)
        engineId = c.lenientString(.engineId)
        startTime = c.lenientEpochMs(.startTime)
        phrases = try c.decode([STAPhrase].self, forKey: .phrases)
        analytics = c.lenient(JSONValue.self, .analytics)
    }
}

/// One recognised phrase.
public struct STAPhrase: Codable, Sendable, Hashable, CustomStringConvertible {
    /// Index within the transcript.
    public var phraseIndex: Int?
    /// Recognised text (required).
    public var text: String
    /// Decorated text (punctuation, formatting).
    public var decoratedText: String?
    /// Speaker role.
    public var participantPurpose: ParticipantPurpose?
    /// Stability.
    public var stability: Double?
    /// Recognition confidence.
    public var confidence: Double?
    /// Offset from the start of the communication.
    public var offset: STADuration?
    /// Start, epoch ms.
    public var startTimeMs: Int64?
    /// Duration.
    public var duration: STADuration?
    /// Words.
    public var words: [STAWord]?
    /// Alternatives (shape UNVERIFIED).
    public var alternatives: JSONValue?

    /// Creates a phrase.
    public init(
        text: String, participantPurpose: ParticipantPurpose? = nil, offset: STADuration? = nil,
        duration: STADuration? = nil, confidence: Double? = nil, words: [STAWord]? = nil
    ) {
        self.text = text
        self.participantPurpose = participantPurpose
        self.offset = offset
        self.duration = duration
        self.confidence = confidence
        self.words = words
    }

    enum CodingKeys: String, CodingKey {
        case phraseIndex, text, decoratedText, participantPurpose, stability, confidence, offset, startTimeMs
        case duration, words, alternatives
    }

    /// Decodes leniently except for `text`.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        phraseIndex = c.lenientEpochMs(.phraseIndex).map { Int($0) }
        text = try c.decode(String.self, forKey: .text)
        decoratedText = c.lenientString(.decoratedText)
        participantPurpose = c.lenient(ParticipantPurpose.self, .participantPurpose)
        stability = c.lenient(Double.self, .stability)
        confidence = c.lenient(Double.self, .confidence)
        offset = c.lenient(STADuration.self, .offset)
        startTimeMs = c.lenientEpochMs(.startTimeMs)
        duration = c.lenient(STADuration.self, .duration)
        words = c.lenient([STAWord].self, .words)
        alternatives = c.lenient(JSONValue.self, .alternatives)
    }

    /// Position and speaker; the text is omitted.
    public var description: String {
        "STAPhrase(index: \(phraseIndex.map(String.init) ?? "nil"), purpose: "
            + "\(participantPurpose?.rawValue ?? "nil"), offsetMs: \(offset.map { String($0.milliseconds) } ?? "nil"), "
            + "text: <\(text.count) characters>)"
    }
}

/// One recognised word.
public struct STAWord: Codable, Sendable, Hashable, CustomStringConvertible {
    /// The word.
    public var word: String
    /// Recognition confidence.
    public var confidence: Double?
    /// Start, epoch ms.
    public var startTimeMs: Int64?
    /// Duration.
    public var duration: STADuration?

    /// Creates a word.
    public init(word: String, confidence: Double? = nil, startTimeMs: Int64? = nil, duration: STADuration? = nil) {
        self.word = word
        self.confidence = confidence
        self.startTimeMs = startTimeMs
        self.duration = duration
    }

    enum CodingKeys: String, CodingKey { case word, confidence, startTimeMs, duration }

    /// Decodes leniently except for `word`.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        word = try c.decode(String.self, forKey: .word)
        confidence = c.lenient(Double.self, .confidence)
        startTimeMs = c.lenientEpochMs(.startTimeMs)
        duration = c.lenient(STADuration.self, .duration)
    }

    /// Timing only; the word is omitted.
    public var description: String {
        "STAWord(startTimeMs: \(startTimeMs.map(String.init) ?? "nil"), characters: \(word.count))"
    }
}

extension KeyedDecodingContainer {
    /// Decodes `type` at `key`, or `nil` if absent, `null` or of an unexpected shape (never throws).
    func lenient<T: Decodable>(_ type: T.Type, _ key: Key) -> T? {
        (try? decodeIfPresent(type, forKey: key)) ?? nil
    }

    /// A string, or `nil` (never throws).
    func lenientString(_ key: Key) -> String? { lenient(String.self, key) }

    /// An epoch-ms number, an ISO-8601 string converted to epoch ms, or `nil` (never throws).
    func lenientEpochMs(_ key: Key) -> Int64? {
        if let number = lenient(Double.self, key), number.isFinite, abs(number) <= maxSafeJSONInteger {
            return Int64(number.rounded())
        }
        if let string = lenient(String.self, key),
            let date = try? VigilJSON.parseDate(string, codingPath: [])
        {
            return Int64((date.timeIntervalSince1970 * 1000).rounded())
        }
        return nil
    }
}
