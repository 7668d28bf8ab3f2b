import Foundation
import Testing

@testable import VigilModels

/// Loads a pinned fixture from `Fixtures/` (see `Fixtures/README.md` for sources).
func fixture(_ name: String) throws -> Data {
    let url = try #require(Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures"))
    return try Data(contentsOf: url)
}

/// Decodes and expects a `ModelDecodingError`, returning it.
func decodeFailure<T: Decodable>(
    _ type: T.Type, _ json: String,
    sourceLocation: SourceLocation = #_sourceLocation
) -> ModelDecodingError? {
    do {
        _ = try VigilJSON.decode(type, from: json)
        Issue.record("decoding unexpectedly succeeded", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error
    }
}

/// Replaces `key` in a JSON object (top level or nested by path) and returns the new JSON text.
func mutate(_ data: Data, _ edit: (inout [String: Any]) -> Void) throws -> String {
    var object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    edit(&object)
    return String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
}

let verdictJSON = """
    { "recordingId": "a1b2c3d4-e5f6-7890-abcd-ef1234567890", "verdict": "VIOLATION_DETECTED",
      "violationType": "PCI_MID_CAPTURE", "confidenceScore": 0.94, "timestampOffsetMs": 124500,
      "evidenceSnippet": "masked_audio_segment_uri", "recommendedAction": "ROUTE_TO_COMPLIANCE_QUEUE",
      "correlationId": "evt-sub-req-8847291" }
    """
