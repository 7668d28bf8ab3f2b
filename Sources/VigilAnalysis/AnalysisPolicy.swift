import Foundation
import VigilCore
import VigilModels

/// The rules the reference engine applies, loadable from JSON; every key is optional and defaults to
/// the values below.
///
/// ```json
/// { "requiredDisclosures": [ { "name": "recording-notice", "withinSeconds": 30,
///                              "phrases": ["this call may be recorded", "this call is being recorded"] } ],
///   "prohibitedPhrases": ["guaranteed approval"],
///   "disclosureMaxWordGap": 2,
///   "dtmfDigitGapSeconds": 2, "cvvWindowSeconds": 30, "routeToComplianceQueueAt": 0.9,
///   "promptWindowSeconds": 60, "promptWindowTurns": 6, "spokenDigitGapSeconds": 10,
///   "nonPaymentNumberCues": ["order number", "tracking number"] }
/// ```
///
/// Unknown keys are rejected (a misspelt key would otherwise silently fall back to its default), and
/// every error names the offending key: see ``AnalysisError``.
public struct AnalysisPolicy: Codable, Sendable, Hashable {
    /// A disclosure that must be read early in the call.
    public struct DisclosureRule: Codable, Sendable, Hashable {
        /// A short name used in evidence text, e.g. `recording-notice`.
        public var name: String
        /// Accepted wordings; any one of them satisfies the rule. Matching ignores case and punctuation.
        public var phrases: [String]
        /// The disclosure must start within this many seconds of the start of the call.
        public var withinSeconds: Double
        /// Who must say it (a participant purpose such as `internal` or `agent`), or `nil` for anyone.
        public var participant: String?

        /// Creates a rule.
        public init(name: String, phrases: [String], withinSeconds: Double, participant: String? = nil) {
            self.name = name
            self.phrases = phrases
            self.withinSeconds = withinSeconds
            self.participant = participant
        }

        enum CodingKeys: String, CodingKey { case name, phrases, withinSeconds, participant }

