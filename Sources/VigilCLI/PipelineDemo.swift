import Foundation
import Vigil
import VigilAnalysis
import VigilCore
import VigilEventSub
import VigilEvidence
import VigilIdempotency
import VigilModels
import VigilPlatformClient
import VigilRemediation
import VigilSQLite
import VigilTesting
import VigilVerdict

/// `vigil demo`, part 2: the whole `CompliancePipeline` on a simulated Genesys Cloud organisation with
/// its traps switched on, Vigil's DTMF analysis as the engine, and every invariant checked.
enum PipelineDemo {
    struct Options {
        var recordings = 1_000
        var workers = 8
        var seed: UInt64 = 2026
        var region: String?
        var clientId: String?
        var clientSecret: String?
        var conversations: [String] = []
        var worktypeId: String?
        var reviewQueueId: String?
        var remediate = false
        var foundation = true
        var inMemory = false

        var isLive: Bool { region != nil || clientId != nil || clientSecret != nil }
    }

    static let usage = """
        USAGE: vigil demo [--recordings N] [--workers N] [--seed N] [--pipeline-only] [--in-memory]
               vigil demo --region R --client-id ID --client-secret S --conversation ID [--conversation ID…]
                          [--remediate --worktype-id ID --review-queue-id ID]

        Without credentials: a self-checking tour of the foundation, then N recordings (default 1 000)
        through the whole pipeline against a simulated Genesys Cloud organisation with realistic faults,
        on simulated time, with the embedded default: SQLite (WAL) in a temporary directory, or in-memory
        stores with --in-memory. Exits 1 if any check fails.

        With credentials (or GENESYS_REGION / GENESYS_CLIENT_ID / GENESYS_CLIENT_SECRET): the same pipeline
        against a real organisation through URLSessionTransport, for the conversations named. Remediation
        is a dry run (printed, not performed) unless --remediate is given with a worktype and review queue.

        """

    static func parse(_ arguments: [String], environment: [String: String]) -> Result<Options, UsageError> {
        var options = Options()
        options.region = environment["GENESYS_REGION"]
        options.clientId = environment["GENESYS_CLIENT_ID"]
        options.clientSecret = environment["GENESYS_CLIENT_SECRET"]
        var index = 0
        func value(_ name: String) -> String? {
            index += 1
            return index < arguments.count ? arguments[index] : nil
        }
        while index < arguments.count {
            let argument = arguments[index]
            switch argument {
            case "--recordings":
                guard let text = value(argument), let n = Int(text), (1...200_000).contains(n) else {
                    return .failure(UsageError(message: "--recordings needs a number from 1 to 200000"))
                }
                options.recordings = n
            case "--workers":
                guard let text = value(argument), let n = Int(text), (1...256).contains(n) else {
                    return .failure(UsageError(message: "--workers needs a number from 1 to 256"))
                }
                options.workers = n
            case "--seed":
                guard let text = value(argument), let n = UInt64(text) else { return .failure(UsageError(message: "--seed needs a number")) }
                options.seed = n
            case "--pipeline-only": options.foundation = false
            case "--in-memory": options.inMemory = true
            case "--region": options.region = value(argument)
            case "--client-id": options.clientId = value(argument)
            case "--client-secret": options.clientSecret = value(argument)
            case "--conversation":
                guard let id = value(argument) else { return .failure(UsageError(message: "--conversation needs an id")) }
                options.conversations.append(id)
            case "--worktype-id": options.worktypeId = value(argument)
            case "--review-queue-id": options.reviewQueueId = value(argument)
            case "--remediate": options.remediate = true
            default: return .failure(UsageError(message: "unknown option '\(argument)'"))
            }
            index += 1
        }
        return .success(options)
    }

    // MARK: - Simulated organisation

    /// A recording of the demo: who it is, what the customer keyed, whether it must be flagged.
    struct Planned {
        let conversationId: GenesysID
        let recordingId: GenesysID
        let violating: Bool
        let keyed: String
    }

