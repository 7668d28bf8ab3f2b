import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
@_spi(VigilInternal) import VigilAnalysis
import VigilAudioHook

/// `vigil-service live`: plays Genesys Cloud's side of one or many AudioHook Monitor calls against a
/// service — signed upgrades, `open`, 100 ms PCMU frames at real time (or faster), pings, `close` — in
/// which the customer keys a test card, and reports when each call's live work item appeared.
///
/// With ``Options/platform`` (the simulated organisation the service remediates into, e.g. `serve
/// --simulate`'s own port), the time from the frame holding the card's last digit to the work item's
/// creation is read from its `/_sim/state`. With ``Options/servicePID`` (Linux), the service process's
/// CPU time and resident memory are sampled, for the per-session cost.
public enum LiveCalls {
    /// What to play.
    public struct Options: Sendable {
        /// The service's AudioHook URL (`ws://127.0.0.1:8080/audiohook/ws`).
        public var url: URL
        /// The API key and client secret of the integration (`VIGIL_AUDIOHOOK_CLIENTS`).
        public var apiKey: String
        public var clientSecret: String
        /// The organisation id sent in the upgrade and `open`.
        public var organizationId = "d7934305-0972-4844-938e-9060eef73d05"
        /// The simulated platform, for time-to-flag (optional).
        public var platform: URL?
        /// Concurrent calls. Default 1.
        public var calls = 1
        /// Length of each synthetic call, in seconds. Default 30.
        public var seconds = 30
        /// When the customer starts keying the card, in seconds. Default 8.
        public var cardAtSeconds = 8.0
        /// 1 = real time. Default 1.
        public var speed = 1.0
        /// Calls start spread over this many seconds (handshakes not all at once). Default 5.
        public var rampSeconds = 5.0
        /// A WAV to play instead of the synthetic call (8 kHz; mono is the customer; stereo external, internal).
        public var wavPath: String?
        /// The service's process id, to sample its CPU and memory (Linux `/proc`).
        public var servicePID: Int32?

        /// Creates options.
        public init(url: URL, apiKey: String, clientSecret: String) {
            self.url = url
            self.apiKey = apiKey
            self.clientSecret = clientSecret
        }
    }

    /// One call's outcome.
    public struct Call: Codable, Sendable, Hashable {
        public var conversationId: String
        /// Messages the service sent, by type.
        public var received: [String]
        /// Wall time (ms since the epoch) the frame holding the card's last digit was sent.
        public var lastDigitSentAtMs: Int64?
        /// Wall time the call's last frame was sent.
        public var lastFrameSentAtMs: Int64?
        /// Wall time the live work item was created (from the platform).
        public var workItemAtMs: Int64?
        /// The connection failed: why.
        public var failure: String?
        /// `open` → `opened`, in ms.
        public var openedAfterMs: Double?

        /// Last digit → work item, in ms.
        public var timeToFlagMs: Int64? { workItemAtMs.flatMap { at in lastDigitSentAtMs.map { at - $0 } } }
        /// Whether the work item existed before the call's last frame.
        public var flaggedWhileLive: Bool {
            guard let workItemAtMs, let lastFrameSentAtMs else { return false }
            return workItemAtMs < lastFrameSentAtMs
        }
    }

    /// The service process's cost during the run.
    public struct ServiceCost: Codable, Sendable, Hashable {
        /// CPU seconds (user + system) the service used while the calls streamed.
        public var cpuSeconds: Double
        /// Resident memory before the calls and its peak during them, in bytes.
        public var residentBeforeBytes: Int
        public var residentPeakBytes: Int
    }

    /// Everything measured.
    public struct Report: Codable, Sendable {
        public var calls: [Call]
        public var wallSeconds: Double
        public var service: ServiceCost?
        public var speed: Double
        public var callSeconds: Int

        /// Time-to-flag percentile over the flagged calls, in ms.
        public func timeToFlagMs(percentile: Double) -> Int64? {
            Self.percentile(calls.compactMap(\.timeToFlagMs).sorted(), percentile)
        }

        /// `open` → `opened` percentile over the calls that opened, in ms.
        public func openedAfterMs(percentile: Double) -> Double? {
            Self.percentile(calls.compactMap(\.openedAfterMs).sorted(), percentile)
        }

        /// The nearest-rank percentile of sorted values (`0…1`).
        static func percentile<Value>(_ sorted: [Value], _ fraction: Double) -> Value? {
            guard !sorted.isEmpty else { return nil }
            let rank = Int((fraction * Double(sorted.count)).rounded(.up))
            return sorted[min(sorted.count - 1, max(0, rank - 1))]
        }

        /// Every call opened and closed normally and, when measured, had its work item while still live.
        public var succeeded: Bool {
            calls.allSatisfy {
                $0.failure == nil && $0.received.first == "opened" && $0.received.last == "closed"
                    && (!flagsMeasured || $0.flaggedWhileLive)
            }
        }

