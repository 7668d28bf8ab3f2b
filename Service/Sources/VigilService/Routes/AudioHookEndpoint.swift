import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOConcurrencyHelpers
import NIOCore
import VigilAnalysis
import VigilAudioHook
import VigilModels

/// The AudioHook Monitor endpoint: Genesys Cloud opens a WebSocket here for each call it streams.
///
/// The upgrade is refused (401, before any WebSocket exists) unless the request's HTTP Message
/// Signature verifies (`AudioHookSignatureVerifier`: key, covered headers, age, nonce replay); 503 when
/// ``Configuration/maximumSessions`` are open. Each connection then runs one `AudioHookSession`: text
/// frames answered as the session says (`opened` at once), binary frames analysed as they arrive, and
/// every finding handed to the `LiveViolationReporter` without holding up the socket. A connection that
/// sends nothing for ``Configuration/idleTimeout`` is disconnected.
///
/// A session that continues a dropped one (`open` with `continuedSessions`) starts at the conversation
/// time the dropped one reached on this process (kept for the last 10 000 sessions), or at `open`'s
/// `position` when that is later — so its findings' offsets stay conversation time. The work item is
/// keyed by conversation and violation, so a reconnect never opens a second one, on any instance.
public final class AudioHookEndpoint: Sendable {
    /// Limits of the endpoint.
    public struct Configuration: Sendable {
        /// The route (default `/audiohook/ws`).
        public var path: String
        /// Concurrent sessions accepted (default 500); more are refused with 503 (upgrades in flight
        /// at the same moment may pass it by their number).
        public var maximumSessions: Int
        /// A session with no frame for this long is disconnected (default 30 s; the platform pings every 5 s).
        public var idleTimeout: Duration
        /// The rules applied to the live audio.
        public var policy: AnalysisPolicy

        /// Creates a configuration.
        public init(
            path: String = "/audiohook/ws", maximumSessions: Int = 500, idleTimeout: Duration = .seconds(30),
            policy: AnalysisPolicy = AnalysisPolicy()
        ) {
            self.path = path
            self.maximumSessions = maximumSessions
            self.idleTimeout = idleTimeout
            self.policy = policy
        }
    }

    /// One finding as it was handed over, for observers and tests.
    public struct LiveFlag: Sendable {
        /// The conversation.
        public var conversationId: String
        /// The finding (offset in conversation time).
        public var finding: ComplianceFinding
        /// What the reporter did (`nil` when no reporter is configured or it failed).
        public var outcome: LiveViolationReporter.Outcome?
        /// When the reporter returned.
        public var reportedAt: ContinuousClock.Instant
    }

    /// The configuration in use.
    public let configuration: Configuration
    private let verifier: AudioHookSignatureVerifier
    private let reporter: LiveViolationReporter?
    private let logger: Logger
    private let onFlag: @Sendable (LiveFlag) -> Void
    private let open = NIOLockedValueBox(0)
    /// Conversation time each recent session reached (session id → ms), for a session that continues
    /// it after a reconnect to this process.
    private let positions = NIOLockedValueBox(SessionPositions())

    /// Creates the endpoint.
    ///
    /// - Parameters:
    ///   - reporter: opens the work item for a live finding; `nil` only flags (logs and `onFlag`).
    ///   - onFlag: called after each finding was reported (metrics, tests).
    public init(
        configuration: Configuration = Configuration(), verifier: AudioHookSignatureVerifier,
        reporter: LiveViolationReporter?, logger: Logger, onFlag: @escaping @Sendable (LiveFlag) -> Void = { _ in }
    ) {
        self.configuration = configuration
        self.verifier = verifier
        self.reporter = reporter
        self.logger = logger
        self.onFlag = onFlag
    }

    /// Sessions open right now.
    public var openSessions: Int { open.withLockedValue { $0 } }

    /// Adds the WebSocket route to `router` (serve it with `.http1WebSocketUpgrade(webSocketRouter:)`).
    public func addRoutes(to router: Router<BasicWebSocketRequestContext>) {
        router.ws(
            RouterPath(configuration.path),
            shouldUpgrade: { [self] request, _ in
                try await self.shouldUpgrade(request)
            },
            onUpgrade: { [self] inbound, outbound, context in
                // Counted here, not when the upgrade is accepted: an upgrade that never completes must
                // not keep a slot.
                open.withLockedValue { $0 += 1 }
                defer { open.withLockedValue { $0 -= 1 } }
                try await self.run(inbound: inbound, outbound: outbound, request: context.request)
            })
    }

