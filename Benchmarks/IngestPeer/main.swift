// The Swift side of `Benchmarks/peer-ingest`, measured exactly as the Python peer is measured
// (Benchmarks/Peer/peer_receiver.py): rounds of distinct signed deliveries on one thread, the median
// round reported as events per second.
//
//     IngestPeer payloads COUNT      # the shared payloads as JSON lines, for the peer
//     IngestPeer measure ROUNDS N    # accepted and duplicate deliveries through WebhookReceiver
import Foundation
import IngestPayloads
import VigilCore
import VigilEventSub

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted[sorted.count / 2]
}

let arguments = CommandLine.arguments.dropFirst()
switch arguments.first {
case "payloads":
    let count = arguments.dropFirst().first.flatMap(Int.init) ?? 20_000
    var out = ""
    // Signed now: the peer checks the timestamp against its real clock (Vigil's receiver is measured
    // with a frozen one); the bodies are the same bytes.
    for delivery in ingestPool(count: count, timestamp: Int64(Date().timeIntervalSince1970)) {
        let line: [String: String] = [
            "id": delivery.id,
            "timestamp": delivery.headers["webhook-timestamp"] ?? "",
            "signature": delivery.headers["webhook-signature"] ?? "",
            "body": String(decoding: delivery.body, as: UTF8.self)
        ]
        out += String(decoding: try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys]), as: UTF8.self) + "\n"
    }
    FileHandle.standardOutput.write(Data(out.utf8))
case "measure":
    // Off the main actor, as a server's request handlers run: from the main thread every call into
    // the store and queue actors would be a thread hand-off, measuring wake-ups rather than Vigil.
    try await Task.detached { try await measure(Array(arguments)) }.value
default:
    FileHandle.standardError.write(Data("usage: IngestPeer payloads COUNT | measure ROUNDS COUNT\n".utf8))
    exit(2)
}

func measure(_ arguments: [String]) async throws {
    let arguments = arguments[...]
    let rounds = arguments.dropFirst().first.flatMap(Int.init) ?? 7
    let count = arguments.dropFirst(2).first.flatMap(Int.init) ?? 20_000
    let pool = ingestPool(count: count)
    let clock = ContinuousClock()
    var accepted: [Double] = []
    var duplicates: [Double] = []
    for _ in 0..<rounds {
        let receiver = makeIngestReceiver()
        let start = clock.now
        for delivery in pool {
            let response = await receiver.receive(body: delivery.body, headers: delivery.headers)
            precondition(response.status == 202)
        }
        accepted.append(Double(count) / (clock.now - start).seconds)
        let again = clock.now
        for delivery in pool {
            let response = await receiver.receive(body: delivery.body, headers: delivery.headers)
            precondition(response.status == 200)
        }
        duplicates.append(Double(count) / (clock.now - again).seconds)
    }
    print("swift_accepted_per_second=\(Int(median(accepted)))")
    print("swift_duplicate_per_second=\(Int(median(duplicates)))")
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
