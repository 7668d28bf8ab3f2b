import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import VigilAnalysis
import VigilCore
import VigilModels
import VigilTesting

/// A simulated Genesys Cloud organisation (`SimulatedGenesysCloud`) served over HTTP on one loopback
/// origin, so several service processes share one platform.
///
/// Every request to `/oauth/`, `/api/` or `/_media/` is forwarded to the simulator as is — method, header fields,
/// body stream and the absolute URL `http://127.0.0.1:<port><uri>` — and its response streams back:
/// login at `/oauth/token`, the API under `/api/v2/`, media under `/_media/`.
///
/// Control endpoints (not part of the Genesys API):
/// - `POST /_sim/recordings` `{"count":N,"violatingEvery":10,"seed":1}` → creates N recordings with
///   synthesised µ-law WAV audio: every Nth customer keys a Luhn-valid test card number, the others
///   nothing, a PIN, a date or a phone number; answers `[{"conversationId","recordingId","violating"}]`.
/// - `GET /_sim/state` → per recording: annotation and work item counts and the wall time (ms since
///   the epoch) the first of each was created; per conversation, the live (AudioHook) work items and
///   when the first was created; totals; platform requests by status.
public actor SimulatedPlatform {
    /// Which traps the organisation springs.
    public enum Faults: String, Sendable, CaseIterable {
        /// None: every call succeeds at once.
        case none
        /// 202 transcoding polls, 429 and 5xx bursts, expired media URLs, token expiry (as `vigil demo`).
        case traps
    }

    /// One created recording.
    public struct Recording: Sendable, Hashable, Codable {
        public var conversationId: String
        public var recordingId: String
        public var violating: Bool
    }

    /// The simulator behind the HTTP surface.
    public let cloud: SimulatedGenesysCloud
    /// `http://127.0.0.1:<port>`.
    public nonisolated let origin: URL
    private let faults: Faults
    private var random: SplitMix64
    private var created: [Recording] = []
    private var violating: [String: Bool] = [:]
    private var firstAnnotationMs: [String: Int64] = [:]
    private var firstWorkitemMs: [String: Int64] = [:]
    /// Live work items (`vigil-live-<conversationId>-<TYPE>`): conversation id → wall time of the first.
    private var firstLiveWorkitemMs: [String: Int64] = [:]
    private var workitemsSeen = 0
    private let media = KeyedCallSynthesizer()

    /// The OAuth client the simulated login accepts.
    public static let clientId = "sim-client-id"
    /// The OAuth client secret the simulated login accepts.
    public static let clientSecret = "sim-client-secret-0123456789"

    /// Creates the organisation for `http://127.0.0.1:<port>` (the port must be the one served).
    public init(port: Int, seed: UInt64 = 1, faults: Faults = .none) {
        let origin = URL(string: "http://127.0.0.1:\(port)")!
        self.origin = origin
        self.faults = faults
        random = SplitMix64(seed: seed)
        let trapSettings: SimulatedGenesysCloud.Faults
        switch faults {
        case .none:
            trapSettings = SimulatedGenesysCloud.Faults()
        case .traps:
            trapSettings = SimulatedGenesysCloud.Faults(
                transcodeEstimateMs: 500, expiredMediaURLs: 5,
                rateLimitBursts: .init(probability: 0.03, length: 2, statuses: [429], retryAfterSeconds: 1),
                serverErrorBursts: .init(probability: 0.03, length: 2, statuses: [502, 503, 504]),
                tokenExpiresAfterRequests: 400)
        }
        cloud = SimulatedGenesysCloud(
            configuration: .init(
                apiBase: origin, mediaBase: origin.appendingPathComponent("_media"),
                clientId: Self.clientId, clientSecret: Self.clientSecret, seed: seed, faults: trapSettings),
            clock: ContinuousClock())
    }

    /// Creates `count` recordings; every `violatingEvery`-th (the first included) has a card keyed.
    public func createRecordings(count: Int, violatingEvery: Int, seed: UInt64?) async -> [Recording] {
        if let seed { random = SplitMix64(seed: seed) }
        var result: [Recording] = []
        result.reserveCapacity(count)
        let every = max(1, violatingEvery)
        for _ in 0..<count {
            let index = created.count
            let isViolating = violatingEvery > 0 && index % every == 0
            let keyed =
                isViolating
                ? KeyedCallSynthesizer.testCards[(index / every) % KeyedCallSynthesizer.testCards.count]
                : KeyedCallSynthesizer.cleanKeying[index % KeyedCallSynthesizer.cleanKeying.count]
            let polls = faults == .traps && random.next() % 100 < 20 ? Int(1 + random.next() % 2) : 0
            let (cid, rid) = await cloud.addRecording(media: .bytes(media.wav(keying: keyed, variant: index % 3)), transcodingPolls: polls)
            let recording = Recording(conversationId: cid.rawValue, recordingId: rid.rawValue, violating: isViolating)
            created.append(recording)
            violating[rid.rawValue] = isViolating
            result.append(recording)
        }
        return result
    }

    /// Forwards one request to the simulator and notes remediation writes' wall times.
    public func forward(_ request: VigilCore.HTTPRequest, body: HTTPBody?) async throws -> (VigilCore.HTTPResponse, HTTPBody?) {
        let (response, responseBody) = try await cloud.send(request, body: body)
        if request.method == .post, response.isSuccess {
            let path = request.url.path
            let now = Self.nowMs()
            if path.hasSuffix("/annotations") {
                // /api/v2/conversations/{cid}/recordings/{rid}/annotations
                let parts = path.split(separator: "/")
                if parts.count >= 2 {
                    let rid = String(parts[parts.count - 2])
                    if firstAnnotationMs[rid] == nil { firstAnnotationMs[rid] = now }
                }
            } else if path.hasSuffix("/taskmanagement/workitems") {
                let items = await cloud.workitems
                if items.count > workitemsSeen {
                    for item in items[workitemsSeen...] {
                        if let cid = Self.liveConversationId(fromTag: item.externalTag) {
                            if firstLiveWorkitemMs[cid] == nil { firstLiveWorkitemMs[cid] = now }
                        } else if let rid = Self.recordingId(fromTag: item.externalTag), firstWorkitemMs[rid] == nil {
                            firstWorkitemMs[rid] = now
                        }
                    }
                    workitemsSeen = items.count
                }
            }
        }
        return (response, responseBody)
    }

    /// The `/_sim/state` document (JSON, keys sorted).
    public func state() async -> Data {
        var perWorkitem: [String: Int] = [:]
        for item in await cloud.workitems {
            if let rid = Self.recordingId(fromTag: item.externalTag) { perWorkitem[rid, default: 0] += 1 }
        }
        var recordings: [String: Any] = [:]
        var annotations = 0, workitems = 0, flaggedViolating = 0, flaggedClean = 0
        for recording in created {
            let rid = recording.recordingId
            var count = 0
            if let id = GenesysID(rid) { count = await cloud.annotations(recordingId: id).count }
            let items = perWorkitem[rid] ?? 0
            annotations += count
            workitems += items
            if count > 0 || items > 0 {
                if recording.violating { flaggedViolating += 1 } else { flaggedClean += 1 }
            }
            var entry: [String: Any] = [
                "conversationId": recording.conversationId, "violating": recording.violating,
                "annotations": count, "workItems": items
            ]
            if let ms = firstAnnotationMs[rid] { entry["firstAnnotationAtMs"] = ms }
            if let ms = firstWorkitemMs[rid] { entry["firstWorkItemAtMs"] = ms }
            recordings[rid] = entry
        }
        var live: [String: Any] = [:]
        for item in await cloud.workitems {
            guard let cid = Self.liveConversationId(fromTag: item.externalTag) else { continue }
            var entry = live[cid] as? [String: Any] ?? ["workItems": 0]
            entry["workItems"] = (entry["workItems"] as? Int ?? 0) + 1
            if let ms = firstLiveWorkitemMs[cid] { entry["firstWorkItemAtMs"] = ms }
            live[cid] = entry
        }
        var byStatus: [String: Int] = [:]
        for request in await cloud.requests {
            byStatus[request.status.map(String.init) ?? "dropped", default: 0] += 1
        }
        let document: [String: Any] = [
            "recordings": recordings,
            "liveWorkItems": live,
            "totals": [
                "recordings": created.count, "violating": created.filter(\.violating).count,
                "annotations": annotations, "workItems": workitems,
                "flaggedViolating": flaggedViolating, "flaggedClean": flaggedClean
            ] as [String: Any],
            "requestsByStatus": byStatus
        ]
        return (try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys])) ?? Data("{}".utf8)
    }

    /// Mounts the control endpoints and the forwarding of every other path on `router`.
    public nonisolated func addRoutes<Context: RequestContext>(to router: Router<Context>) {
        router.add(middleware: ForwardingMiddleware(platform: self))
        router.post("/_sim/recordings") { request, _ in
            let body = try await request.body.collect(upTo: 64 << 10)
            let object = (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] ?? [:]
            guard let count = (object["count"] as? NSNumber)?.intValue, (1...1_000_000).contains(count) else {
                return Self.json(.badRequest, Data(#"{"error":"count must be a number from 1 to 1000000"}"#.utf8))
            }
            let every = (object["violatingEvery"] as? NSNumber)?.intValue ?? 10
            let seed = (object["seed"] as? NSNumber)?.uint64Value
            let recordings = await self.createRecordings(count: count, violatingEvery: every, seed: seed)
            return Self.json(.ok, try JSONEncoder().encode(recordings))
        }
        router.get("/_sim/state") { _, _ in
            return Self.json(.ok, await self.state())
        }
    }

    static func json(_ status: HTTPTypes.HTTPResponse.Status, _ data: Data) -> Response {
        var headers = HTTPTypes.HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func recordingId(fromTag tag: String?) -> String? {
        // vigil-<recordingId>-<blockId>, the recording id a 36-character UUID.
        guard let tag, tag.hasPrefix("vigil-"), !tag.hasPrefix("vigil-live-"), tag.count >= 6 + 36 else { return nil }
        return String(tag.dropFirst(6).prefix(36))
    }

    static func liveConversationId(fromTag tag: String?) -> String? {
        // vigil-live-<conversationId>-<TYPE> (LiveWorkitem.externalTag).
        guard let tag, tag.hasPrefix("vigil-live-"), tag.count >= 11 + 36 else { return nil }
        return String(tag.dropFirst(11).prefix(36))
    }

    static func nowMs() -> Int64 { Int64((Date().timeIntervalSince1970 * 1_000).rounded()) }
}

/// Forwards the platform's paths (`/oauth/`, `/api/`, `/_media/`) to the simulator, streaming both
/// bodies; everything else goes on to the router (`/_sim/…`, or a service's own routes).
struct ForwardingMiddleware<Context: RequestContext>: RouterMiddleware {
    let platform: SimulatedPlatform

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard path.hasPrefix("/api/") || path.hasPrefix("/oauth/") || path.hasPrefix("/_media/") else {
            return try await next(request, context)
        }
        guard let url = URL(string: platform.origin.absoluteString + request.uri.description) else {
            return SimulatedPlatform.json(.badRequest, Data(#"{"error":"bad request URI"}"#.utf8))
        }
        var fields = VigilCore.HTTPFields()
        for field in request.headers { fields.append(name: field.name.rawName, value: field.value) }
        let method = VigilCore.HTTPMethod(rawValue: request.method.rawValue)
        var length = HTTPBody.Length.unknown
        if let text = request.headers[.contentLength], let count = Int64(text) { length = .known(count) }
        let body: HTTPBody? =
            (method == .get || method == .head) && length == .unknown
            ? nil
            : HTTPBody(RequestChunks(body: request.body), length: length)
        let forwarded = VigilCore.HTTPRequest(method: method, url: url, headerFields: fields)
        let (response, responseBody): (VigilCore.HTTPResponse, HTTPBody?)
        do {
            (response, responseBody) = try await platform.forward(forwarded, body: body)
        } catch let error as HTTPTransportError where error.code == .connectionFailed {
            // A simulated dropped connection: close it without a response.
            throw HTTPError(.badGateway)
        }
        var headers = HTTPTypes.HTTPFields()
        for field in response.headerFields {
            if let name = HTTPField.Name(field.name) { headers.append(HTTPField(name: name, value: field.value)) }
        }
        let status = HTTPTypes.HTTPResponse.Status(code: response.status)
        guard let responseBody else { return Response(status: status, headers: headers) }
        return Response(status: status, headers: headers, body: ResponseBody(asyncSequence: ByteBufferChunks(body: responseBody)))
    }
}

/// A Hummingbird request body as `[UInt8]` chunks.
struct RequestChunks: AsyncSequence, Sendable {
    typealias Element = [UInt8]
    let body: RequestBody

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: RequestBody.AsyncIterator
        mutating func next() async throws -> [UInt8]? {
            guard let buffer = try await base.next() else { return nil }
            return Array(buffer.readableBytesView)
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: body.makeAsyncIterator()) }
}

extension SimulatedPlatform: HTTPTransport {
    /// A transport to this organisation for a service in the same process (`serve --simulate`): the
    /// same as HTTP to its routes, remediation writes' wall times noted for `/_sim/state`.
    public func send(_ request: VigilCore.HTTPRequest, body: HTTPBody?) async throws -> (VigilCore.HTTPResponse, HTTPBody?) {
        try await forward(request, body: body)
    }
}
