import Foundation
import Testing
import VigilTesting

@testable import VigilModels

/// `VigilJSON.decode` (the single-pass strict reader and its tape decoder) against the reference,
/// `VigilJSON.decodeWithFoundation` (the same strict read, then Foundation's `JSONDecoder`): on every
/// fixture and on thousands of generated variants of each — keys reordered, unknown members added,
/// characters escaped, surrogate pairs, numbers spelled differently or at the edges, values of the
/// wrong type, truncations — both give the same value, or the same error code at the same path.
@Suite("Decoder differential: the tape decoder reads what JSONDecoder reads")
struct DecoderDifferentialTests {
    /// A document type and a way to compare its two readings.
    struct Subject: @unchecked Sendable, CustomStringConvertible {
        let fixture: String
        let compare: ([UInt8]) -> Comparison
        let description: String

        init<T: Decodable & Equatable>(_ fixture: String, _ type: T.Type) {
            self.fixture = fixture
            description = "\(fixture) as \(T.self)"
            compare = { bytes in
                let strict = Result { () throws(ModelDecodingError) in try VigilJSON.decode(type, from: bytes) }
                let reference = Result { () throws(ModelDecodingError) in try VigilJSON.decodeWithFoundation(type, from: Data(bytes)) }
                switch (strict, reference) {
                case let (.success(a), .success(b)): return a == b ? .sameValue : .differ("values differ")
                case let (.failure(a), .failure(b)):
                    if a.code == b.code && a.path == b.path { return .sameError }
                    // The one deliberate difference: Foundation cannot locate a number that does not fit
                    // its field; the tape decoder names the field.
                    if b.code == .malformedJSON && b.path.isEmpty && a.code == .wrongType && !a.path.isEmpty {
                        return .locatedNumberMismatch
                    }
                    return .differ("errors differ: \(a) vs \(b)")
                case let (.success, .failure(b)): return .differ("only Foundation refused: \(b)")
                case let (.failure(a), .success): return .differ("only the tape decoder refused: \(a)")
                }
            }
        }
    }

    enum Comparison: Equatable {
        case sameValue, sameError, locatedNumberMismatch
        case differ(String)
    }

    static let subjects: [Subject] = [
        Subject("recording_200", Recording.self),
        Subject("batch_status", BatchDownloadJobStatusResult.self),
        Subject("eventbridge_customer_end", EventBridgeEnvelope<NotificationMessage<CustomerEndEvent>>.self),
        Subject("recording_notification", NotificationMessage<RecordingEventRecording>.self),
        Subject("workitem_create", WorkitemCreate.self),
        Subject("error_429", ErrorBody.self),
        Subject("oauth_token", OAuthTokenResponse.self),
        Subject("sta_transcript", STATranscriptDocument.self),
        Subject("seed_subscription", EventSubscription.self),
        Subject("seed_verdict", ComplianceVerdict.self),
        Subject("seed_webhook", RecordingWebhookEvent.self),
        // Containers handed out to the caller (nested keyed and unkeyed, super decoders) keep their
        // full coding path, as the values decoded through a member do.
        Subject("seed_webhook", NestedReading.self)
    ]

    /// Reads the seed webhook through every container the `Decoder` protocol can hand out.
    struct NestedReading: Decodable, Equatable {
        var event: RecordingEventName
        var recordingId: GenesysID
        var participants: [EventParticipant]
        var firstPurpose: ParticipantPurpose?
        var timestamp: Date

        private enum Key: String, CodingKey { case event, data, timestamp }
        private enum DataKey: String, CodingKey { case recordingId, participants }
        private enum ParticipantKey: String, CodingKey { case purpose }

        init(from decoder: any Decoder) throws {
            let root = try decoder.container(keyedBy: Key.self)
            event = try RecordingEventName(from: root.superDecoder(forKey: .event))
            let data = try root.nestedContainer(keyedBy: DataKey.self, forKey: .data)
            recordingId = try data.decode(GenesysID.self, forKey: .recordingId)
            var list = try data.nestedUnkeyedContainer(forKey: .participants)
            var participants: [EventParticipant] = []
            var firstPurpose: ParticipantPurpose?
            while !list.isAtEnd {
                if participants.isEmpty {
                    var copy = list
                    let first = try copy.nestedContainer(keyedBy: ParticipantKey.self)
                    firstPurpose = try first.decodeIfPresent(ParticipantPurpose.self, forKey: .purpose)
                }
                participants.append(try EventParticipant(from: list.superDecoder()))
            }
            self.participants = participants
            self.firstPurpose = firstPurpose
            timestamp = try root.decode(Date.self, forKey: .timestamp)
        }
    }

