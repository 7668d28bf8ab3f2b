import VigilAnalysis

/// One AudioHook Monitor session as a pure state machine: each text frame or audio frame in, the
/// messages to send back and the compliance findings out. No I/O, no clock, no threads — the
/// WebSocket transport owns those and feeds this value.
///
/// ```swift
/// var session = AudioHookSession(configuration: .init(organizationId: verified.organizationId,
///                                                      sessionId: verified.sessionId))
/// let out = session.receive(text: frame)      // e.g. `open` → `opened`
/// for message in out.messages { try await socket.send(text: message.encoded()) }
/// let live = session.receive(audio: bytes)    // findings the moment a card number is complete
/// ```
///
/// What it enforces (the platform is the protocol's *client*):
/// - order: `open` first, once; then `ping`, `update`, `paused`/`resumed`/`discarded`, `error`, audio;
///   `close` ends it. Anything else — audio before `open`, a second `open`, a message after `close` — is
///   answered with `disconnect` (reason `error`) and ends the session; it never traps.
/// - sequence numbers: `seq` must be the previous one plus one (from 1); `serverseq` may only
///   acknowledge a message this server sent, and never goes back.
/// - `version` `"2"`, the session `id` of the upgrade request, and the `organizationId` of the signed
///   upgrade request.
/// - media: the first offer this analyser can read — `PCMU` or `L16`, 8 000 Hz, one or two channels
///   named `external`/`internal` — is chosen; if none is, `disconnect`.
/// - probes: an `open` with the all-zero conversation id gets its `opened` and nothing is analysed.
/// - time: audio the platform did not send (`discarded`, or the span reported by `resumed`) is counted
///   as silence, so a finding's offset is conversation time, not "audio received" time. A session that
///   continues a dropped one (`continuedSessions`) starts at the conversation time already streamed:
///   `open`'s `position`, or what the transport knows of the continued session
///   (``continueConversation(fromMilliseconds:)``), whichever is later.
///
/// Memory per session is bounded: the decoder keeps at most one partial frame, the detector a fixed
/// ring, the finding analyser the digits of the runs still open.
public struct AudioHookSession: Sendable {
    /// Limits and expectations for a session.
    public struct Configuration: Sendable {
        /// The organization the upgrade request was signed for; `open` must name the same one.
        public var organizationId: String?
        /// The session id of the upgrade request (`Audiohook-Session-Id`); messages must carry it.
        public var sessionId: String?
        /// The compliance rules (DTMF runs, card and code lengths, confidence threshold).
        public var policy: AnalysisPolicy
        /// Largest binary frame accepted, in bytes (default 64 KiB ≈ 4 s of stereo PCMU).
        public var maximumAudioFrameBytes: Int

        /// Creates a configuration.
        public init(
            organizationId: String? = nil, sessionId: String? = nil, policy: AnalysisPolicy = AnalysisPolicy(),
            maximumAudioFrameBytes: Int = 64 << 10
        ) {
            self.organizationId = organizationId?.lowercased()
            self.sessionId = sessionId?.lowercased()
            self.policy = policy
            self.maximumAudioFrameBytes = maximumAudioFrameBytes
        }
    }

    /// Where the session is.
    public enum State: Sendable, Hashable {
        /// Connected, waiting for `open`.
        case awaitingOpen
        /// Open; `paused` while the platform is not sending audio.
        case open(paused: Bool)
        /// Ended: `closed` or `disconnect` was sent (or the connection went away).
        case ended
    }

    /// What one input produced.
    public struct Output: Sendable, Hashable {
        /// Messages to send to the platform, in order.
        public var messages: [AudioHookMessage] = []
        /// Findings proven by this input (offsets in conversation time).
        public var findings: [ComplianceFinding] = []
        /// Set when the input was refused: why. The session has then sent `disconnect` and ended.
        public var error: AudioHookError?

        /// An empty output.
        public init() {}
    }

    /// The configuration in use.
    public let configuration: Configuration
    /// The current state.
    public private(set) var state: State = .awaitingOpen
    /// The `open` message's parameters, once received.
    public private(set) var opened: AudioHookMessage.Open?
    /// The media chosen from the offer.
    public private(set) var media: AudioHookMessage.Media?
    /// Every finding so far.
    public private(set) var findings: [ComplianceFinding] = []
    /// Audio received, in milliseconds.
    public var receivedMilliseconds: Int { frames(toMilliseconds: decoder?.framesDecoded ?? 0) }
    /// Conversation time covered so far (received audio plus discarded spans), in milliseconds, from
    /// the start of this session's audio.
    public var conversationMilliseconds: Int { frames(toMilliseconds: conversationFrames) }
    /// Conversation time before this session's first audio, in milliseconds: 0 for a new call; for a
    /// session continuing a dropped one, where that one got to. Every finding's offset includes it.
    public private(set) var startMilliseconds = 0
    /// Discarded (or paused) audio reported by the platform, in milliseconds.
    public private(set) var discardedMilliseconds = 0