    static func runSimulated(_ options: Options, _ report: Report) async {
        let n = options.recordings
        report.section("Part 2 — the pipeline: \(n) recordings, webhook → queue → Genesys Cloud → engine → remediation")
        let clock = TestClock()
        report.note("time is simulated (a TestClock drives every wait, backoff and expiry): minutes of platform time run in seconds")
        // The embedded default: one SQLite file (WAL) for the idempotency store and the job queue.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-demo-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let storage: Storage
        do {
            storage = try Storage(inMemory: options.inMemory, directory: directory, now: clock.wall)
        } catch {
            report.check("the SQLite store and queue open in \(directory.path) (\(error))", false)
            return
        }
        report.note("store and queue: \(storage.label)")
        report.note(
            "engine: Vigil's ReferenceComplianceEngine in process (streaming DTMF analysis of synthesised µ-law recordings); \(options.workers) workers"
        )

        let wall = clock.wall
        let faults = SimulatedGenesysCloud.Faults(
            transcodeEstimateMs: 1_500, expiredMediaURLs: max(3, n / 100),
            rateLimitBursts: .init(probability: 0.03, length: 2, statuses: [429], retryAfterSeconds: 2),
            serverErrorBursts: .init(probability: 0.03, length: 2, statuses: [502, 503, 504]),
            tokenExpiresAfterRequests: 400)
        let cloud = SimulatedGenesysCloud(configuration: .init(seed: options.seed, faults: faults), clock: clock)
        let client = GenesysCloudClient(
            region: cloud.region, credentials: cloud.credentials, transport: cloud,
            clock: clock, now: wall)

        // The recordings: every 10th customer keys a test card number; the others key nothing, a PIN,
        // a date, a phone number, or a 16-digit number that fails the Luhn check.
        let started = ContinuousClock.now
        var random = SplitMix64(seed: options.seed)
        let media = KeyedCallSynthesizer()
        var planned: [Planned] = []
        var transcoding = 0
        var uploads: [(at: Duration, recordingId: GenesysID)] = []
        for index in 0..<n {
            let violating = index % 10 == 0
            let keyed =
                violating
                ? KeyedCallSynthesizer.testCards[index / 10 % KeyedCallSynthesizer.testCards.count]
                : KeyedCallSynthesizer.cleanKeying[index % KeyedCallSynthesizer.cleanKeying.count]
            let polls = random.next() % 100 < 20 ? Int(1 + random.next() % 3) : 0
            if polls > 0 { transcoding += 1 }
            // 1 % are still uploading when their event arrives, for four minutes: longer than a worker
            // polls, so their jobs go back to the queue until the media exists.
            let uploading = index % 100 == 37
            let (cid, rid) = await cloud.addRecording(
                media: .bytes(media.wav(keying: keyed, variant: index % 3)),
                fileState: uploading ? .uploading : .available, transcodingPolls: polls)
            if uploading { uploads.append((.milliseconds(100 * index) + .seconds(240), rid)) }
            planned.append(Planned(conversationId: cid, recordingId: rid, violating: violating, keyed: keyed))
        }
        let violatingCount = planned.filter(\.violating).count
        report.note(
            "\(n) recordings synthesised in \(format(ContinuousClock.now - started)): \(violatingCount) with a Luhn-valid test card keyed, "
                + "\(n - violatingCount) clean or with non-card digits; \(transcoding) still transcoding when first asked, "
                + "\(uploads.count) still uploading for 4 minutes")
        report.note(
            "traps on: 202 transcoding, recordings still uploading, 429 and 5xx bursts, expired media URLs, token expiry every 400 requests, "
                + "every event delivered 1–3 times, conversation-end events for 10 % (fan-out)")

        // The pipeline, exactly as a host would build it.
        let store = storage.store
        let queue = storage.queue
        let sink = InMemoryDeadLetterSink()
        let statistics = PipelineStatistics()
        let ledger = SettlementLedger()
        let secret = "whsec_" + Base64.encode(Array("vigil-demo-webhook-secret-32-byt".utf8))
        let signer = try! WebhookSigner(scheme: .standardWebhooks, secrets: [secret])
        let verifier = try! WebhookVerifier(scheme: .standardWebhooks, secrets: [secret], now: wall)
        let receiver = WebhookReceiver(
            verifier: verifier, minimiser: EventMinimiser(include: [.recordingId, .direction, .channel]),
            tokenizer: KeyedEventTokenizer(key: Array("vigil-demo-token-key-32-bytes!!!".utf8))!,
            store: store, queue: queue, now: wall)
        let breaker = CircuitBreaker(
            name: "engine", configuration: .init(recordFailure: ComplianceEngineError.countsAgainstEngine),
            clock: clock)
        // Evidence: each violation's masked clip sealed (AES-256-GCM from the system libcrypto, a data key
        // per clip wrapped by the organisation's key) and the verdict's evidenceSnippet a signed link.
        let evidence = Evidence(directory: directory.appendingPathComponent("evidence"), now: wall)
        if evidence == nil { report.note("evidence sealing off: the system libcrypto (OpenSSL 3) could not be loaded") }
        let engine = CircuitBreakingComplianceEngine(
            base: ReferenceComplianceEngine(transport: cloud, evidence: evidence?.sink),
            breaker: breaker)
        let validator = VerdictValidator(signedEvidenceLinkBases: [Evidence.base.absoluteString])
        let pipeline = CompliancePipeline(
            receiver: receiver, client: client,
            evaluator: ComplianceEvaluator(engine: engine, validator: validator, now: wall),
            remediation: RemediationExecutor(actions: client, store: store, deadLetters: sink, clock: clock, now: wall),
            routing: RemediationRouting(flow: try! .defaultFlow(worktypeId: demoWorktype, reviewQueueId: demoReviewQueue)),
            store: store, deadLetters: sink, observer: ComplianceObservers([statistics, ledger]),
            configuration: PipelineConfiguration(queueMaxDeliveries: 10), clock: clock, now: wall)

        // Deliveries: 10 recordings a simulated second; each event 1–3 times (a platform retry of the
        // same delivery, or the same event under a new delivery id).
        var arrivals: [(at: Duration, body: [UInt8], id: String)] = []
        for (index, p) in planned.enumerated() {
            let at = Duration.milliseconds(100 * index)
            let body = recordingEvent("recordingCompleted", p, deliveryId: "dlv-\(index)", correlationId: "demo-\(index)")
            let copies = 1 + Int(random.next() % 3)
            for copy in 0..<copies {
                let id = copy == 2 ? "msg_\(index)_retry" : "msg_\(index)"
                arrivals.append((at + .seconds(3 * copy), body, id))
            }
            if index % 10 == 5 {
                arrivals.append((at + .seconds(1), conversationEnded(p.conversationId), "end_\(index)"))
            }
        }
        arrivals.sort { $0.at < $1.at }

        if let sample = planned.first(where: { $0.violating && $0.conversationId != planned.first?.conversationId }) ?? planned.first {
            ledger.trace(sample.recordingId)
        }
        let running = Task { await pipeline.run(workers: options.workers) }
        var next = arrivals[...]
        var pendingUploads = uploads[...]
        var shown = 0
        let realStart = ContinuousClock.now
        while true {
            while let arrival = next.first, arrival.at <= clock.now.offset {
                next.removeFirst()
                _ = await pipeline.receive(body: arrival.body, headers: signer.sign(body: arrival.body, id: arrival.id, now: clock.wallNow))
            }
            while let upload = pendingUploads.first, upload.at <= clock.now.offset {
                pendingUploads.removeFirst()
                await cloud.setFileState(.available, recordingId: upload.recordingId)
            }
            let settled = ledger.settledCount
            let percent = settled * 100 / n
            if percent / 10 > shown / 10 {
                shown = percent
                FileHandle.standardError.write(
                    Data(
                        String(
                            format: "   … %3d %% settled (%d of %d recordings; %@ simulated, %@ real)\n",
                            percent, settled, n, format(clock.now.offset),
                            format(ContinuousClock.now - realStart)
                        ).utf8))
            }
            if next.isEmpty, pendingUploads.isEmpty, statistics.inFlight == 0, (try? await storage.pending()) == 0 { break }
            await quiesce(clock: clock, statistics: statistics, workers: options.workers)
            let scheduled = [next.first?.at, pendingUploads.first?.at].compactMap { $0 }.min()
            if let scheduled, clock.nextDeadline.map({ scheduled < $0.offset }) ?? true {
                clock.advance(to: TestClock.Instant(offset: scheduled))
            } else {
                clock.advanceToNextDeadline()
            }
        }
        running.cancel()
        await running.value
        let realElapsed = ContinuousClock.now - realStart

        // The report.
        let s = statistics.snapshot
        let log = await cloud.requests
        let workitems = await cloud.workitems
        var workitemsByTag: [String: Int] = [:]
        for item in workitems { workitemsByTag[item.externalTag ?? "-", default: 0] += 1 }
        var annotationCounts: [GenesysID: Int] = [:]
        for p in planned { annotationCounts[p.recordingId] = await cloud.annotations(recordingId: p.recordingId).count }
        let letters = await sink.letters
        let queueLetters = (try? await queue.deadLetters()) ?? []

        report.section("Report (\(format(clock.now.offset)) simulated, \(format(realElapsed)) real)")
        let rows: [(String, String)] = [
            ("webhook deliveries received", "\(s.deliveries)"),
            ("  accepted (a job enqueued)", "\(s.accepted)"),
            ("  duplicates suppressed at ingest", "\(s.duplicateDeliveries)"),
            ("jobs leased (all deliveries)", "\(s.leased)"),
            ("  conversation fan-out: jobs enqueued / already there", "\(s.fannedOut) / \(s.fanOutDuplicates)"),
            ("  duplicate jobs absorbed (recording already evaluated)", "\(s.duplicateJobs)"),
            ("availability verified before download (refreshes included)", "\(s.recordingsReady)"),
            ("  202 transcoding answers polled through", "\(log.filter { $0.status == 202 && $0.host == .api }.count)"),
            ("  not-ready retries (back to the queue)", "\(s.notReadyRetries)"),
            ("  expired media links refreshed", "\(s.mediaLinksRefreshed)"),
            ("platform 429 / 5xx answers absorbed", "\(log.filter { $0.status == 429 }.count) / \(log.filter { ($0.status ?? 0) >= 500 }.count)"),
            ("OAuth token grants (expiry every 400 requests)", "\(log.filter { $0.host == .login && $0.status == 200 }.count)"),
            ("verdicts", s.verdicts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")),
            ("  violations by type", s.violationTypes.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")),
            ("policy decisions", s.decisions.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")),
            ("annotations created (read from the simulator)", "\(annotationCounts.values.reduce(0, +))"),
            ("work items created (read from the simulator)", "\(workitems.count)"),
            ("engine failures requeued", s.engineFailures.isEmpty ? "0" : s.engineFailures.map { "\($0.key) \($0.value)" }.joined(separator: ", ")),
            ("dead letters", "\(s.totalDeadLetters) (sink \(letters.count), queue \(queueLetters.count))"),
            (
                "time-to-flag P50 / P95 / P99 (first enqueue → remediation done)",
                "\(format(s.timeToFlag.p50)) / \(format(s.timeToFlag.p95)) / \(format(s.timeToFlag.p99))"
            )
        ]
        let width = rows.map(\.0.count).max() ?? 0
        for (label, value) in rows {
            print("   " + label + " " + String(repeating: ".", count: max(2, width + 2 - label.count)) + " " + value)
        }

        let trail = ledger.auditTrail
        if let first = trail.first {
            report.section("Audit trail of one flagged recording (what a ComplianceObserver receives; identifiers only)")
            for event in trail {
                let offset = event.at.timeIntervalSince(first.at)
                print(String(format: "   +%7.3f s  ", offset) + describe(event))
            }
        }

        report.section("Invariants")
        let violating = planned.filter(\.violating)
        let clean = planned.filter { !$0.violating }
        let tag = { (p: Planned) in RemediationPlanner.workitemExternalTag(recordingId: p.recordingId, blockId: "create_work_item") }
        let flaggedOnce = violating.filter { workitemsByTag[tag($0)] == 1 && annotationCounts[$0.recordingId] == 1 }
        report.check(
            "every violating recording flagged exactly once: \(flaggedOnce.count) of \(violating.count) have one annotation and one work item",
            flaggedOnce.count == violating.count && workitems.count == violating.count)
        let cleanFlagged = clean.filter { workitemsByTag[tag($0)] != nil || (annotationCounts[$0.recordingId] ?? 0) > 0 }
        report.check("no clean recording flagged (\(clean.count) clean, \(cleanFlagged.count) flagged)", cleanFlagged.isEmpty)
        let evaluated = ledger.settled
        let lost = planned.filter { !evaluated.contains($0.recordingId) }
        report.check(
            "nothing lost: \(evaluated.count) of \(n) recordings evaluated, queue empty, \(s.totalDeadLetters) dead letters",
            lost.isEmpty && s.totalDeadLetters == 0 && queueLetters.isEmpty && letters.isEmpty)
        report.check(
            "each flag carries the keyed offset: annotations sit where the card was keyed",
            await annotationsAtKeyedOffsets(cloud, violating))
        var attributed = 0, queueTouched = 0
        for recording in violating {
            for participant in await cloud.participants(conversationId: recording.conversationId) {
                guard let id = GenesysID(participant.id) else { continue }
                let attributes = await cloud.attributes(conversationId: recording.conversationId, participantId: id)
                if participant.purpose == "acd" { queueTouched += attributes.isEmpty ? 0 : 1; continue }
                let viaCalls = await cloud.attributesEndpoint(conversationId: recording.conversationId, participantId: id) == "calls"
                if attributes["compliance_status"] == "VIOLATION_DETECTED", viaCalls { attributed += 1 }
            }
        }
        report.check(
            "participant attributes on the customer and the agent of each flagged call (the conversation looked up, "
                + "written through /conversations/calls/…): \(attributed) of \(2 * violating.count); the queue untouched",
            attributed == 2 * violating.count && queueTouched == 0)
        if let evidence {
            await evidence.check(report, violating: Set(violating.map(\.recordingId.rawValue)))
        }
        report.check(
            "duplicates were suppressed, not processed: \(s.duplicateDeliveries) at ingest, \(s.duplicateJobs) by workers",
            s.accepted + s.duplicateDeliveries == s.deliveries && s.verdicts.values.reduce(0, +) == n)
        report.check(
            "no request carried a bearer token to the media host",
            !log.contains { $0.host == .media && $0.hadAuthorization })
    }

    /// The demo's evidence vault: files in the run's directory, sealed with the system libcrypto.
    struct Evidence {
        static let base = URL(string: "https://vigil.example.com/evidence")!
        let directory: URL
        let vault: EvidenceVault
        let links: EvidenceLinks
        let sink: SealedEvidenceSink

        init?(directory: URL, now: @escaping @Sendable () -> Date) {
            guard let sealer = try? SystemCryptoSealer.load(),
                let store = try? FileSystemEvidenceStore(directory: directory),
                let keys = try? SealingKeyProvider(
                    keys: ["org-kek-1": Array("vigil-demo-key-encryption-key-32".utf8)],
                    current: "org-kek-1", sealer: sealer),
                let links = try? EvidenceLinks(base: Self.base, secret: Array("vigil-demo-evidence-link-secret!".utf8), now: now)
            else { return nil }
            self.directory = directory
            vault = EvidenceVault(store: store, sealer: sealer, keys: keys, now: now)
            self.links = links
            sink = SealedEvidenceSink(vault: vault, links: links)
        }

        /// Opens every sealed clip: one per violating recording, each a masked WAV with no keyed card left.
        func check(_ report: Report, violating: Set<String>) async {
            let ids = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
                .filter { $0.hasSuffix(".vgev") }.map { String($0.dropLast(5)) }
            var recordings = Set<String>(), clean = 0, seconds = 0.0, envelopeBytes = 0
            for id in ids {
                guard let opened = try? await vault.open(id), let scan = try? FileScan.scan(opened.bytes) else { continue }
                recordings.insert(opened.header.recordingId)
                if scan.kind == .audio, scan.findings.isEmpty { clean += 1 }
                seconds += Double(scan.analysedMilliseconds) / 1000
                envelopeBytes +=
                    (try? FileManager.default.attributesOfItem(atPath: directory.appendingPathComponent(id + ".vgev").path)[.size] as? Int) ?? 0
            }
            let sample = ids.first.map { links.link(for: $0, expiresIn: .seconds(900)).absoluteString } ?? "none"
            report.check(
                "evidence sealed: \(ids.count) clips for \(violating.count) flagged recordings, each opened "
                    + "(AES-256-GCM, data key wrapped by org-kek-1), \(clean) masked with no keyed card left, "
                    + String(
                        format: "%.1f s of audio each on average, %d KiB sealed", ids.isEmpty ? 0 : seconds / Double(ids.count), envelopeBytes >> 10)
                    + "; evidenceSnippet e.g. \(sample.prefix(80))…",
                ids.count == violating.count && recordings == violating && clean == ids.count)
        }
    }

    /// The embedded default (SQLite in a temporary directory) or in-memory stores.
    struct Storage {
        let store: any IdempotencyStore
        let queue: any JobQueue<RecordingJob>
        let pending: @Sendable () async throws -> Int
        let label: String

        init(inMemory: Bool, directory: URL, now: @escaping @Sendable () -> Date) throws {
            if inMemory {
                let queue = InMemoryJobQueue<RecordingJob>(maxDeliveries: 10, capacity: 1_000_000, now: now)
                self.store = InMemoryIdempotencyStore(now: now)
                self.queue = queue
                self.pending = { await queue.pendingCount }
                self.label = "in memory (--in-memory)"
            } else {
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                let path = directory.appendingPathComponent("vigil.sqlite").path
                let queue = try SQLiteJobQueue<RecordingJob>(path: path, name: "recordings", maxDeliveries: 10, now: now)
                self.store = try SQLiteIdempotencyStore(path: path, now: now)
                self.queue = queue
                self.pending = { try await queue.pendingCount() }
                self.label = "SQLite, the embedded default (WAL, one file in a temporary directory, removed afterwards)"
            }
        }
    }

    /// One line for an audit-trail event: its name, its facts, its timing.
    static func describe(_ event: PipelineEvent) -> String {
        var text: String
        switch event.kind {
        case let .leased(kind, count): text = "leased \(kind) job (delivery \(count))"
        case .recordingReady: text = "recording available (verified before download)"
        case let .recordingNotReady(after): text = "recording not ready; back to the queue for \(format(after))"
        case .mediaLinkRefreshed: text = "media link expired; the job goes back for a fresh one"
        case let .verdict(verdict, type, confidence):
            text = "verdict \(verdict)\(type.map { " \($0)" } ?? "") confidence \(confidence)"
        case let .engineFailed(code, after): text = "engine failed \(code); retry in \(format(after))"
        case let .decision(action, priority, rule): text = "decision \(action) \(priority) (rule \(rule))"
        case let .remediationStep(block, action, outcome, attempts):
            text = "remediation \(block)/\(action): \(outcome) (\(attempts) call\(attempts == 1 ? "" : "s"))"
        case let .remediationFinished(status): text = "remediation \(status.rawValue)"
        case let .flagged(ttf): text = "flagged — time to flag \(format(ttf))"
        case let .retried(after, reason): text = "back to the queue for \(format(after)) (\(reason))"
        case .acked: text = "acknowledged"
        case .duplicateJob: text = "duplicate job: already evaluated, acknowledged"
        default: text = event.name
        }
        if let worker = event.worker { text += "  [worker \(worker)]" }
        if let duration = event.duration, duration > .zero { text += "  took \(format(duration))" }
        return text
    }

    static let demoWorktype = "4c7a1f0e-2b3d-4e5f-8a9b-0c1d2e3f4a5b"
    static let demoReviewQueue = "9e8d7c6b-5a49-4382-b1a0-f9e8d7c6b5a4"

    /// Waits until every worker is suspended on the clock, or nothing has happened for a little while
    /// (some workers wait for another's token refresh behind a backoff).
    static func quiesce(clock: TestClock, statistics: PipelineStatistics, workers: Int) async {
        var last = statistics.eventCount, still = 0
        while clock.sleeperCount < workers {
            try? await Task.sleep(for: .microseconds(100))
            let now = statistics.eventCount
            if now == last, clock.sleeperCount > 0 { still += 1 } else { still = 0 }
            last = now
            if still >= 50 { return }
        }
    }

    static func annotationsAtKeyedOffsets(_ cloud: SimulatedGenesysCloud, _ violating: [Planned]) async -> Bool {
        for p in violating {
            guard let annotation = await cloud.annotations(recordingId: p.recordingId).first,
                let location = annotation.location
            else { return false }
            let expected = Int64(KeyedCallSynthesizer.keyingOffsetMilliseconds(variant: 0))
            // Variants shift the keying by up to a second; the detector is accurate to a few ms.
            guard location >= expected - 20, location <= expected + 2_000 + 20 else { return false }
        }
        return true
    }

    static func recordingEvent(_ kind: String, _ p: Planned, deliveryId: String, correlationId: String) -> [UInt8] {
        Array(
            #"""
            {"id":"\#(deliveryId)","event":"recording:\#(kind)","timestamp":"2026-05-01T10:05:20.000Z","correlationId":"\#(correlationId)",\#
            "data":{"recordingId":"\#(p.recordingId)","conversationId":"\#(p.conversationId)","direction":"INBOUND","channel":"VOICE"}}
            """#.utf8)
    }

    static func conversationEnded(_ conversationId: GenesysID) -> [UInt8] {
        Array(
            #"""
            {"topicName":"v2.detail.events.conversation.\#(conversationId).customer.end","version":"2",\#
            "eventBody":{"eventTime":1780000000000,"conversationId":"\#(conversationId)","mediaType":"VOICE","direction":"INBOUND"},\#
            "metadata":{"CorrelationId":"\#(conversationId)"}}
            """#.utf8)
    }

    static func format(_ duration: Duration?) -> String {
        guard let duration else { return "-" }
        let seconds = duration.seconds
        return seconds < 10 ? String(format: "%.2f s", seconds) : String(format: "%.0f s", seconds)
    }

    // MARK: - A real organisation

    static func runLive(_ options: Options, _ report: Report) async {
        report.section("The pipeline against a real Genesys Cloud organisation (URLSessionTransport, real time)")
        guard let regionName = options.region, let clientId = options.clientId, let clientSecret = options.clientSecret else {
            report.check("--region, --client-id and --client-secret (or GENESYS_REGION/_CLIENT_ID/_CLIENT_SECRET) are all given", false)
            return
        }
        let region: GenesysRegion
        do { region = try GenesysRegion(string: regionName) } catch {
            report.check("region '\(regionName)' is known", false)
            return
        }
        let conversations = options.conversations.compactMap(GenesysID.init)
        guard !conversations.isEmpty, conversations.count == options.conversations.count else {
            report.check(
                "at least one --conversation <uuid> is given (the demo has no HTTP route for webhooks; it enqueues "
                    + "conversation-end jobs for the conversations named, as a backfill would)", false)
            return
        }
        let transport = URLSessionTransport()
        let client = GenesysCloudClient(
            region: region, credentials: GenesysCredentials(clientId: clientId, clientSecret: clientSecret),
            transport: transport)
        do {
            try await client.authenticate()
            report.check("authenticated with \(region.name) (client credentials)", true)
        } catch {
            report.check("authenticated with \(region.name) — \(error)", false)
            return
        }
        // Real organisation, real storage: the embedded default (never a test fake), in a working directory.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-live-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let storage: Storage
        do {
            storage = try Storage(inMemory: false, directory: directory, now: { Date() })
        } catch {
            report.check("the SQLite store and queue open in \(directory.path) (\(error))", false)
            return
        }
        let store = storage.store
        let queue = storage.queue
        let sink = InMemoryDeadLetterSink()
        let statistics = PipelineStatistics()
        let secret = "whsec_" + Base64.encode((0..<32).map { _ in UInt8.random(in: 0...255) })
        let receiver = WebhookReceiver(
            verifier: try! WebhookVerifier(scheme: .standardWebhooks, secrets: [secret]),
            minimiser: EventMinimiser(include: [.recordingId, .direction, .channel]),
            tokenizer: KeyedEventTokenizer(key: (0..<32).map { _ in UInt8.random(in: 0...255) })!,
            store: store, queue: queue)
        let actions: any RemediationActions
        let flow: RemediationFlow
        if options.remediate, let worktype = options.worktypeId, let reviewQueue = options.reviewQueueId {
            actions = client
            flow = try! .defaultFlow(worktypeId: worktype, reviewQueueId: reviewQueue)
            report.note("remediation is LIVE: annotations, tags, attributes and work items are written to the organisation")
        } else {
            actions = DryRunRemediationActions { print("   \($0)") }
            flow = try! .defaultFlow(
                worktypeId: options.worktypeId ?? "dry-run-worktype",
                reviewQueueId: options.reviewQueueId ?? "dry-run-review-queue")
            report.note("remediation is a dry run: each platform write is printed, not sent (--remediate to perform them)")
        }
        let breaker = CircuitBreaker(name: "engine", configuration: .init(recordFailure: ComplianceEngineError.countsAgainstEngine))
        let pipeline = CompliancePipeline(
            receiver: receiver, client: client,
            evaluator: ComplianceEvaluator(
                engine: CircuitBreakingComplianceEngine(
                    base: ReferenceComplianceEngine(transport: transport),
                    breaker: breaker)),
            remediation: RemediationExecutor(actions: actions, store: store, deadLetters: sink, clock: ContinuousClock()),
            routing: RemediationRouting(flow: flow), store: store, deadLetters: sink, observer: statistics,
            configuration: PipelineConfiguration(queueMaxDeliveries: 10))
        for (index, conversation) in conversations.enumerated() {
            try? await queue.enqueue(
                RecordingJob(
                    conversationId: conversation, kind: .conversationEnded,
                    correlationId: CorrelationID("vigil-demo-\(index)")!, receivedAt: Date(),
                    metadata: RecordingJobMetadata(source: .manual)))
        }
        let running = Task { await pipeline.run(workers: min(options.workers, 4)) }
        let deadline = ContinuousClock.now + .seconds(600)
        while ContinuousClock.now < deadline {
            try? await Task.sleep(for: .seconds(1))
            if (try? await storage.pending()) == 0, statistics.inFlight == 0 { break }
        }
        running.cancel()
        await running.value
        let s = statistics.snapshot
        report.note(
            "recordings evaluated \(s.recordingsReady), verdicts \(s.verdicts), decisions \(s.decisions), flagged \(s.flagged), "
                + "dead letters \(s.totalDeadLetters), time-to-flag P50 \(format(s.timeToFlag.p50))")
        report.check("every job settled within 10 minutes", (try? await storage.pending()) == 0)
        report.check("no dead letters", s.totalDeadLetters == 0)
    }
}

/// A command-line mistake.
struct UsageError: Error {
    let message: String
}