    private func shouldUpgrade(_ request: Request) async throws -> RouterShouldUpgrade {
        // HTTP/1's Host arrives as the `:authority` pseudo-header; the signature covers it as `@authority`.
        var headers = request.headers.map { (name: $0.name.rawName, value: $0.value) }
        if !headers.contains(where: { $0.name.lowercased() == "host" }), let authority = request.head.authority {
            headers.append((name: "host", value: authority))
        }
        let upgrade = AudioHookUpgradeRequest(target: request.uri.string, headers: headers)
        do {
            _ = try await verifier.verify(upgrade)
        } catch {
            logger.notice("audiohook upgrade refused", metadata: ["error": "\(error.code)"])
            throw HTTPError(error.isRetryable ? .serviceUnavailable : .unauthorized)
        }
        // Upgrades accepted at the same moment may each see a free slot: the limit can be passed by
        // the handshakes in flight, never by more.
        guard openSessions < configuration.maximumSessions else {
            logger.warning("audiohook session limit reached", metadata: ["limit": "\(configuration.maximumSessions)"])
            throw HTTPError(.serviceUnavailable)
        }
        return .upgrade([:])
    }

    private func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, request: Request) async throws {
        // The upgrade was verified for these headers: the session checks `open` and every message against them.
        var session = AudioHookSession(
            configuration: .init(
                organizationId: request.headers[HTTPField.Name("Audiohook-Organization-Id")!],
                sessionId: request.headers[HTTPField.Name("Audiohook-Session-Id")!], policy: configuration.policy))
        let lastFrame = NIOLockedValueBox(ContinuousClock.now)
        let idle = configuration.idleTimeout
        let watchdog = Task { [logger] in
            while !Task.isCancelled {
                try await Task.sleep(for: .seconds(1))
                if ContinuousClock.now - lastFrame.withLockedValue({ $0 }) > idle {
                    logger.notice("audiohook session idle: closing")
                    try await outbound.close(.goingAway, reason: "idle")
                    return
                }
            }
        }
        defer { watchdog.cancel() }
        var reports: [Task<Void, Never>] = []
        let sessionId = request.headers[HTTPField.Name("Audiohook-Session-Id")!]?.lowercased()
        func remember() {
            guard let sessionId, session.opened != nil else { return }
            let reached = session.conversationPositionMilliseconds
            positions.withLockedValue { $0.record(sessionId, reached) }
        }
        do {
            for try await message in inbound.messages(maxSize: max(AudioHookMessage.maximumTextBytes, 1 << 20)) {
                lastFrame.withLockedValue { $0 = .now }
                let output: AudioHookSession.Output
                switch message {
                case .text(let text):
                    output = session.receive(text: Array(text.utf8))
                    remember()  // every ping (5 s) at least: a drop this side never noticed still leaves a position
                case .binary(let buffer):
                    output = session.receive(audio: buffer.readableBytesView)
                }
                if case .opened? = output.messages.first?.body, let continued = session.opened?.continuedSessions.last,
                    let reached = positions.withLockedValue({ $0[continued.id.lowercased()] })
                {
                    session.continueConversation(fromMilliseconds: reached)
                }
                for reply in output.messages {
                    try await outbound.write(.text(String(decoding: reply.encoded(), as: UTF8.self)))
                }
                if let error = output.error {
                    logger.notice("audiohook session refused a frame", metadata: ["error": "\(error.code)"])
                }
                reports += output.findings.map { report($0, conversationId: session.opened?.conversationId) }
                if session.state == .ended { break }
            }
        } catch {
            // A dropped connection: what was received is still analysed to the end below.
            logger.notice("audiohook connection lost", metadata: ["error": "\(String(describing: type(of: error)))"])
        }
        if session.state != .ended {
            reports += session.finish().findings.map { report($0, conversationId: session.opened?.conversationId) }
        }
        remember()
        for task in reports { await task.value }
    }

    private func report(_ finding: ComplianceFinding, conversationId: String?) -> Task<Void, Never> {
        Task { [reporter, logger, onFlag] in
            var outcome: LiveViolationReporter.Outcome?
            if let reporter, let conversation = conversationId.flatMap(GenesysID.init) {
                do {
                    outcome = try await reporter.report(finding, conversationId: conversation)
                } catch {
                    logger.error("audiohook live work item failed", metadata: ["error": "\(String(describing: type(of: error)))"])
                }
            }
            logger.notice(
                "audiohook live violation",
                metadata: [
                    "type": "\(finding.type.rawValue)", "offsetMs": "\(finding.offsetMs)", "conversationId": "\(conversationId ?? "")"
                ])
            onFlag(LiveFlag(conversationId: conversationId ?? "", finding: finding, outcome: outcome, reportedAt: .now))
        }
    }
}

/// The conversation time recent sessions reached, bounded (oldest forgotten first).
struct SessionPositions {
    static let capacity = 10_000
    private var reached: [String: Int] = [:]
    private var order: [String] = []
    private var head = 0

    subscript(id: String) -> Int? { reached[id] }

    mutating func record(_ id: String, _ milliseconds: Int) {
        if reached.updateValue(milliseconds, forKey: id) == nil { order.append(id) }
        while reached.count > Self.capacity, head < order.count {
            reached[order[head]] = nil
            head += 1
        }
        if head > Self.capacity {
            order.removeFirst(head)
            head = 0
        }
    }
}