    private var sessionId: String?
    private var lastClientSeq = 0
    private var lastServerSeq = 0
    private var lastServerSeqAcknowledged = 0
    private var lastPosition = AudioHookDuration.zero
    private var decoder: RawAudioDecoder?
    private var scanner = DTMFScanner()
    private var analyzer: DTMFFindingAnalyzer?
    private var conversationFrames = 0

    /// Creates a session.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        sessionId = configuration.sessionId
    }

    /// Sets the conversation time this session starts at, when the transport knows where the session
    /// it continues (``AudioHookMessage/Open/continuedSessions``) got to and `open`'s position did not
    /// say it. Only before any audio; never moves the start back. Returns whether it applied.
    @discardableResult
    public mutating func continueConversation(fromMilliseconds milliseconds: Int) -> Bool {
        guard case .open = state, conversationFrames == 0, analyzer != nil else { return false }
        startMilliseconds = max(startMilliseconds, milliseconds)
        return true
    }

    /// Where this session got to in the conversation: ``startMilliseconds`` plus
    /// ``conversationMilliseconds`` (what a session continuing this one starts at).
    public var conversationPositionMilliseconds: Int { startMilliseconds + conversationMilliseconds }

    /// Whether this session is a connection probe (known after `open`).
    public var isProbe: Bool { opened?.isProbe ?? false }

    // MARK: - Input

    /// Handles a text frame.
    public mutating func receive(text: some Collection<UInt8>) -> Output {
        guard state != .ended else { return Output() }
        let message: AudioHookMessage
        do {
            message = try AudioHookMessage.decode(text)
        } catch {
            return refuse(error)
        }
        do {
            return try handle(message)
        } catch {
            return refuse(error)
        }
    }

    /// Handles a binary frame (interleaved samples in the chosen media format).
    public mutating func receive(audio bytes: some Collection<UInt8>) -> Output {
        guard state != .ended else { return Output() }
        guard case .open(let paused) = state else {
            return refuse(AudioHookError(.unexpectedMessage, "audio before open"))
        }
        guard !paused else { return refuse(AudioHookError(.unexpectedMessage, "audio while paused")) }
        guard var decoder else { return Output() }  // a probe: nothing is analysed
        guard bytes.count <= configuration.maximumAudioFrameBytes else {
            return refuse(
                AudioHookError(
                    .frameTooLarge,
                    "audio frame of \(bytes.count) bytes (limit \(configuration.maximumAudioFrameBytes))"))
        }
        var output = Output()
        if let block = decoder.consume(bytes) {
            conversationFrames += block.frameCount
            output.findings = analyse(scanner.process(block))
        }
        self.decoder = decoder
        return output
    }

    /// The connection ended without `close` (dropped, or the transport is shutting down): completes
    /// the runs still open and returns their findings.
    public mutating func finish() -> Output {
        var output = Output()
        if !isProbe, analyzer != nil {
            let events = (try? scanner.finish()) ?? []  // PCM blocks only: finish cannot throw
            var found = analyzer!.consume(inConversationTime(events))
            found += analyzer!.finish()
            findings += found
            output.findings = found
        }
        state = .ended
        return output
    }

    // MARK: - Messages

    private mutating func handle(_ message: AudioHookMessage) throws(AudioHookError) -> Output {
        guard message.body.isFromPlatform else {
            throw AudioHookError(.unexpectedMessage, "\(message.body.type) is a server message")
        }
        if let sessionId, message.id != sessionId {
            throw AudioHookError(.malformedMessage, "id is not the session id of the upgrade request")
        }
        guard message.seq == lastClientSeq + 1 else {
            throw AudioHookError(.sequenceError, "seq \(message.seq) after \(lastClientSeq)")
        }
        let serverSeq = message.serverSeq ?? 0
        guard serverSeq <= lastServerSeq, serverSeq >= lastServerSeqAcknowledged else {
            throw AudioHookError(.sequenceError, "serverseq \(serverSeq) (server sent \(lastServerSeq), acknowledged \(lastServerSeqAcknowledged))")
        }
        let position = message.position ?? .zero
        guard position >= lastPosition else {
            throw AudioHookError(.sequenceError, "position went back")
        }
        lastClientSeq = message.seq
        lastServerSeqAcknowledged = serverSeq
        lastPosition = position

        var output = Output()
        switch (state, message.body) {
        case (.awaitingOpen, .open(let open)):
            try accept(open, message: message, into: &output)
        case (.awaitingOpen, _):
            throw AudioHookError(.unexpectedMessage, "\(message.body.type) before open")
        case (.open, .open):
            throw AudioHookError(.unexpectedMessage, "a second open")
        case (.open, .ping):
            output.messages.append(reply(.pong))
        case (.open, .update):
            output.messages.append(reply(.updated))
        case (.open, .paused):
            state = .open(paused: true)
        case (.open, .resumed(let span)):
            state = .open(paused: false)
            output.findings = insertSilence(span.discarded)
        case (.open, .discarded(let span)):
            output.findings = insertSilence(span.discarded)
        case (.open, .error):
            break  // the platform reports a problem on its side; it closes or carries on
        case (.open, .close):
            output.findings = finish().findings
            output.messages.append(reply(.closed))
            state = .ended
        case (.ended, _), (_, .opened), (_, .pong), (_, .closed), (_, .pause), (_, .resume), (_, .disconnect),
            (_, .updated), (_, .event), (_, .reconnect):
            throw AudioHookError(.unexpectedMessage, message.body.type)
        }
        return output
    }

    private mutating func accept(
        _ open: AudioHookMessage.Open, message: AudioHookMessage,
        into output: inout Output
    ) throws(AudioHookError) {
        if let expected = configuration.organizationId, open.organizationId != expected {
            throw AudioHookError(.organizationMismatch, "open names another organization than the signed request")
        }
        sessionId = message.id
        opened = open
        if !open.continuedSessions.isEmpty { startMilliseconds = (message.position ?? .zero).milliseconds }
        let chosen = open.media.first(where: Self.canAnalyse)
        if open.isProbe {
            // The platform checks the endpoint: answer as for a call, analyse nothing.
            media = chosen
            state = .open(paused: false)
            output.messages.append(reply(.opened(media: chosen.map { [$0] } ?? [], startPaused: nil)))
            return
        }
        guard let chosen else {
            throw AudioHookError(.unsupportedMedia, "no offered media is PCMU or L16 at 8000 Hz with external/internal channels")
        }
        media = chosen
        let format = AudioFormat(
            encoding: chosen.format == "PCMU" ? .muLaw : .pcm16, sampleRate: chosen.rate,
            channelCount: chosen.channels.count)
        decoder = RawAudioDecoder(format: format)
        analyzer = DTMFFindingAnalyzer(configuration: configuration.policy.dtmfConfiguration(channelLabels: chosen.channels))
        state = .open(paused: false)
        output.messages.append(reply(.opened(media: [chosen], startPaused: nil)))
    }

    /// Whether Vigil's analyser reads `media`.
    static func canAnalyse(_ media: AudioHookMessage.Media) -> Bool {
        media.type == "audio" && (media.format == "PCMU" || media.format == "L16") && media.rate == 8000
            && (1...2).contains(media.channels.count) && Set(media.channels).count == media.channels.count
            && media.channels.allSatisfy { $0 == "external" || $0 == "internal" }
    }

    private mutating func reply(_ body: AudioHookMessage.Body) -> AudioHookMessage {
        lastServerSeq += 1
        return AudioHookMessage(
            id: sessionId ?? configuration.sessionId ?? AudioHookMessage.Open.probeConversationId,
            seq: lastServerSeq, clientSeq: lastClientSeq, body: body)
    }

    private mutating func refuse(_ error: AudioHookError) -> Output {
        var output = Output()
        output.error = error
        if state != .ended {
            let reason = error.code == .organizationMismatch ? "unauthorized" : "error"
            output.messages.append(reply(.disconnect(reason: reason, info: error.code.description)))
            state = .ended
        }
        return output
    }

    // MARK: - Analysis

    /// Feeds the detectors silence for audio the platform did not send, so their sample counts — and
    /// every digit's position — stay in conversation time.
    private mutating func insertSilence(_ span: AudioHookDuration) -> [ComplianceFinding] {
        guard !isProbe, let format = decoder?.format, span.microseconds > 0 else { return [] }
        discardedMilliseconds += span.milliseconds
        var remaining = Int(span.microseconds * Int64(format.sampleRate) / 1_000_000)
        var found: [ComplianceFinding] = []
        while remaining > 0 {
            let count = min(remaining, format.sampleRate)  // one second at a time: bounded memory
            let silence = [Float](repeating: 0, count: count)
            conversationFrames += count
            let block = PCMBlock(
                format: format, startFrame: conversationFrames - count,
                channels: Array(repeating: silence, count: format.channelCount))
            found += analyse(scanner.process(block))
            remaining -= count
        }
        return found
    }

    private mutating func analyse(_ events: [DTMFDigitEvent]) -> [ComplianceFinding] {
        guard analyzer != nil else { return [] }
        var found = analyzer!.consume(inConversationTime(events))
        found += analyzer!.advance(toMilliseconds: conversationPositionMilliseconds)
        findings += found
        return found
    }

    /// The digits shifted by ``startMilliseconds``, so the findings' offsets and evidence say conversation time.
    private func inConversationTime(_ events: [DTMFDigitEvent]) -> [DTMFDigitEvent] {
        guard startMilliseconds > 0 else { return events }
        return events.map { event in
            var event = event
            let shift = Int(Int64(startMilliseconds) * Int64(event.sampleRate) / 1000)
            event.startSample += shift
            event.endSample += shift
            return event
        }
    }

    private func frames(toMilliseconds frames: Int) -> Int {
        let rate = media?.rate ?? 8000
        return Int(Int64(frames) * 1000 / Int64(rate))
    }
}