        /// Whether the work items were looked up (a synthetic call and a platform to ask).
        public var flagsMeasured: Bool

        /// A human summary.
        public var summary: String {
            let failed = calls.filter { $0.failure != nil }
            var lines = [
                "live calls: \(calls.count) × \(callSeconds) s at \(speed)× real time in \(String(format: "%.1f", wallSeconds)) s; "
                    + "\(calls.count - failed.count) opened and closed, \(failed.count) failed"
            ]
            if let reason = failed.first?.failure { lines.append("  first failure: \(reason)") }
            if let p50 = openedAfterMs(percentile: 0.5), let p95 = openedAfterMs(percentile: 0.95),
                let worst = openedAfterMs(percentile: 1)
            {
                lines.append(
                    String(
                        format: "  open → opened: P50 %.1f ms, P95 %.1f ms, max %.1f ms (the platform allows 5 000)",
                        p50, p95, worst))
            }
            if flagsMeasured {
                let flagged = calls.filter { $0.workItemAtMs != nil }.count
                let live = calls.filter(\.flaggedWhileLive).count
                lines.append("  flagged: \(flagged) of \(calls.count) (\(live) while the call was still live)")
                if let p50 = timeToFlagMs(percentile: 0.5), let p95 = timeToFlagMs(percentile: 0.95),
                    let worst = timeToFlagMs(percentile: 1)
                {
                    lines.append("  last keyed digit's frame → work item: P50 \(p50) ms, P95 \(p95) ms, max \(worst) ms")
                }
            }
            if let service {
                let audioSeconds = Double(calls.count * callSeconds)
                let perCallSecond = service.cpuSeconds / max(audioSeconds, 1)
                lines.append(
                    String(
                        format: "  service CPU: %.2f s over %.1f s wall (%.0f %% of one core); %.2f ms per second of call audio "
                            + "⇒ ≈ %.0f concurrent real-time calls per core",
                        service.cpuSeconds, wallSeconds, service.cpuSeconds / max(wallSeconds, 0.001) * 100,
                        perCallSecond * 1000, 1 / max(perCallSecond, 1e-9)))
                lines.append(
                    String(
                        format: "  service memory: %.1f MiB before, %.1f MiB peak (≈ %.0f KiB per concurrent call)",
                        Double(service.residentBeforeBytes) / 1_048_576, Double(service.residentPeakBytes) / 1_048_576,
                        Double(service.residentPeakBytes - service.residentBeforeBytes) / 1024 / Double(max(calls.count, 1))))
            }
            return lines.joined(separator: "\n")
        }
    }

