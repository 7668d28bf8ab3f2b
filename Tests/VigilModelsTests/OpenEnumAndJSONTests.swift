import Foundation
import Testing

@testable import VigilModels

/// A one-field wrapper for decoding bare values.
struct Box<V: Codable>: Codable { var v: V }

@Suite("Open enums, dates and JSONValue")
struct OpenEnumAndJSONTests {
    /// Decodes `{"v": raw}` as `T`, checks the case, and checks the raw string survives re-encoding.
    func roundTrip<T: OpenStringEnum>(
        _ type: T.Type, _ raw: String, expect expected: T,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let json = "{\"v\":\"\(raw)\"}"
        let value = try VigilJSON.decode(Box<T>.self, from: json).v
        #expect(value == expected, sourceLocation: sourceLocation)
        #expect(value.rawValue == raw, sourceLocation: sourceLocation)
        #expect(
            String(decoding: try VigilJSON.encode(Box(v: value)), as: UTF8.self) == json,
            sourceLocation: sourceLocation)
    }

    @Test func unknownValuesRoundTripThroughOther() throws {
        try roundTrip(FileState.self, "FROZEN", expect: .other("FROZEN"))
        try roundTrip(FileState.self, "AVAILABLE", expect: .available)
        try roundTrip(MediaSubtype.self, "Hologram", expect: .other("Hologram"))
        try roundTrip(MediaType.self, "CARRIER_PIGEON", expect: .other("CARRIER_PIGEON"))
        try roundTrip(CallDirection.self, "SIDEWAYS", expect: .other("SIDEWAYS"))
        try roundTrip(DisconnectType.self, "OTHER", expect: .otherReason)
        try roundTrip(DisconnectType.self, "SOLAR_FLARE", expect: .other("SOLAR_FLARE"))
        try roundTrip(Verdict.self, "NEEDS_SECOND_OPINION", expect: .other("NEEDS_SECOND_OPINION"))
        try roundTrip(ViolationType.self, "HIPAA_PHI_DISCLOSURE", expect: .other("HIPAA_PHI_DISCLOSURE"))
        try roundTrip(RecommendedAction.self, "ESCALATE_TO_LEGAL", expect: .other("ESCALATE_TO_LEGAL"))
        try roundTrip(RecordingJobKind.self, "recordingRedacted", expect: .other("recordingRedacted"))
        try roundTrip(BatchJobStatus.self, "Failed", expect: .other("Failed"))
        try roundTrip(AnnotationReason.self, "Mute", expect: .other("Mute"))
        try roundTrip(RecordingEventName.self, "recording:recordingDeleted", expect: .other("recording:recordingDeleted"))
        try roundTrip(ParticipantPurpose.self, "bot", expect: .other("bot"))
        try roundTrip(MediaFormat.self, "FLAC", expect: .other("FLAC"))
        try roundTrip(EventSource.self, "audiohook", expect: .other("audiohook"))
        try roundTrip(EventDataField.self, "queueId", expect: .other("queueId"))
    }

    @Test func unknownVerdictIsKeptButNeverCompliant() throws {
        let json = verdictJSON.replacingOccurrences(of: "VIOLATION_DETECTED", with: "PROBABLY_FINE")
        let verdict = try VigilJSON.decode(ComplianceVerdict.self, from: json)
        #expect(verdict.verdict == .other("PROBABLY_FINE"))
        #expect(!verdict.verdict.isCompliant)
        #expect(verdict.requiresHumanReview)
        #expect(try JSONValue(encoding: verdict)["verdict"] == "PROBABLY_FINE")
    }

    @Test func closedEnumsListTheirValues() {
        #expect(DestinationType.allCases == [.webhook])
        #expect(AuthenticationType(rawValue: "hmac-sha256") == .hmacSha256)
        #expect(BackoffStrategy.allCases.map(\.rawValue) == ["exponential", "linear", "fixed"])
    }

    @Test func datesWithAndWithoutFractionalSeconds() throws {
        typealias Box = VigilModelsTests.Box<Date>
        let whole = try VigilJSON.decode(Box.self, from: #"{"v":"2026-05-01T10:00:00Z"}"#).v
        let fractional = try VigilJSON.decode(Box.self, from: #"{"v":"2026-05-01T10:00:00.000Z"}"#).v
        #expect(whole == fractional)
        #expect(whole == Date(timeIntervalSince1970: 1_777_629_600))
        let millis = try VigilJSON.decode(Box.self, from: #"{"v":"2022-04-06T09:30:45.013Z"}"#)
        #expect(String(decoding: try VigilJSON.encode(millis), as: UTF8.self) == #"{"v":"2022-04-06T09:30:45.013Z"}"#)
        #expect(String(decoding: try VigilJSON.encode(Box(v: whole)), as: UTF8.self) == #"{"v":"2026-05-01T10:00:00.000Z"}"#)
        for bad in ["2026-05-01", "May 1st", "1777629600"] {
            let error = decodeFailure(Box.self, "{\"v\":\"\(bad)\"}")
            #expect(error?.code == .invalidValue)
            #expect(error?.path == "v")
        }
        #expect(decodeFailure(Box.self, #"{"v":1777629600}"#)?.code == .wrongType)
    }

    @Test func jsonValueComparesSemantically() throws {
        let a = try JSONValue(parsing: Data(#"{"b":[1,2.0,{"c":null}],"a":true,"s":"x"}"#.utf8))
        let b = try JSONValue(parsing: Data(#"{"s":"x","a":true,"b":[1.0,2,{"c":null}]}"#.utf8))
        #expect(a == b)
        #expect(a == ["a": true, "b": [1, 2, ["c": nil]], "s": "x"])
        #expect(a["b"]?[2]?["c"] == .null)
        #expect(a["missing"] == nil)
        #expect(try JSONValue(parsing: VigilJSON.encode(a)) == a)
        #expect(a != ["a": false, "b": [1, 2, ["c": nil]], "s": "x"])
        #expect(throws: ModelDecodingError.self) { try JSONValue(parsing: Data("{".utf8)) }
    }

    @Test func identifiers() throws {
        let upper = try #require(GenesysID("2F7BF00A-0FC2-4D6A-9B56-92238191433E"))
        #expect(upper.rawValue == "2f7bf00a-0fc2-4d6a-9b56-92238191433e")
        #expect(upper == GenesysID("2f7bf00a-0fc2-4d6a-9b56-92238191433e"))
        #expect(GenesysID("{2f7bf00a-0fc2-4d6a-9b56-92238191433e}") == nil)
        #expect(GenesysID("") == nil)
        #expect(CorrelationID(String(repeating: "a", count: 129)) == nil)
        #expect(CorrelationID("evt-sub-req-8847291") != nil)
        #expect(PseudonymousToken("4111111111111111") == nil)
        #expect(PseudonymousToken("+1 555 123 4567") == nil)
        #expect(PseudonymousToken("tok_4111111111111111") != nil)
    }

    @Test func encodingNonFiniteNumbersFails() {
        #expect(throws: ModelDecodingError.self) { try VigilJSON.encode(JSONValue.number(.nan)) }
        do {
            _ = try VigilJSON.encode(["x": Double.infinity])
        } catch {
            #expect(error.code == .encodingFailed)
        }
    }

    @Test func bytesEntryPoints() throws {
        let bytes = Array(verdictJSON.utf8)
        let fromBytes = try VigilJSON.decode(ComplianceVerdict.self, from: bytes)
        let fromData = try VigilJSON.decode(ComplianceVerdict.self, from: Data(bytes))
        #expect(fromBytes == fromData)
        #expect(try VigilJSON.encodeBytes(fromBytes) == Array(VigilJSON.encode(fromData)))
        // The public decoder/encoder are fresh copies: mutating one does not affect the entry point.
        let decoder = VigilJSON.decoder
        decoder.dateDecodingStrategy = .secondsSince1970
        #expect(throws: Never.self) { try VigilJSON.decode(Recording.self, from: fixture("recording_200")) }
    }
}
