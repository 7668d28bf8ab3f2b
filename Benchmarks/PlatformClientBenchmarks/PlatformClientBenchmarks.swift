// GenesysCloudClient per-call overhead: a full "get a ready recording" call (cached-token check, request
// building, transport hop, status handling, retry bookkeeping, body collection, decoding and
// classification) over a transport that answers at once with pre-encoded bytes, against the in-run
// baseline of decoding those same bytes with `VigilJSON.decode(Recording.self, …)`.
//
// Goal: client ≤ 1.5 × bare decode. Compare the two p50 wall-clock figures of the same run.
//
// Measured 2026-11-28 on the project machine (2 shared x86-64 cores, release, p50 of three runs):
//   before the token fast path: client 48 µs (113 mallocs) vs decode 29 µs (92) -> 1.66x
//   now:                        client 42 µs (111 mallocs) vs decode 29-31 µs (92) -> 1.35-1.45x
// The fresh-token check reads a lock-protected slot instead of hopping onto the token actor; per-token
// request headers are precomputed; a single-chunk body is taken without a copy.
import Benchmark
import Foundation
import VigilCore
import VigilModels
import VigilPlatformClient

private let conversationId = GenesysID("2f7bf00a-0fc2-4d6a-9b56-92238191433e")!
private let recordingId = GenesysID("9fb2ca78-1c55-4e3b-8a0e-5d1f3b6c7a21")!

/// A ready recording as the platform returns it (reference §1.3 shape; values illustrative).
private let recordingJSON: [UInt8] = Array(
    """
    {"id":"\(recordingId)","conversationId":"\(conversationId)","name":"Recording","media":"audio",
     "mediaSubtype":"Trunk","startTime":"2026-05-01T10:00:00.000Z","endTime":"2026-05-01T10:05:12.000Z",
     "fileState":"AVAILABLE","sessionId":"c03d300e-1111-4222-8333-444455556666",
     "mediaUris":{"S":{"mediaUri":"https://media.example.test/rec/abc?X-Amz-Expires=3600&X-Amz-Signature=0123456789abcdef","waveformData":[0.1,0.4,0.3,0.2]}},
     "estimatedTranscodeTimeMs":0,"actualTranscodeTimeMs":812,"outputDurationMs":312000,"outputSizeInBytes":4992044,
     "annotations":[{"id":"a1","name":"Hold","type":"Pause","location":60000,"durationMs":12000,"reason":"Hold"}],
     "deleteDate":"2027-05-01T00:00:00.000Z","recordingFileRole":"CUSTOMER_EXPERIENCE",
     "selfUri":"/api/v2/conversations/\(conversationId)/recordings/\(recordingId)"}
    """.utf8)

private let tokenJSON: [UInt8] = Array(#"{"access_token":"bench-token","token_type":"bearer","expires_in":86400}"#.utf8)

/// Answers every request at once from pre-encoded bytes.
private struct PreEncodedTransport: HTTPTransport {
    func send(_ request: HTTPRequest, body: HTTPBody?) async throws -> (HTTPResponse, HTTPBody?) {
        if request.url.host?.hasPrefix("login.") == true {
            return (HTTPResponse(status: 200), HTTPBody(tokenJSON))
        }
        return (HTTPResponse(status: 200), HTTPBody(recordingJSON))
    }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        warmupIterations: 10,
        maxDuration: .seconds(2),
        maxIterations: 100_000
    )

    Benchmark("Recording decode (baseline)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try VigilJSON.decode(Recording.self, from: recordingJSON))
        }
    }

    Benchmark("GenesysCloudClient.recording (ready)") { benchmark in
        let client = GenesysCloudClient(
            region: .euWest1, credentials: GenesysCredentials(clientId: "bench", clientSecret: "bench-secret"),
            transport: PreEncodedTransport())
        try await client.authenticate()
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(try await client.recording(conversationId: conversationId, recordingId: recordingId))
        }
    }
}