    /// A failure before any call could start.
    public struct LiveCallsError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Plays the calls and collects the report.
    public static func run(_ options: Options, logger: Logger = Logger(label: "vigil.live")) async throws -> Report {
        let audio: [UInt8]
        let lastDigitEndMs: Int?
        if let path = options.wavPath {
            audio = try pcmuStereo(fromWAV: path)
            lastDigitEndMs = nil
        } else {
            let card = "4111111111111111"
            let startMs = Int(options.cardAtSeconds * 1000)
            audio = KeyedCallSynthesizer.liveCall(seconds: Double(options.seconds), keys: [(startMs, card), (startMs + 5_000, "737")])
            lastDigitEndMs = KeyedCallSynthesizer.liveKeyingEndMilliseconds(atMs: startMs, digits: card)
        }
        let signer: AudioHookRequestSigner
        do { signer = try AudioHookRequestSigner(apiKey: options.apiKey, clientSecret: options.clientSecret) } catch {
            throw LiveCallsError(description: "the client secret is not base64")
        }
        let client = AudioHookPlatformClient(url: options.url, signer: signer, organizationId: options.organizationId, logger: logger)
        let sampler = options.servicePID.map { ProcessSampler(pid: $0) }
        let before = sampler?.sample()
        let peak = ResidentPeak(before?.resident ?? 0)
        let sampling = Task {
            guard let sampler else { return }
            while !Task.isCancelled {
                if let now = sampler.sample() { peak.note(now.resident) }
                try? await Task.sleep(for: .milliseconds(250))
            }
        }
        // One reference pair maps ContinuousClock instants onto wall time.
        let wallReference = Date(), clockReference = ContinuousClock.now
        let wallMs: @Sendable (ContinuousClock.Instant) -> Int64 = { instant in
            let offset = instant - clockReference
            let ms = Double(offset.components.seconds) * 1000 + Double(offset.components.attoseconds) / 1e15
            return Int64((wallReference.timeIntervalSince1970 * 1000 + ms).rounded())
        }
        let started = ContinuousClock.now
        var calls = await withTaskGroup(of: Call.self) { group in
            for index in 0..<options.calls {
                let delay = options.calls > 1 ? options.rampSeconds * Double(index) / Double(options.calls) : 0
                group.addTask {
                    if delay > 0 { try? await Task.sleep(for: .milliseconds(Int(delay * 1000))) }
                    let conversationId = UUID().uuidString.lowercased()
                    do {
                        let result = try await client.stream(conversationId: conversationId, audio: audio, speed: options.speed)
                        var call = Call(conversationId: conversationId, received: result.received.map(\.message.body.type))
                        if let end = lastDigitEndMs, end / 100 < result.frameSentAt.count {
                            call.lastDigitSentAtMs = wallMs(result.frameSentAt[end / 100])
                        }
                        call.lastFrameSentAtMs = result.frameSentAt.last.map(wallMs)
                        call.openedAfterMs = result.openedAfter.map {
                            Double($0.components.seconds) * 1000 + Double($0.components.attoseconds) / 1e15
                        }
                        return call
                    } catch {
                        return Call(conversationId: conversationId, received: [], failure: "\(error)")
                    }
                }
            }
            var calls: [Call] = []
            for await call in group { calls.append(call) }
            return calls
        }
        let wall = ContinuousClock.now - started
        sampling.cancel()
        var cost: ServiceCost?
        if let sampler, let before, let after = sampler.sample() {
            peak.note(after.resident)
            cost = ServiceCost(
                cpuSeconds: after.cpuSeconds - before.cpuSeconds, residentBeforeBytes: before.resident,
                residentPeakBytes: peak.value)
        }
        if let platform = options.platform, lastDigitEndMs != nil {
            // Reports finish shortly after the sockets close.
            try await Task.sleep(for: .seconds(1))
            let live = try await liveWorkItems(platform)
            for index in calls.indices { calls[index].workItemAtMs = live[calls[index].conversationId] }
        }
        return Report(
            calls: calls, wallSeconds: Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18,
            service: cost, speed: options.speed, callSeconds: audio.count / 16_000,
            flagsMeasured: options.platform != nil && lastDigitEndMs != nil)
    }

    /// A WAV file (8 kHz; one channel = the customer, two = external, internal) as stereo PCMU.
    public static func pcmuStereo(fromWAV path: String) throws -> [UInt8] {
        var bytes: [UInt8] = []
        let format = try WAVStreamDecoder.decodeFile(atPath: path) { block in
            guard block.format.sampleRate == 8000, (1...2).contains(block.channels.count) else { return }
            let external = block.channels[0]
            let internalChannel = block.channels.count > 1 ? block.channels[1] : [Float](repeating: 0, count: external.count)
            for index in external.indices {
                bytes.append(G711.muLawEncode(external[index]))
                bytes.append(G711.muLawEncode(internalChannel[index]))
            }
        }
        guard format.sampleRate == 8000, (1...2).contains(format.channelCount) else {
            throw LiveCallsError(
                description: "the WAV must be 8000 Hz with one or two channels (it is \(format.sampleRate) Hz, \(format.channelCount) channels)")
        }
        return bytes
    }

    /// Conversation id → wall time of its first live work item, from `/_sim/state`.
    static func liveWorkItems(_ platform: URL) async throws -> [String: Int64] {
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        defer { _ = client.shutdown() }
        let response = try await client.execute(
            HTTPClientRequest(url: platform.appendingPathComponent("_sim/state").absoluteString),
            timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 64 << 20)
        guard response.status == .ok,
            let object = try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any],
            let live = object["liveWorkItems"] as? [String: Any]
        else {
            throw LiveCallsError(description: "the platform's /_sim/state has no liveWorkItems (is --platform the simulated platform?)")
        }
        var result: [String: Int64] = [:]
        for (conversation, entry) in live {
            if let ms = ((entry as? [String: Any])?["firstWorkItemAtMs"] as? NSNumber)?.int64Value { result[conversation] = ms }
        }
        return result
    }
}

/// CPU time and resident memory of a process, from Linux `/proc`.
struct ProcessSampler: Sendable {
    let pid: Int32

    func sample() -> (cpuSeconds: Double, resident: Int)? {
        #if os(Linux)
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return nil }
            // Fields after "(comm)": state is field 3; utime 14, stime 15 (1-based over the whole line).
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
            let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
            guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
                let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
                let kib = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
            else { return nil }
            return ((user + system) / ticks, kib * 1024)
        #else
            return nil
        #endif
    }
}

/// The largest resident size seen.
final class ResidentPeak: @unchecked Sendable {
    private let lock = NSLock()
    private var peak: Int
    init(_ value: Int) { peak = value }
    func note(_ value: Int) { lock.withLock { peak = max(peak, value) } }
    var value: Int { lock.withLock { peak } }
}
