// Decoding a ~1 KiB seed-style recording webhook event (`RecordingWebhookEvent`):
// `VigilJSON.decode` (the strict I-JSON reader's single pass + the tape decoder, with Vigil's
// validation: UUID ids, dates, enums, pre-signed URL) against the reference on the same bytes —
// the same strict read followed by Foundation's `JSONDecoder` (`decodeWithFoundation`) — and
// `JSONSerialization` (untyped, no validation) as the in-run baseline.
//
// Read `throughput` (decodes/s) and `mallocCountTotal` (per decode: the metric is per iteration and
// each iteration decodes once).
import Benchmark
import Foundation
import VigilModels

/// A realistic event: all eight `eventData.include` fields, three participants, four tags.
let eventJSON: [UInt8] = Array("""
{"id":"msg_2Q6Ap3MFz1b4YkUvX9rT0cLd","event":"recording:recordingAvailable",\
"timestamp":"2026-05-01T10:05:20.118Z","correlationId":"evt-sub-req-8847291",\
"data":{"recordingId":"a1b2c3d4-e5f6-7890-abcd-ef1234567890",\
"conversationId":"2f7bf00a-0fc2-4d6a-9b56-92238191433e",\
"mediaUri":"https://media.usw2.pure.cloud/recordings/a1b2c3d4-e5f6-7890-abcd-ef1234567890/audio.wav?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=3600&X-Amz-Signature=0f3c9a7e5b1d2c4e6f8a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e",\
"participants":[{"participantId":"9fb2ca78-4f7e-4a52-9a66-0d3f3f2b1c11","purpose":"customer"},\
{"participantId":"c03d300e-1b2c-4d5e-8f90-a1b2c3d4e5f6","purpose":"agent","userId":"7d3e1c2b-9a8f-4e6d-b5c4-a3b2c1d0e9f8"},\
{"participantId":"5e4d3c2b-1a09-48f7-a6b5-c4d3e2f1a0b9","purpose":"ivr"}],\
"startTime":"2026-05-01T10:00:00.000Z","endTime":"2026-05-01T10:05:12.000Z",\
"direction":"INBOUND","channel":"VOICE",\
"tags":[{"key":"queue","value":"payments"},{"key":"language","value":"en-US"},\
{"key":"campaign","value":"renewals-2026"},{"key":"site","value":"emea-dub"}]}}
""".utf8)

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        warmupIterations: 100,
        maxDuration: .seconds(2),
        maxIterations: 100_000
    )

    Benchmark("Decode 1 KiB recording event (VigilJSON → RecordingWebhookEvent)") { benchmark in
        precondition(eventJSON.count > 900 && eventJSON.count < 1300, "the event should be about 1 KiB")
        precondition((try? VigilJSON.decode(RecordingWebhookEvent.self, from: eventJSON)) != nil)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(try VigilJSON.decode(RecordingWebhookEvent.self, from: eventJSON))
        }
    }

    Benchmark("Decode 1 KiB recording event (strict read + JSONDecoder, the reference)") { benchmark in
        let data = Data(eventJSON)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(try VigilJSON.decodeWithFoundation(RecordingWebhookEvent.self, from: data))
        }
    }

    Benchmark("Strict read alone (StrictJSON.validate, 1 KiB event)") { benchmark in
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            try StrictJSON.validate(eventJSON)
        }
    }

    Benchmark("Decode 1 KiB recording event (JSONSerialization baseline)") { benchmark in
        let data = Data(eventJSON)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(try JSONSerialization.jsonObject(with: data))
        }
    }
}
