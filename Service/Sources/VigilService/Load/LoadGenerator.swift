import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import VigilAnalysis
import VigilCore
import VigilEventSub

/// `vigil-service send`: asks a simulated platform for recordings, then delivers one signed
/// (Standard Webhooks) `recording:recordingCompleted` event per recording to the service, each
/// 1…``Options/maxDeliveries`` times, to random URLs, concurrently, over keep-alive connections.
///
/// A delivery refused at the connection (refused, reset, timed out) or answered 503 is retried
/// (a service process may be killed mid-run); retries are counted separately from deliveries.
public enum LoadGenerator {
    /// What to send.
    public struct Options: Sendable {
        /// Webhook URLs (`http://127.0.0.1:8080/webhooks/genesys`); each delivery picks one at random.
        public var urls: [URL]
        /// The simulated platform (`http://127.0.0.1:P`), asked for the recordings.
        public var platform: URL
        /// How many recordings.
        public var recordings: Int
        /// Every Nth recording has a test card keyed. Default 10.
        public var violatingEvery: Int = 10
        /// Each event is delivered 1…this many times (random). Default 3.
        public var maxDeliveries: Int = 3
        /// Requests in flight at once. Default 64.
        public var concurrency: Int = 64
        /// The Standard Webhooks secret (`whsec_…`) the service accepts.
        public var secret: String
        /// Re-POST one already-sent signed request this many times (they must be duplicates).
        public var replay: Int = 0
        /// Seed for the platform's recordings and the delivery plan.
        public var seed: UInt64 = 1
        /// How long one delivery may keep retrying. Default 120 s.
        public var retryDeadline: Duration = .seconds(120)

        /// Creates options.
        public init(urls: [URL], platform: URL, recordings: Int, secret: String) {
            self.urls = urls
            self.platform = platform
            self.recordings = recordings
            self.secret = secret
        }
    }

    /// One recording in the report.
    public struct SentRecording: Codable, Sendable, Hashable {
        public var recordingId: String
        public var conversationId: String
        public var violating: Bool
        /// Wall time (ms since the epoch) of the first attempt of its first delivery.
        public var firstSentAtMs: Int64
    }

    /// The totals.
    public struct Totals: Codable, Sendable, Hashable {
        public var recordings = 0
        /// Deliveries planned and made (each counted once, whatever its retries).
        public var deliveries = 0
        /// Answered 202.
        public var accepted = 0
        /// Answered 200 with `"status":"duplicate"`.
        public var duplicates = 0
        /// Other 2xx answers by status (`ignored`, `conflict`…).
        public var otherSuccess: [String: Int] = [:]
        /// Final non-2xx answers by status code.
        public var rejected: [String: Int] = [:]
        /// Extra attempts after a connection failure or a 503.
        public var retries = 0
        /// Deliveries that never got a final answer within the retry deadline.
        public var failed = 0
        public var wallSeconds = 0.0
        public var acceptedPerSecond = 0.0
        public var deliveriesPerSecond = 0.0
    }

    /// The `--replay` result.
    public struct Replay: Codable, Sendable, Hashable {
        public var requests = 0
        public var duplicates = 0
        /// Anything else, by status (`202` would be a replay processed as new load).
        public var other: [String: Int] = [:]
    }

    /// The whole report (`--out` JSON).
    public struct Report: Codable, Sendable, Hashable {
        public var recordings: [SentRecording]
        public var totals: Totals
        public var replay: Replay?

        /// `sent 1000 recordings: 1987 deliveries, 1000 accepted, 987 duplicates, 0 rejected, 3 retries in 4.2 s (238 accepted/s)`.
        public var summary: String {
            let rejected = totals.rejected.values.reduce(0, +)
            var text =
                "sent \(totals.recordings) recordings: \(totals.deliveries) deliveries, \(totals.accepted) accepted, "
                + "\(totals.duplicates) duplicates, \(rejected) rejected, \(totals.failed) failed, \(totals.retries) retries in "
                + String(format: "%.1f s (%.0f accepted/s)", totals.wallSeconds, totals.acceptedPerSecond)
            if let replay { text += "; replay: \(replay.duplicates)/\(replay.requests) duplicates" }
            return text
        }

        /// Whether every delivery was answered 2xx and every replay was a duplicate.
        public var succeeded: Bool {
            totals.rejected.isEmpty && totals.failed == 0 && (replay.map { $0.duplicates == $0.requests } ?? true)
        }
    }