    @Test(arguments: subjects)
    func fixturesAndTheirVariantsDecodeAlike(subject: Subject) throws {
        let original = try [UInt8](fixture(subject.fixture))
        #expect(subject.compare(original) == .sameValue, "the fixture itself")
        let root = try StrictJSON.parse(original)
        var random = SplitMix(seed: UInt64(subject.fixture.utf8.reduce(5381) { $0 &* 33 &+ Int($1) }.magnitude))
        var tally: [String: Int] = [:]
        for round in 0..<600 {
            let (bytes, mode) = Writer.variant(of: root, round: round, random: &random)
            let outcome = subject.compare(bytes)
            if case let .differ(why) = outcome {
                Issue.record("\(subject.fixture) round \(round) (\(mode)): \(why)\n\(String(decoding: bytes, as: UTF8.self))")
                return
            }
            tally["\(outcome)", default: 0] += 1
        }
        // Both kinds of outcome were exercised.
        #expect(tally["sameValue", default: 0] > 100, "\(tally)")
        #expect(tally["sameError", default: 0] + tally["locatedNumberMismatch", default: 0] > 100, "\(tally)")
    }

    /// The hand-written seed webhook reader (`RecordingWebhookEvent(tape:)`) against `init(from:)` on
    /// the same tape, over the fixture's variants: whenever it reads a value, `init(from:)` reads the
    /// same one; where `init(from:)` fails, it has stepped aside.
    @Test func theHandWrittenSeedReaderAgreesWithInitFromDecoder() throws {
        let original = try [UInt8](fixture("seed_webhook"))
        let root = try StrictJSON.parse(original)
        var random = SplitMix(seed: 0x5eed_1e57)
        var read = 0, steppedAside = 0, refused = 0
        for round in 0..<3_000 {
            let (bytes, _) = Writer.variant(of: root, round: round, random: &random)
            let (handWritten, decoded) = Self.readSeedBothWays(bytes)
            let text = String(decoding: bytes, as: UTF8.self)
            switch (handWritten, decoded) {
            case (nil, .failure):
                refused += 1  // the strict read refused it: neither reader ran
            case (nil, .success):
                Issue.record("the strict read accepted a document the hand-written reader never saw:\n\(text)")
            case let (.some(fast?), .success(reference)):
                #expect(fast == reference, "round \(round):\n\(text)")
                read += 1
            case (.some(nil), _):
                steppedAside += 1
            case let (.some(fast?), .failure(error)):
                Issue.record("the hand-written reader read what init(from:) refuses (\(error.code) at \(error.path)): \(fast)\n\(text)")
            }
        }
        #expect(read > 500, "read \(read), stepped aside \(steppedAside), refused \(refused)")
        #expect(steppedAside > 300, "read \(read), stepped aside \(steppedAside), refused \(refused)")
    }

