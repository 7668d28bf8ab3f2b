// Events per second through the whole `WebhookReceiver` (verify → delivery claim → decode → minimise
// → tokenize → event claim → enqueue → complete → respond) for a ~1 KiB signed seed-style event,
// against the in-run floor of the two unavoidable steps alone on the same bytes: Standard Webhooks
// HMAC verification plus `VigilJSON.decode` (the strict read and decode → RecordingWebhookEvent).
//
// Each measured iteration handles 1 000 *distinct* events (so every one is accepted and enqueued, not
// answered from the duplicate cache) on a fresh in-memory store and queue built outside the
// measurement. A second receiver benchmark measures a retry storm: the same accepted delivery again
// (verify + one store lookup, no parsing).
//
// Read `throughput` (with scalingFactor .kilo it counts events/s).
//
// Measured 2026-12-04 on the project machine (x86-64, 2 cores, quiet, p50), after the strict
// single-pass reader and its tape decoder replaced JSONDecoder (figures of 2026-11-28 in brackets):
//   Floor (HMAC verify + VigilJSON.decode → RecordingWebhookEvent):  57 K/s, 17 µs  (21 K/s, 47 µs)
//   Receiver, accepted (whole pipeline):                             31 K/s, 32 µs, 156 mallocs (14 K/s, 71 µs)
//   Receiver, duplicate delivery (cached ack, no parse):            147 K/s, 6.8 µs, 24 mallocs (58 K/s, 17 µs)
//   Store + queue alone (2 claims, 2 completes, 1 enqueue):         149 K/s, 6.7 µs
//   Decode only (EventDecoder):                                       60 K/s, 17 µs, 105 mallocs (26 K/s, 38 µs)
//   JSONDecoder alone on the same bytes (no strict read):             47 K/s, 21 µs
//   StrictJSON.validate alone:                                       407 K/s, 2.5 µs, 12 mallocs
// Besides the reader, the gains are hand-written timestamp and UUID checks (Foundation's format style
// and sscanf-based UUID parsing were the costliest fields) and byte comparisons that no longer run
// unspecialized generic `zip` across modules (mallocs per accepted event 232 → 156, per duplicate
// 88 → 24, measured before and after those three changes). `Benchmarks/peer-ingest` puts the receiver next to the
// Python peer (standardwebhooks + pydantic) on the same payloads.
import Benchmark
import Foundation
import IngestPayloads
import VigilCore
import VigilEventSub
import VigilIdempotency
import VigilModels
import VigilTesting

// Payloads and the receiver under test come from IngestPayloads, shared with `Benchmarks/peer-ingest`.
private let secret = ingestSecret
private let wall = ingestWall
private let uuid = ingestUUID
private let pool = ingestPool()
private let makeReceiver = makeIngestReceiver

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        warmupIterations: 2,
        scalingFactor: .kilo,
        maxDuration: .seconds(3),
        maxIterations: 1_000
    )
    precondition(pool[0].body.count > 950 && pool[0].body.count < 1300, "the event should be about 1 KiB")

    Benchmark("Floor: HMAC verify + VigilJSON.decode (1 KiB event)") { benchmark in
        let verifier = try! WebhookVerifier(scheme: .standardWebhooks, secrets: [secret], now: wall)
        benchmark.startMeasurement()
        for index in benchmark.scaledIterations {
            let signed = pool[index % pool.count]
            blackHole(try verifier.verify(body: signed.body, headers: signed.headers))
            blackHole(try VigilJSON.decode(RecordingWebhookEvent.self, from: signed.body))
        }
    }

    Benchmark("Receiver: accepted, whole pipeline (1 KiB event)") { benchmark in
        let receiver = makeReceiver()
        benchmark.startMeasurement()
        for index in benchmark.scaledIterations {
            let signed = pool[index % pool.count]
            let response = await receiver.receive(body: signed.body, headers: signed.headers)
            precondition(response.status == 202)
            blackHole(response)
        }
    }

    Benchmark("Receiver: duplicate delivery (retry storm, 1 KiB event)") { benchmark in
        let receiver = makeReceiver()
        for signed in pool { _ = await receiver.receive(body: signed.body, headers: signed.headers) }
        benchmark.startMeasurement()
        for index in benchmark.scaledIterations {
            let signed = pool[index % pool.count]
            let response = await receiver.receive(body: signed.body, headers: signed.headers)
            precondition(response.status == 200)
            blackHole(response)
        }
    }

    // What the receiver spends in the idempotency store and queue alone: the same calls it makes for one
    // accepted event (claim + complete of the delivery and the event record, one enqueue), on the
    // in-memory actors, with keys and fingerprints of the same shape.
    Benchmark("Store + queue alone: 2 claims, 2 completes, 1 enqueue") { benchmark in
        let store = InMemoryIdempotencyStore(now: wall)
        let queue = InMemoryJobQueue<RecordingJob>(capacity: 1_000_000, now: wall)
        let job = RecordingJob(
            conversationId: GenesysID("2f7bf00a-0fc2-4d6a-9b56-92238191433e")!,
            recordingId: GenesysID(uuid(0))!, kind: .recordingAvailable,
            correlationId: CorrelationID("evt-sub-req-8847291")!, receivedAt: wall())
        let outcome = StoredOutcome(
            status: "accepted", details: ["correlationId": "evt-sub-req-8847291"],
            completedAt: wall())
        let fingerprint = String(repeating: "ab", count: 32)
        benchmark.startMeasurement()
        for index in benchmark.scaledIterations {
            let delivery = "vigil.ingest:delivery:swh:msg_\(index)"
            let event = "vigil.ingest:recording:\(uuid(index)):recordingAvailable"
            guard case let .acquired(first) = try await store.claim(delivery, fingerprint: fingerprint, lease: .seconds(30)),
                case let .acquired(second) = try await store.claim(event, fingerprint: fingerprint, lease: .seconds(30))
            else { fatalError("claim") }
            try await queue.enqueue(job, notBefore: nil)
            try await store.complete(event, token: second, outcome: outcome, retain: .seconds(600))
            try await store.complete(delivery, token: first, outcome: outcome, retain: .seconds(600))
        }
    }

    // The strict I-JSON read every untrusted body now gets (duplicate names, surrogates, number range,
    // UTF-8, depth) against the JSONDecoder pass that follows it, on the same bytes.
    Benchmark("StrictJSON.validate alone (1 KiB event)") { benchmark in
        benchmark.startMeasurement()
        for index in benchmark.scaledIterations {
            try StrictJSON.validate(pool[index % pool.count].body)
        }
    }

    Benchmark("JSONDecoder alone, no strict read (1 KiB event)") { benchmark in
        let decoder = VigilJSON.makeDecoder()
        benchmark.startMeasurement()
        for index in benchmark.scaledIterations {
            blackHole(try decoder.decode(RecordingWebhookEvent.self, from: Data(pool[index % pool.count].body)))
        }
    }

    Benchmark("Decode only: EventDecoder (strict read + tape decode + normalise)") { benchmark in
        let decoder = EventDecoder()
        benchmark.startMeasurement()
        for index in benchmark.scaledIterations {
            blackHole(try decoder.decode(pool[index % pool.count].body))
        }
    }
}