    /// A failure before any delivery (the platform could not be asked).
    public struct LoadError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Runs the load.
    public static func run(_ options: Options) async throws -> Report {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(60))
        configuration.connectionPool = .init(
            idleTimeout: .seconds(60),
            concurrentHTTP1ConnectionsPerHostSoftLimit: max(1, options.concurrency))
        // Fail fast on a refused connection (a killed process): the retry loop picks another URL.
        configuration.connectionPool.retryConnectionEstablishment = false
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        do {
            let report = try await run(options, client: client)
            try await client.shutdown()
            return report
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    static func run(_ options: Options, client: HTTPClient) async throws -> Report {
        precondition(!options.urls.isEmpty, "at least one URL")
        let signer = try WebhookSigner(scheme: .standardWebhooks, secrets: [options.secret])
        let recordings = try await askPlatform(options, client: client)

        // The plan: each event 1…max times; a repeat either reuses the delivery id (a platform
        // retry) or carries a new one (the same event delivered again).
        var random = SplitMix64(seed: options.seed ^ 0x5EED)
        var plan: [(recording: Int, deliveryId: String)] = []
        for (index, recording) in recordings.enumerated() {
            let copies = 1 + Int(random.next() % UInt64(max(1, options.maxDeliveries)))
            for copy in 0..<copies {
                let id = copy % 2 == 0 ? "msg_\(recording.recordingId)" : "msg_\(recording.recordingId)_\(copy)"
                plan.append((index, id))
            }
        }
        for index in plan.indices.reversed() where index > 0 {
            plan.swapAt(index, Int(random.next() % UInt64(index + 1)))
        }
        let bodies = recordings.enumerated().map { index, recording in
            event(recordingId: recording.recordingId, conversationId: recording.conversationId, index: index)
        }

        let tally = Tally(recordings: recordings.count)
        let started = ContinuousClock.now
        let concurrency = max(1, options.concurrency)
        await withTaskGroup(of: Void.self) { group in
            var next = 0
            func launch(_ position: Int) {
                let (recording, deliveryId) = plan[position]
                let url = options.urls[Int.random(in: 0..<options.urls.count)]
                let body = bodies[recording]
                group.addTask {
                    let sentAt = Int64((Date().timeIntervalSince1970 * 1_000).rounded())
                    tally.firstSent(recording, at: sentAt)
                    let headers = signer.sign(body: body, id: deliveryId, now: Date())
                    let outcome = await deliver(
                        body: body, headers: headers, to: url, options: options, client: client,
                        urls: options.urls)
                    tally.record(outcome, recording: recording, body: body, headers: headers)
                }
            }
            while next < min(concurrency, plan.count) {
                launch(next)
                next += 1
            }
            while await group.next() != nil {
                if next < plan.count {
                    launch(next)
                    next += 1
                }
            }
        }
        let elapsed = ContinuousClock.now - started
        var totals = tally.totals
        totals.recordings = recordings.count
        totals.wallSeconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        totals.acceptedPerSecond = totals.wallSeconds > 0 ? Double(totals.accepted) / totals.wallSeconds : 0
        totals.deliveriesPerSecond = totals.wallSeconds > 0 ? Double(totals.deliveries) / totals.wallSeconds : 0

        var replay: Replay?
        if options.replay > 0, let sample = tally.sample {
            var result = Replay()
            for _ in 0..<options.replay {
                let url = options.urls[Int.random(in: 0..<options.urls.count)]
                let outcome = await deliver(
                    body: sample.body, headers: sample.headers, to: url, options: options,
                    client: client, urls: options.urls)
                result.requests += 1
                switch outcome.final {
                case .answered(200, true): result.duplicates += 1
                case let .answered(status, _): result.other[String(status), default: 0] += 1
                case .failed: result.other["failed", default: 0] += 1
                }
            }
            replay = result
        }
        let sent = recordings.enumerated().map { index, recording in
            SentRecording(
                recordingId: recording.recordingId, conversationId: recording.conversationId,
                violating: recording.violating, firstSentAtMs: tally.firstSentAt(index) ?? 0)
        }
        return Report(recordings: sent, totals: totals, replay: replay)
    }

    struct PlatformRecording: Decodable {
        var conversationId: String
        var recordingId: String
        var violating: Bool
    }

    static func askPlatform(_ options: Options, client: HTTPClient) async throws -> [PlatformRecording] {
        var request = HTTPClientRequest(url: options.platform.appendingPathComponent("_sim/recordings").absoluteString)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        let json = #"{"count":\#(options.recordings),"violatingEvery":\#(options.violatingEvery),"seed":\#(options.seed)}"#
        request.body = .bytes(ByteBuffer(string: json))
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, timeout: .seconds(300))
        } catch {
            throw LoadError(description: "the platform at \(options.platform.absoluteString) could not be reached (\(type(of: error)))")
        }
        let body = try await response.body.collect(upTo: 512 << 20)
        guard response.status == .ok else {
            throw LoadError(description: "the platform answered \(response.status.code) to POST /_sim/recordings")
        }
        return try JSONDecoder().decode([PlatformRecording].self, from: Data(buffer: body))
    }

    /// A `recording:recordingCompleted` event in the seed webhook schema.
    public static func event(recordingId: String, conversationId: String, index: Int) -> [UInt8] {
        let timestamp = Date().formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
        return Array(
            #"""
            {"id":"evt-\#(recordingId)","event":"recording:recordingCompleted","timestamp":"\#(timestamp)","correlationId":"load-\#(recordingId.prefix(8))-\#(index)",\#
            "data":{"recordingId":"\#(recordingId)","conversationId":"\#(conversationId)","direction":"INBOUND","channel":"VOICE"}}
            """#.utf8)
    }

    enum Final: Sendable {
        case answered(Int, duplicate: Bool)
        case failed
    }

    struct Outcome: Sendable {
        var final: Final
        var retries: Int
        var otherLabel: String?
    }

    /// One delivery with its retries (connection failures and 503; another URL each time).
    static func deliver(
        body: [UInt8], headers: VigilCore.HTTPFields, to first: URL, options: Options, client: HTTPClient,
        urls: [URL]
    ) async -> Outcome {
        let deadline = ContinuousClock.now + options.retryDeadline
        var url = first
        var attempt = 0
        while true {
            var request = HTTPClientRequest(url: url.absoluteString)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            for field in headers { request.headers.add(name: field.name, value: field.value) }
            request.body = .bytes(ByteBuffer(bytes: body))
            var retryAfter: Duration?
            do {
                let response = try await client.execute(request, timeout: .seconds(30))
                let bytes = try await response.body.collect(upTo: 64 << 10)
                let status = Int(response.status.code)
                let text = String(buffer: bytes)
                if status != 503 {
                    let duplicate = status == 200 && text.contains(#""status":"duplicate""#)
                    var label: String?
                    if (200..<300).contains(status), status != 202, !duplicate {
                        label =
                            text.range(of: #""status":""#).map { range in
                                String(text[range.upperBound...].prefix { $0 != "\"" })
                            } ?? String(status)
                    }
                    return Outcome(final: .answered(status, duplicate: duplicate), retries: attempt, otherLabel: label)
                }
                let seconds = response.headers.first(name: "retry-after").flatMap(Int.init) ?? 1
                retryAfter = .milliseconds(min(1_000, max(50, seconds * 1_000)))
            } catch {
                // Refused, reset, closed, timed out: try again (the receiver is idempotent).
            }
            attempt += 1
            let delay = retryAfter ?? .milliseconds(min(1_000, 25 << min(attempt, 5)))
            guard ContinuousClock.now + delay < deadline, !Task.isCancelled else {
                return Outcome(final: .failed, retries: attempt - 1, otherLabel: nil)
            }
            try? await Task.sleep(for: delay)
            url = urls[Int.random(in: 0..<urls.count)]
        }
    }

    /// Counters shared by the delivery tasks.
    final class Tally: @unchecked Sendable {
        private let lock = NSLock()
        private var value = Totals()
        private var first: [Int64?]
        private(set) var sampleValue: (body: [UInt8], headers: VigilCore.HTTPFields)?

        init(recordings: Int) { first = Array(repeating: nil, count: recordings) }

        func firstSent(_ recording: Int, at ms: Int64) {
            lock.withLock { if first[recording] == nil { first[recording] = ms } }
        }

        func firstSentAt(_ recording: Int) -> Int64? { lock.withLock { first[recording] } }

        func record(_ outcome: Outcome, recording: Int, body: [UInt8], headers: VigilCore.HTTPFields) {
            lock.withLock {
                value.deliveries += 1
                value.retries += outcome.retries
                switch outcome.final {
                case let .answered(status, duplicate):
                    if status == 202 {
                        value.accepted += 1
                        if sampleValue == nil { sampleValue = (body, headers) }
                    } else if duplicate {
                        value.duplicates += 1
                    } else if (200..<300).contains(status) {
                        value.otherSuccess[outcome.otherLabel ?? String(status), default: 0] += 1
                    } else {
                        value.rejected[String(status), default: 0] += 1
                    }
                case .failed:
                    value.failed += 1
                }
            }
        }

        var totals: Totals { lock.withLock { value } }
        var sample: (body: [UInt8], headers: VigilCore.HTTPFields)? { lock.withLock { sampleValue } }
    }
}
