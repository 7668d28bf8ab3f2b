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
import IngestPayloads
import VigilModels

/// The realistic ~1 KiB event the EventSub benchmarks and the peer comparison also use.
let eventJSON: [UInt8] = ingestEvent(0)

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