    /// Every rule `init(from:)` applies to the seed webhook, one edited fixture each: the hand-written
    /// reader reads what `init(from:)` reads, and steps aside where it refuses.
    @Test(arguments: [
        (#""id": "3f0c9a1e-delivery-1""#, #""id": "3f0c 9a1e""#), (#""id": "3f0c9a1e-delivery-1""#, #""id": """#),
        (#""id": "3f0c9a1e-delivery-1""#, #""id": "\#(String(repeating: "a", count: 129))""#),
        (#""id": "3f0c9a1e-delivery-1""#, #""id": null"#), (#""id": "3f0c9a1e-delivery-1""#, #""id": 7"#),
        (#""recording:recordingAvailable""#, #""recording:somethingElse""#),
        (#""timestamp": "2026-05-01T10:05:20.000Z""#, #""timestamp": "2026-05-01T10:05:20Z""#),
        (#""timestamp": "2026-05-01T10:05:20.000Z""#, #""timestamp": "2026-05-01T10:05:20+00:00""#),
        (#""timestamp": "2026-05-01T10:05:20.000Z""#, #""timestamp": "2026-02-30T10:05:20Z""#),
        (#""correlationId": "evt-sub-req-8847291""#, #""correlationId": "evt sub""#),
        (#""correlationId": "evt-sub-req-8847291""#, #""correlationId": null"#),
        (#""recordingId": "6b1e1c4e-2f0a-4d7e-9c61-0d7f4c2b9a11""#, #""recordingId": "6B1E1C4E-2F0A-4D7E-9C61-0D7F4C2B9A11""#),
        (#""recordingId": "6b1e1c4e-2f0a-4d7e-9c61-0d7f4c2b9a11""#, #""recordingId": "6b1e1c4e""#),
        (#""conversationId": "2f7bf00a-0fc2-4d6a-9b56-92238191433e""#, #""conversationId": null"#),
        (#""conversationId": "2f7bf00a-0fc2-4d6a-9b56-92238191433e""#, #""conversationId": "x""#),
        (#""mediaUri": "https://prod-use1"#, #""mediaUri": "ftp://prod-use1"#),
        (#""mediaUri": "https://prod-use1-recordings.s3.amazonaws.com/x.wav?X-Amz-Signature=ab12""#, #""mediaUri": "/x.wav""#),
        (#""mediaUri": "https://prod-use1-recordings.s3.amazonaws.com/x.wav?X-Amz-Signature=ab12""#, #""mediaUri": "https://""#),
        (#""participants": ["#, #""participantsX": ["#), (#""purpose": "customer""#, #""purpose": "supervisor-ish""#),
        (#""participantId": "9fb2ca78"#, #""participantIdX": "9fb2ca78"#),
        (#""purpose": "agent", "userId": "1a2b"#, #""purpose": "agent", "userId": "zz"#),
        (#""startTime": "2026-05-01T10:00:00.000Z""#, #""startTime": "2026-05-01T10:06:00.000Z""#),
        (#""endTime": "2026-05-01T10:05:00.000Z""#, #""endTime": null"#),
        (#""direction": "INBOUND""#, #""direction": "SIDEWAYS""#), (#""channel": "VOICE""#, #""channel": 1"#),
        (#""key": "queue""#, #""key": """#), (#""key": "queue""#, #""key": "\#(String(repeating: "é", count: 129))""#),
        (#""value": "billing""#, #""value": "\#(String(repeating: "v", count: 1025))""#),
        (#""value": "billing""#, #""value": "\#(String(repeating: "é", count: 1024))""#),
        (#""tags": [{"key": "queue", "value": "billing"}]"#, #""tags": {}"#)
    ])
    func eachSeedRuleIsAppliedByTheHandWrittenReader(edit: (String, String)) throws {
        let original = String(decoding: try fixture("seed_webhook"), as: UTF8.self)
        #expect(original.contains(edit.0), "the fixture has \(edit.0)")
        let bytes = Array(original.replacingOccurrences(of: edit.0, with: edit.1).utf8)
        let (ran, decoded) = Self.readSeedBothWays(bytes)
        let handWritten = ran ?? nil
        switch decoded {
        case let .success(reference): #expect(handWritten == nil || handWritten == reference)
        case let .failure(error): #expect(handWritten == nil, "init(from:) refuses it (\(error.code) at \(error.path))")
        }
    }

    /// Reads `bytes` with the hand-written seed reader and through `init(from:)`, on one tape: what the
    /// reader gave (`nil` when the strict read refused the bytes, so it never ran) and what `init(from:)`
    /// gave.
    static func readSeedBothWays(
        _ bytes: [UInt8]
    ) -> (handWritten: RecordingWebhookEvent??, decoded: Result<RecordingWebhookEvent, ModelDecodingError>) {
        var handWritten: RecordingWebhookEvent??
        let decoded = bytes.withUnsafeBufferPointer { buffer in
            Result { () throws(ModelDecodingError) in
                try VigilJSON.decode(RecordingWebhookEvent.self, from: buffer) { value in
                    handWritten = .some(RecordingWebhookEvent(tape: value))
                    return nil  // always decode through init(from:) too, to compare
                }
            }
        }
        return (handWritten, decoded)
    }

    /// Edge cases of the decoder's own type handling, each compared with Foundation.
    @Test func scalarEdgesDecodeAlike() {
        struct Box<T: Codable & Equatable>: Codable, Equatable { var v: T }
        func same<T: Codable & Equatable>(_ type: T.Type, _ value: String) -> Bool {
            let bytes = Array(#"{"v":\#(value)}"#.utf8)
            let a = try? VigilJSON.decode(Box<T>.self, from: bytes)
            let b = try? VigilJSON.decodeWithFoundation(Box<T>.self, from: Data(bytes))
            return a == b
        }
        for value in ["0", "-0", "1", "-1", "9007199254740991", "-9007199254740991", "1.0", "1e2", "\"1\"", "null", "true"] {
            #expect(same(Int64.self, value), "Int64 \(value)")
            #expect(same(Double.self, value), "Double \(value)")
            #expect(same(Int?.self, value), "Int? \(value)")
        }
        for value in ["\"\"", #""a\"b""#, #""\u00e9\ud83d\ude00""#, "\"é\"", "1", "null", "[]", "{}"] {
            #expect(same(String.self, value), "String \(value)")
            #expect(same([String].self, "[\(value)]"), "[String] \(value)")
            #expect(same([String: String].self, #"{"k":\#(value)}"#), "[String: String] \(value)")
        }
        for value in [#""2026-05-01T10:00:00.123Z""#, #""2026-05-01T10:00:00Z""#, #""yesterday""#, "0"] {
            #expect(same(Date.self, value), "Date \(value)")
        }
        for value in [#""https://example.com/a?b=c""#, #""""#, "1"] {
            #expect(same(URL.self, value), "URL \(value)")
        }
        for value in [#""AAEC""#, #""not base64!""#] {
            #expect(same(Data.self, value), "Data \(value)")
        }
        for value in ["true", "false", "0", "null"] {
            #expect(same(Bool.self, value), "Bool \(value)")
        }
        #expect(same(JSONValue.self, #"{"a":[1,"x",null,true,{"b":-0.5}]}"#))
    }

    /// Found by the fuzz harness (Fuzz/FuzzEventDecoder): Foundation's `JSONDecoder` refuses `0e1` and
    /// `0E5`, valid RFC 8259 numbers that `JSONSerialization`, Python and JavaScript read as 0. The tape
    /// decoder reads 0, so `VigilJSON.decode` now accepts what it refused before; no parser reads a
    /// different value, so nothing is ambiguous.
    @Test func zeroWithAPositiveExponentIsZero() throws {
        for text in ["0e1", "0E5", "-0e1", "0.0e3"] {
            #expect(try VigilJSON.decode(Double.self, from: text) == 0, "\(text)")
            #expect(try StrictJSON.validate(Array(text.utf8)) == ())
        }
        #expect(
            (try? VigilJSON.decodeWithFoundation(Double.self, from: Data("0e1".utf8))) == nil,
            "if this starts failing, Foundation fixed the bug and the fuzz harness's exception can go")
    }

    // MARK: - Variant writer

    /// Writes a tree back as JSON text, varied by `mode`.
    struct Writer {
        enum Mode: CaseIterable { case reordered, unknownMembers, escaped, numbers, wrongTypes, truncated }
        var random: SplitMix
        let mode: Mode
        var output: [UInt8] = []

        init(random: SplitMix, mode: Mode) {
            self.random = random
            self.mode = mode
        }

        /// The variant of `root` for `round`: the modes in turn, a truncation cut at a random length.
        static func variant(of root: StrictJSON.Node, round: Int, random: inout SplitMix) -> (bytes: [UInt8], mode: Mode) {
            var writer = Writer(random: random, mode: Mode.allCases[round % Mode.allCases.count])
            writer.write(root)
            random = writer.random
            var bytes = writer.output
            if writer.mode == .truncated, bytes.count > 2 {
                bytes.removeLast(Int.random(in: 1..<bytes.count, using: &random))
            }
            return (bytes, writer.mode)
        }

        mutating func write(_ node: StrictJSON.Node) {
            if mode == .wrongTypes, Int.random(in: 0..<12, using: &random) == 0 {
                let replacements = ["null", "\"text\"", "12", "-1.5", "true", "[]", "{}", "\"2026-05-01T10:00:00Z\""]
                output += Array(replacements.randomElement(using: &random)!.utf8)
                return
            }
            switch node {
            case var .object(members, _):
                if mode == .reordered { members.shuffle(using: &random) }
                output.append(UInt8(ascii: "{"))
                var first = true
                if mode == .unknownMembers, Int.random(in: 0..<2, using: &random) == 0 {
                    output += Array(#""vigilUnknown\#(Int.random(in: 0..<99, using: &random))":{"x":[1,"\ud83d\ude00"]}"#.utf8)
                    first = false
                }
                for member in members {
                    if !first { output.append(UInt8(ascii: ",")) }
                    first = false
                    writeString(member.key)
                    output.append(UInt8(ascii: ":"))
                    write(member.value)
                }
                output.append(UInt8(ascii: "}"))
            case let .array(elements, _):
                output.append(UInt8(ascii: "["))
                for (index, element) in elements.enumerated() {
                    if index > 0 { output.append(UInt8(ascii: ",")) }
                    write(element)
                }
                output.append(UInt8(ascii: "]"))
            case let .string(string, _):
                writeString(string)
            case let .number(number, _):
                writeNumber(number)
            case let .bool(bool, _):
                output += Array((bool ? "true" : "false").utf8)
            case .null:
                output += Array("null".utf8)
            }
        }

        mutating func writeString(_ string: String) {
            output.append(UInt8(ascii: "\""))
            for scalar in string.unicodeScalars {
                let escape = mode == .escaped && Int.random(in: 0..<3, using: &random) == 0
                switch scalar {
                case "\"": output += Array(#"\""#.utf8)
                case "\\": output += Array(#"\\"#.utf8)
                case "/" where escape: output += Array(#"\/"#.utf8)
                case _ where scalar.value < 0x20 || escape:
                    if scalar.value > 0xFFFF {
                        let value = scalar.value - 0x10000
                        output += Array(String(format: "\\u%04x\\u%04X", 0xD800 + (value >> 10), 0xDC00 + (value & 0x3FF)).utf8)
                    } else {
                        output += Array(String(format: "\\u%04x", scalar.value).utf8)
                    }
                default: output += Array(String(scalar).utf8)
                }
            }
            output.append(UInt8(ascii: "\""))
        }

        mutating func writeNumber(_ number: Double) {
            guard mode == .numbers else {
                output += Array(Self.plain(number).utf8)
                return
            }
            let spellings: [String]
            if number.rounded() == number, abs(number) < 1e15 {
                let integer = Int64(number)
                spellings = [
                    "\(integer)", "\(integer).0", "\(integer)e0", "\(integer)0E-1", "\(integer).000", "9007199254740991",
                    "-9007199254740991", "0", "-0", "1.7976931348623157e308", "5e-324", "0.5"
                ]
            } else {
                spellings = [Self.plain(number), "\(number)e0", "\(number * 10)E-1", "1e-400", "-0.0", "2.2250738585072014e-308"]
            }
            output += Array(spellings.randomElement(using: &random)!.utf8)
        }

        static func plain(_ number: Double) -> String {
            number.rounded() == number && abs(number) < 1e15 ? "\(Int64(number))" : "\(number)"
        }
    }
}

/// The hand-written timestamp reader against `ISO8601FormatStyle` (what it replaced on the hot path).
@Suite("Timestamps: the fast path reads what ISO8601FormatStyle reads")
struct TimestampDifferentialTests {
    @Test func randomTimestampsAgreeWithTheFormatStyle() throws {
        var random = SplitMix(seed: 0xDA7E)
        let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        let whole = Date.ISO8601FormatStyle()
        for round in 0..<5_000 {
            let year =
                round % 10 == 0
                ? [1, 1600, 1900, 1970, 2000, 2024, 2100, 9999].randomElement(using: &random)!
                : Int.random(in: 1900...2200, using: &random)
            let month = Int.random(in: 1...12, using: &random)
            let day = round % 7 == 0 ? [28, 29, 30, 31].randomElement(using: &random)! : Int.random(in: 1...28, using: &random)
            var text = String(
                format: "%04d-%02d-%02dT%02d:%02d:%02d", year, month, day,
                Int.random(in: 0...23, using: &random), Int.random(in: 0...59, using: &random),
                Int.random(in: 0...59, using: &random))
            if round % 2 == 0 { text += String(format: ".%03d", Int.random(in: 0...999, using: &random)) }
            text += "Z"
            let reference = (try? style.parse(text)) ?? (try? whole.parse(text))
            let fast = VigilJSON.parseUTCTimestamp(text)
            #expect(fast == nil || reference != nil, "\(text): accepted by the fast path only")
            if let fast, let reference {
                #expect(abs(fast.timeIntervalSince1970 - reference.timeIntervalSince1970) < 1e-6, "\(text)")
                #expect(VigilJSON.formatDate(fast) == VigilJSON.formatDate(reference), "\(text)")
            }
            if reference != nil && day <= 28 && year >= 1600 { #expect(fast != nil, "\(text): the fast path should read it") }
        }
    }

    @Test func nearMissesLeaveTheFastPath() {
        for text in [
            "2026-02-29T10:00:00Z", "2026-13-01T10:00:00Z", "2026-04-31T10:00:00Z", "2026-05-01T24:00:00Z",
            "2026-05-01T10:60:00Z", "2026-05-01T10:00:60Z", "2026-05-01 10:00:00Z", "2026-05-01T10:00:00.12Z",
            "2026-05-01T10:00:00+00:00", "0000-01-01T00:00:00Z", "1500-03-01T00:00:00Z", "2026-05-01T10:00:00.1234Z", "２026-05-01T10:00:00Z"
        ] {
            #expect(VigilJSON.parseUTCTimestamp(text) == nil, "\(text)")
        }
        #expect(VigilJSON.parseUTCTimestamp("2024-02-29T23:59:59.999Z")?.timeIntervalSince1970 == 1_709_251_199.999)
        #expect(VigilJSON.parseUTCTimestamp("1970-01-01T00:00:00Z")?.timeIntervalSince1970 == 0)
        #expect(VigilJSON.parseUTCTimestamp("1969-12-31T23:59:59Z")?.timeIntervalSince1970 == -1)
    }
}

/// The hand-written id check against `UUID(uuidString:)` (what it replaced).
@Suite("GenesysID reads what UUID(uuidString:) reads")
struct GenesysIDDifferentialTests {
    @Test func randomCandidatesAgreeWithFoundation() {
        var random = SplitMix(seed: 0x1D)
        let alphabet = Array("0123456789abcdefABCDEF-gG z".utf8)
        for round in 0..<20_000 {
            var bytes = Array(UUID().uuidString.utf8)
            if round % 3 == 0 { bytes = Array(String(decoding: bytes, as: UTF8.self).lowercased().utf8) }
            for _ in 0..<Int.random(in: 0...2, using: &random) {
                bytes[Int.random(in: 0..<36, using: &random)] = alphabet.randomElement(using: &random)!
            }
            if round % 50 == 0 { bytes.removeLast() }
            if round % 51 == 0 { bytes.append(UInt8(ascii: "0")) }
            let text = String(decoding: bytes, as: UTF8.self)
            let foundation = UUID(uuidString: text).map { $0.uuidString.lowercased() }
            let canonical =
                text.utf8.count == 36
                && text.utf8.enumerated().allSatisfy { index, byte in
                    [8, 13, 18, 23].contains(index) ? byte == UInt8(ascii: "-") : Self.isHex(byte)
                }
            let id = GenesysID(text)
            // Exactly the canonical form is accepted, and then Foundation reads the same UUID. Foundation
            // (sscanf underneath) also takes spaces and misplaced dashes; those are refused.
            #expect((id != nil) == canonical, "\(text)")
            if let id { #expect(id.rawValue == foundation, "\(text)") }
        }
        #expect(GenesysID("2F7BF00A-0FC2-4D6A-9B56-92238191433E")?.rawValue == "2f7bf00a-0fc2-4d6a-9b56-92238191433e")
        #expect(GenesysID("2f7bf00a-0fc2-4d6a-9b56-92238191433") == nil)
        #expect(GenesysID("２f7bf00a-0fc2-4d6a-9b56-92238191433") == nil)
        #expect(GenesysID("1dc7d18d-2036-4c2d-842b-5d-43cd56058") == nil)  // Foundation accepts this
        #expect(GenesysID(" E34F937-5677-4349-A80B-A4EFF9F40F9E") == nil)  // and this
    }

    static func isHex(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
            || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(byte)
    }
}