        /// Decodes a rule; `phrases` must hold at least one non-blank wording and `withinSeconds` be ≥ 0.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c.decode(String.self, forKey: .name)
            phrases = try c.decode([String].self, forKey: .phrases)
            withinSeconds = try c.decode(Double.self, forKey: .withinSeconds)
            participant = try c.decodeIfPresent(String.self, forKey: .participant)
            guard phrases.contains(where: { $0.contains { $0.isLetter || $0.isNumber } }) else {
                throw DecodingError.dataCorruptedError(forKey: .phrases, in: c, debugDescription: "needs at least one wording")
            }
            // Bounded: a window of 1e300 s once overflowed the millisecond conversion and trapped.
            guard withinSeconds >= 0, withinSeconds <= 86_400 else {
                throw DecodingError.dataCorruptedError(forKey: .withinSeconds, in: c, debugDescription: "must be between 0 and 86400")
            }
        }
    }

    /// Disclosures that must be read (default: a recording notice within 30 s).
    public var requiredDisclosures: [DisclosureRule]
    /// Phrases nobody may say (default: a few mis-selling phrases). Matching ignores case and punctuation.
    public var prohibitedPhrases: [String]
    /// How many extra words may stand between two consecutive words of a disclosure's wording
    /// ("this call may *also* be recorded"), 0–10 (default 2).
    public var disclosureMaxWordGap: Int
    /// Longest silence between two DTMF digits of one run (default 2 s).
    public var dtmfDigitGapSeconds: Double
    /// How soon after a card number a 3–4 digit run counts as its security code (default 30 s).
    public var cvvWindowSeconds: Double
    /// Confidence from which a violation is routed to the compliance queue rather than to human
    /// review (default 0.9).
    public var routeToComplianceQueueAt: Double
    /// How long a question ("what's the card number?", "and your social?") primes the detectors for
    /// the answers that follow, in seconds of call time (default 60, at most 600).
    public var promptWindowSeconds: Double
    /// How many turns (changes of speaker) a question primes the detectors for (default 6, 1–50): the
    /// answer may come after back-channels ("okay", "go on", "and the next four").
    public var promptWindowTurns: Int
    /// Longest pause between two groups of digits of one spoken number, in seconds (default 10,
    /// (0, 60]); measured between word or phrase times, so it only applies when the transcript has them.
    public var spokenDigitGapSeconds: Double
    /// Questions that ask for a number that is not a payment card ("order number", "tracking
    /// number", …). A Luhn-valid number read in answer to one of them, with no card mentioned in
    /// between, is not reported as a card (nor as an SSN or security code). An empty list turns this off,
    /// so that every valid card number is reported whatever it was asked as. Matched as whole words,
    /// ignoring case and punctuation.
    public var nonPaymentNumberCues: [String]

    /// The default ``nonPaymentNumberCues``.
    public static let defaultNonPaymentNumberCues = [
        "order number", "order id", "order no", "tracking number", "tracking code", "reference number",
        "reference code", "confirmation number", "confirmation code", "account number", "account id",
        "policy number", "member number", "membership number", "member id", "case number", "ticket number",
        "claim number", "invoice number", "serial number", "booking number", "booking reference",
        "customer number", "customer id", "routing number", "phone number", "telephone number",
        "mobile number", "zip code", "zip", "postcode", "postal code", "extension", "promo code",
        "discount code", "voucher code", "gift card number", "loyalty number", "area code", "country code",
        "dialing code", "dialling code", "sort code", "post code"
    ]

    /// The default recording notice.
    public static let defaultDisclosures = [
        DisclosureRule(
            name: "recording-notice",
            phrases: [
                "this call may be recorded", "this call is being recorded", "this call will be recorded",
                "this call may be monitored or recorded", "calls are recorded", "call is recorded"
            ], withinSeconds: 30)
    ]

    /// The default prohibited phrases.
    public static let defaultProhibitedPhrases = [
        "guaranteed approval", "there is no risk", "you have no choice", "this offer is only valid today"
    ]

    /// The defaults.
    public init(
        requiredDisclosures: [DisclosureRule] = AnalysisPolicy.defaultDisclosures,
        prohibitedPhrases: [String] = AnalysisPolicy.defaultProhibitedPhrases,
        disclosureMaxWordGap: Int = 2, dtmfDigitGapSeconds: Double = 2, cvvWindowSeconds: Double = 30,
        routeToComplianceQueueAt: Double = 0.9, promptWindowSeconds: Double = 60, promptWindowTurns: Int = 6,
        spokenDigitGapSeconds: Double = 10,
        nonPaymentNumberCues: [String] = AnalysisPolicy.defaultNonPaymentNumberCues
    ) {
        self.requiredDisclosures = requiredDisclosures
        self.prohibitedPhrases = prohibitedPhrases
        self.disclosureMaxWordGap = disclosureMaxWordGap
        self.dtmfDigitGapSeconds = dtmfDigitGapSeconds
        self.cvvWindowSeconds = cvvWindowSeconds
        self.routeToComplianceQueueAt = routeToComplianceQueueAt
        self.promptWindowSeconds = promptWindowSeconds
        self.promptWindowTurns = promptWindowTurns
        self.spokenDigitGapSeconds = spokenDigitGapSeconds
        self.nonPaymentNumberCues = nonPaymentNumberCues
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case requiredDisclosures, prohibitedPhrases, disclosureMaxWordGap, dtmfDigitGapSeconds, cvvWindowSeconds, routeToComplianceQueueAt
        case promptWindowSeconds, promptWindowTurns, spokenDigitGapSeconds, nonPaymentNumberCues
    }

    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Decodes, filling absent keys with defaults; rejects unknown keys and out-of-range values.
    public init(from decoder: any Decoder) throws {
        let all = try decoder.container(keyedBy: AnyKey.self)
        let known = Set(CodingKeys.allCases.map(\.stringValue))
        if let unknown = all.allKeys.first(where: { !known.contains($0.stringValue) }) {
            throw DecodingError.dataCorruptedError(forKey: unknown, in: all, debugDescription: "unknown key")
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = AnalysisPolicy()
        requiredDisclosures =
            try c.decodeIfPresent([DisclosureRule].self, forKey: .requiredDisclosures)
            ?? defaults.requiredDisclosures
        prohibitedPhrases = try c.decodeIfPresent([String].self, forKey: .prohibitedPhrases) ?? defaults.prohibitedPhrases
        // Read as a number first: a fraction must still name the key (JSONDecoder's own Int error
        // loses the coding path on some platforms).
        let gap =
            try c.decodeIfPresent(Double.self, forKey: .disclosureMaxWordGap)
            ?? Double(defaults.disclosureMaxWordGap)
        guard gap == gap.rounded(), (0...10).contains(gap) else {
            throw DecodingError.dataCorruptedError(
                forKey: .disclosureMaxWordGap, in: c,
                debugDescription: "must be a whole number in [0, 10]")
        }
        disclosureMaxWordGap = Int(gap)
        dtmfDigitGapSeconds = try c.decodeIfPresent(Double.self, forKey: .dtmfDigitGapSeconds) ?? defaults.dtmfDigitGapSeconds
        cvvWindowSeconds = try c.decodeIfPresent(Double.self, forKey: .cvvWindowSeconds) ?? defaults.cvvWindowSeconds
        routeToComplianceQueueAt =
            try c.decodeIfPresent(Double.self, forKey: .routeToComplianceQueueAt)
            ?? defaults.routeToComplianceQueueAt
        guard dtmfDigitGapSeconds > 0, dtmfDigitGapSeconds <= 60 else {
            throw DecodingError.dataCorruptedError(forKey: .dtmfDigitGapSeconds, in: c, debugDescription: "must be in (0, 60]")
        }
        guard cvvWindowSeconds >= 0, cvvWindowSeconds <= 3600 else {
            throw DecodingError.dataCorruptedError(forKey: .cvvWindowSeconds, in: c, debugDescription: "must be in [0, 3600]")
        }
        guard (0...1).contains(routeToComplianceQueueAt) else {
            throw DecodingError.dataCorruptedError(
                forKey: .routeToComplianceQueueAt, in: c,
                debugDescription: "must be in [0, 1]")
        }
        promptWindowSeconds =
            try c.decodeIfPresent(Double.self, forKey: .promptWindowSeconds)
            ?? defaults.promptWindowSeconds
        guard promptWindowSeconds >= 0, promptWindowSeconds <= 600 else {
            throw DecodingError.dataCorruptedError(forKey: .promptWindowSeconds, in: c, debugDescription: "must be in [0, 600]")
        }
        let turns = try c.decodeIfPresent(Double.self, forKey: .promptWindowTurns) ?? Double(defaults.promptWindowTurns)
        guard turns == turns.rounded(), (1...50).contains(turns) else {
            throw DecodingError.dataCorruptedError(
                forKey: .promptWindowTurns, in: c,
                debugDescription: "must be a whole number in [1, 50]")
        }
        promptWindowTurns = Int(turns)
        spokenDigitGapSeconds =
            try c.decodeIfPresent(Double.self, forKey: .spokenDigitGapSeconds)
            ?? defaults.spokenDigitGapSeconds
        guard spokenDigitGapSeconds > 0, spokenDigitGapSeconds <= 60 else {
            throw DecodingError.dataCorruptedError(forKey: .spokenDigitGapSeconds, in: c, debugDescription: "must be in (0, 60]")
        }
        nonPaymentNumberCues =
            try c.decodeIfPresent([String].self, forKey: .nonPaymentNumberCues)
            ?? defaults.nonPaymentNumberCues
        guard nonPaymentNumberCues.allSatisfy({ $0.contains { $0.isLetter } }) else {
            throw DecodingError.dataCorruptedError(
                forKey: .nonPaymentNumberCues, in: c,
                debugDescription: "every cue needs at least one word")
        }
    }

    /// Parses a policy document.
    ///
    /// The document is read by `StrictJSON` first (I-JSON: a key named twice, a byte order mark or
    /// trailing content is refused, naming where).
    ///
    /// - Throws: ``AnalysisError`` with code ``AnalysisError/Code/invalidPolicy`` naming the key path
    ///   (e.g. `requiredDisclosures[0].withinSeconds`) and what is wrong.
    public static func decode(from json: some Collection<UInt8>) throws(AnalysisError) -> AnalysisPolicy {
        do {
            try StrictJSON.validate(json)
        } catch {
            throw AnalysisError.invalidPolicy(key: error.path, reason: error.reason)
        }
        do {
            return try JSONDecoder().decode(AnalysisPolicy.self, from: Data(json))
        } catch let error as DecodingError {
            let (path, reason) = Self.describe(error)
            throw AnalysisError.invalidPolicy(key: path, reason: reason)
        } catch {
            throw AnalysisError.invalidPolicy(key: "", reason: "not JSON")
        }
    }

    /// The DTMF analyser configuration these rules imply.
    public func dtmfConfiguration(channelLabels: [String] = ["external", "internal"]) -> DTMFFindingAnalyzer.Configuration {
        DTMFFindingAnalyzer.Configuration(
            maxDigitGapMs: Int((dtmfDigitGapSeconds * 1000).rounded()),
            cvvWindowMs: Int((cvvWindowSeconds * 1000).rounded()),
            channelLabels: channelLabels)
    }

    private static func describe(_ error: DecodingError) -> (String, String) {
        // VigilModels' rendering: a key that could carry digits of a card (an unknown key is the
        // input's) is shown as `<name>`.
        func path(_ keys: [any CodingKey]) -> String { renderPath(keys) }
        switch error {
        case let .typeMismatch(type, context):
            return (path(context.codingPath), "expected \(type)")
        case let .valueNotFound(type, context):
            return (path(context.codingPath), "expected \(type), found null")
        case let .keyNotFound(key, context):
            return (path(context.codingPath + [key]), "required key missing")
        case let .dataCorrupted(context):
            let reason = context.codingPath.isEmpty ? "not valid JSON" : context.debugDescription
            return (path(context.codingPath), reason)
        @unknown default:
            return ("", "invalid")
        }
    }
}

/// An error from the analysis layer: a bad policy, unusable input, or a media download that failed.
///
/// Descriptions carry the key, status or format at fault, never audio or transcript content.
public struct AnalysisError: VigilError, Hashable {
    /// The kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The stable code string.
        public let rawValue: String
        private init(_ rawValue: String) { self.rawValue = rawValue }

        /// The policy JSON is malformed or has a bad value.
        public static let invalidPolicy = Code("analysis.invalidPolicy")
        /// The input is neither a WAV file nor a transcript JSON, or cannot be read.
        public static let invalidInput = Code("analysis.invalidInput")
        /// The media is in a format the reference engine does not decode (WEBM, OGG, MP3).
        public static let unsupportedMedia = Code("analysis.unsupportedMedia")
        /// The media download failed (non-2xx status or no body).
        public static let mediaFetchFailed = Code("analysis.mediaFetchFailed")
        /// The audio could not be decoded (see ``AudioDecodingError``).
        public static let audioDecoding = Code("analysis.audioDecoding")

        /// ``rawValue``.
        public var description: String { rawValue }
    }

    /// What went wrong.
    public let code: Code
    /// For ``Code/invalidPolicy``: the key path at fault (`""` for the document itself).
    public let key: String?
    /// For ``Code/mediaFetchFailed``: the HTTP status, when there was a response.
    public let status: Int?
    /// A short, content-free explanation.
    public let detail: String

    private init(code: Code, key: String? = nil, status: Int? = nil, detail: String) {
        self.code = code
        self.key = key
        self.status = status
        self.detail = detail
    }

    /// A bad policy value at `key`.
    public static func invalidPolicy(key: String, reason: String) -> AnalysisError {
        AnalysisError(code: .invalidPolicy, key: key, detail: "policy key '\(key)': \(reason)")
    }

    /// Unusable input.
    public static func invalidInput(_ detail: String) -> AnalysisError {
        AnalysisError(code: .invalidInput, detail: detail)
    }

    /// A media format that cannot be analysed.
    public static func unsupportedMedia(_ format: String) -> AnalysisError {
        AnalysisError(
            code: .unsupportedMedia,
            detail: "media format \(format) is not supported; request formatId=WAV or WAV_ULAW")
    }

    /// A failed download.
    public static func mediaFetchFailed(status: Int?, detail: String) -> AnalysisError {
        AnalysisError(code: .mediaFetchFailed, status: status, detail: detail)
    }

    /// Undecodable audio.
    public static func audio(_ error: AudioDecodingError) -> AnalysisError {
        if error.code == .unsupportedContainer {
            return AnalysisError(code: .unsupportedMedia, detail: error.description)
        }
        return AnalysisError(code: .audioDecoding, detail: error.description)
    }

    /// The stable code string.
    public var errorCode: String { code.rawValue }

    /// Only a download that failed with a timeout-like or server status (408, 429, 5xx) may succeed later.
    public var isRetryable: Bool {
        guard code == .mediaFetchFailed, let status else { return false }
        return status == 408 || status == 429 || status >= 500
    }

    /// `analysis.invalidPolicy: policy key 'cvvWindowSeconds': expected Double`.
    public var description: String { "\(code): \(detail)" }
}
