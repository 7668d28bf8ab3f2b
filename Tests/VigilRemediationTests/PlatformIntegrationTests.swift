import Foundation
import Testing
import VigilCore
import VigilIdempotency
import VigilModels
import VigilPlatformClient
import VigilTesting

@testable import VigilRemediation

/// The executor through the `GenesysCloudClient` adapter against `SimulatedGenesysCloud`: real request
/// shapes, real endpoints, simulated platform state.
@Suite("RemediationExecutor on SimulatedGenesysCloud")
struct PlatformIntegrationTests {
    struct Environment {
        let clock = TestClock()
        let sim: SimulatedGenesysCloud
        let client: GenesysCloudClient
        let store: InMemoryIdempotencyStore
        let sink = InMemoryDeadLetterSink()

        init() {
            sim = SimulatedGenesysCloud(clock: clock)
            client = GenesysCloudClient(
                region: sim.region, credentials: sim.credentials, transport: sim,
                clock: clock, now: clock.wall)
            store = InMemoryIdempotencyStore(now: clock.wall)
        }

        func executor(store: (any IdempotencyStore)? = nil) -> RemediationExecutor<TestClock> {
            RemediationExecutor(actions: client, store: store ?? self.store, deadLetters: sink, clock: clock, now: clock.wall)
        }

        func run(
            _ executor: RemediationExecutor<TestClock>, _ flow: RemediationFlow, recordingId: GenesysID,
            conversationId: GenesysID, participantIds: [GenesysID] = [customerId, agentId]
        ) async throws -> RemediationReport {
            let context = RemediationContext(
                conversationId: conversationId, recordingId: recordingId,
                participantIds: participantIds, recordingDurationMs: 312_000)
            let task = Task { try await executor.run(flow, verdict: makeVerdict(recording: recordingId), context: context) }
            let driver = Task { [clock] in
                while !Task.isCancelled {
                    await clock.runUntilIdle()
                    await Task.yield()
                }
            }
            defer { driver.cancel() }
            return try await task.value
        }
    }

    @Test func defaultFlowFlagsOnceThroughTheRealEndpoints() async throws {
        let env = Environment()
        let (cid, rid) = await env.sim.addRecording()
        let executor = env.executor()
        let flow = try defaultFlow()
        for _ in 0..<3 {
            let report = try await env.run(executor, flow, recordingId: rid, conversationId: cid)
            #expect(report.status == .completed, "\(report)")
        }
        let concurrent = try await withThrowingTaskGroup(of: RemediationReport.Status.self) { group in
            for _ in 0..<5 {
                group.addTask { try await env.run(executor, flow, recordingId: rid, conversationId: cid).status }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(concurrent.allSatisfy { $0 == .completed })

        let annotations = await env.sim.annotations(recordingId: rid)
        #expect(annotations.count == 1)
        #expect(annotations.first?.location == 124_500)
        #expect(annotations.first?.name == "Compliance: PCI_MID_CAPTURE")
        #expect(await env.sim.externalTag(conversationId: cid) == "compliance-flag")
        #expect(await env.sim.attributes(conversationId: cid, participantId: customerId)["violation_type"] == "PCI_MID_CAPTURE")
        let workitems = await env.sim.workitems
        #expect(workitems.count == 1)
        #expect(workitems.first?.externalTag == "vigil-\(rid)-create_work_item")
        #expect(workitems.first?.queueId == queueId)
        #expect(workitems.first?.priority == 10)
    }

    @Test func seedFlowWritesTheDataTableRow() async throws {
        let env = Environment()
        let (cid, rid) = await env.sim.addRecording()
        let report = try await env.run(env.executor(), try seedFlow(), recordingId: rid, conversationId: cid)
        #expect(report.status == .completed, "\(report)")
        let rows = await env.sim.dataTableRows(datatableId: "compliance_work_items_dataset")
        #expect(rows[rid.rawValue]?["violationType"] == "PCI_MID_CAPTURE")
        #expect(rows[rid.rawValue]?["priority"] == "high")
    }

    @Test func aWorkerThatDiedAfterEveryCallIsRecoveredWithoutDuplicates() async throws {
        let env = Environment()
        let (cid, rid) = await env.sim.addRecording()
        let crashable = CrashableStore(inner: env.store)
        let executor = env.executor(store: crashable)
        await crashable.crash()  // every platform call lands; no completion is ever stored
        _ = try await env.run(executor, try defaultFlow(), recordingId: rid, conversationId: cid)
        await crashable.revive()
        env.clock.advance(by: RemediationExecutorConfiguration().lease + .seconds(1))
        let report = try await env.run(executor, try defaultFlow(), recordingId: rid, conversationId: cid)
        #expect(report.status == .completed, "\(report)")
        #expect(report.step("tag_recording", .annotation)?.outcome.label == "found-existing")
        #expect(report.step("create_work_item", .workitem)?.outcome.label == "found-existing")
        #expect(await env.sim.annotations(recordingId: rid).count == 1)
        #expect(await env.sim.workitems.count == 1)
        #expect(await env.sim.requests.contains { $0.method == "POST" && $0.path.hasSuffix("/workitems/query") })
    }

    @Test func anExistingRowIsReportedFoundThroughThe409() async throws {
        let env = Environment()
        let (cid, rid) = await env.sim.addRecording()
        _ = try await env.client.addDataTableRow(DataTableRow(key: rid.rawValue), datatableId: "compliance_work_items_dataset")
        let report = try await env.run(env.executor(), try seedFlow(), recordingId: rid, conversationId: cid)
        #expect(report.step("create_work_item", .dataTableRow)?.outcome.label == "found-existing", "\(report)")
    }

    @Test func platformRefusalIsDeadLetteredWithTheClientsReason() async throws {
        let env = Environment()
        let (cid, rid) = await env.sim.addRecording()
        await env.sim.failNext(1, status: 400, pathContains: "/tags")
        let report = try await env.run(env.executor(), try defaultFlow(), recordingId: rid, conversationId: cid)
        #expect(report.status == .deadLettered, "\(report)")
        let letter = try #require(await env.sink.letters.first)
        #expect(letter.errorCode == "genesys.badRequest")
        #expect(letter.reason.contains("HTTP 400"))
        #expect(await env.sim.workitems.isEmpty, "the flow stopped at the failed step")
    }

    @Test func transientBurstsAreSurvived() async throws {
        let env = Environment()
        let (cid, rid) = await env.sim.addRecording()
        // Shorter than the client's 5 attempts: absorbed inside the one call.
        await env.sim.failNext(4, status: 503, pathContains: "/participants/")
        let absorbed = try await env.run(env.executor(), try defaultFlow(), recordingId: rid, conversationId: cid)
        #expect(absorbed.status == .completed, "\(absorbed)")
        #expect(absorbed.step("tag_recording", .participantAttributes)?.attempts == 1)
    }

    @Test func aBurstLongerThanTheClientsAttemptsIsLeftToTheNextDelivery() async throws {
        let env = Environment()
        let (cid, rid) = await env.sim.addRecording()
        await env.sim.failNext(6, status: 503, pathContains: "/participants/")
        let executor = env.executor()
        let first = try await env.run(executor, try defaultFlow(), recordingId: rid, conversationId: cid)
        #expect(first.status == .retryLater, "the executor does not loop around the client: \(first)")
        #expect(await env.sim.requests.filter { $0.status == 503 }.count == 5, "the client's 5 attempts, once")
        let report = try await env.run(executor, try defaultFlow(), recordingId: rid, conversationId: cid)
        #expect(report.status == .completed, "\(report)")
        #expect(await env.sim.attributes(conversationId: cid, participantId: agentId)["compliance_status"] == "VIOLATION_DETECTED")
        #expect(await env.sim.requests.filter { $0.status == 503 }.count == 6, "the burst really happened")
    }

    @Test func legalHoldProtectsTheConversationsRecordingsOnce() async throws {
        let env = Environment()
        let (cid, rid) = await env.sim.addRecording()
        let (other, _) = await env.sim.addRecording()
        let flow = try RemediationFlow(
            json: FlowLoadingTests.document(
                blocks: [#"{"id":"hold","type":"legal_hold"}"#], transitions: [#"{"from":"Entry","to":"hold"}"#]))
        let executor = env.executor()
        for _ in 0..<2 {
            let report = try await env.run(executor, flow, recordingId: rid, conversationId: cid)
            #expect(report.status == .completed, "\(report)")
        }
        #expect(await env.sim.isDeletionProtected(conversationId: cid))
        #expect(await !env.sim.isDeletionProtected(conversationId: other))
        let holds = await env.sim.requests.filter { $0.path.hasSuffix("/api/v2/recordings/deletionprotection") }
        #expect(holds.count == 1, "the second run finds the step done")
        #expect(await env.sink.letters.isEmpty)
    }

    @Test func deletionProtectionRefusesBadInputBeforeAnyRequest() async throws {
        let env = Environment()
        let before = await env.sim.requests.count
        await #expect(throws: GenesysAPIError.self) { try await env.client.setDeletionProtection(true, conversationIds: []) }
        let many = (0..<101).map { _ in GenesysID(UUID().uuidString.lowercased())! }
        await #expect(throws: GenesysAPIError.self) { try await env.client.setDeletionProtection(true, conversationIds: many) }
        let one = GenesysID(UUID().uuidString.lowercased())!
        await #expect(throws: GenesysAPIError.self) { try await env.client.setDeletionProtection(true, conversationIds: [one, one]) }
        #expect(await env.sim.requests.count == before)
    }

    @Test func withoutParticipantIdsTheConversationIsLookedUpAndItsCustomerAndAgentGetTheAttributes() async throws {
        let env = Environment()
        let (cid, rid) = await env.sim.addRecording()
        let participants = await env.sim.participants(conversationId: cid)
        #expect(participants.map(\.purpose) == ["customer", "acd", "agent"])
        let executor = env.executor()
        for _ in 0..<2 {
            let report = try await env.run(executor, try defaultFlow(), recordingId: rid, conversationId: cid, participantIds: [])
            #expect(report.status == .completed, "\(report)")
        }
        for participant in participants {
            let id = GenesysID(participant.id)!
            let attributes = await env.sim.attributes(conversationId: cid, participantId: id)
            if participant.purpose == "acd" {
                #expect(attributes.isEmpty, "the queue is not a person")
            } else {
                #expect(attributes["compliance_status"] == "VIOLATION_DETECTED")
                #expect(
                    await env.sim.attributesEndpoint(conversationId: cid, participantId: id) == "calls",
                    "a voice participant's attributes go through /conversations/calls/…")
            }
        }
        let lookups = await env.sim.requests.filter { $0.method == "GET" && $0.path.hasSuffix("/api/v2/conversations/\(cid.rawValue)") }
        #expect(lookups.count == 1, "the second run finds the step done")
    }

    @Test func participantPurposesPickWhoGetsTheAttributes() async throws {
        let env = Environment()
        let (cid, rid) = await env.sim.addRecording()
        // A chat: the customer on a chat, the agent too; only the customer is named.
        let customer = Conversation.Participant(id: UUID().uuidString.lowercased(), purpose: "customer", chats: [.init(id: "c1")])
        let agent = Conversation.Participant(id: UUID().uuidString.lowercased(), purpose: "agent", chats: [.init(id: "c2")])
        await env.sim.setParticipants([customer, agent], conversationId: cid)
        let flow = try RemediationFlow(
            json: FlowLoadingTests.document(
                blocks: [
                    #"{"id":"attrs","type":"tag_recording","settings":{"participantAttributes":{"flag":"{data.verdict}"},"participantPurposes":["customer"]}}"#
                ],
                transitions: [#"{"from":"Entry","to":"attrs"}"#]))
        let report = try await env.run(env.executor(), flow, recordingId: rid, conversationId: cid, participantIds: [])
        #expect(report.status == .completed, "\(report)")
        #expect(await env.sim.attributes(conversationId: cid, participantId: GenesysID(customer.id)!) == ["flag": "VIOLATION_DETECTED"])
        #expect(await env.sim.attributesEndpoint(conversationId: cid, participantId: GenesysID(customer.id)!) == "chats")
        #expect(await env.sim.attributes(conversationId: cid, participantId: GenesysID(agent.id)!).isEmpty)
    }

    @Test func aParticipantWhoseIdIsNotAGenesysIdIsRefusedBeforeAnyRequest() async throws {
        let env = Environment()
        let (cid, _) = await env.sim.addRecording()
        let odd = Conversation.Participant(id: "not-a-genesys-id", purpose: "customer", chats: [.init(id: "c1")])
        let attributes = ParticipantAttributes(attributes: ["flag": "x"])
        let isUnsupported: (any Error) -> Bool = { ($0 as? RemediationActionError)?.code == .unsupported }
        let before = await env.sim.requests.count
        // The client's media-specific endpoint, and the port's default for other conformers.
        do {
            try await env.client.patchParticipantAttributes(conversationId: cid, participant: odd, attributes: attributes)
            Issue.record("the client accepted a participant id that is not a Genesys id")
        } catch { #expect(isUnsupported(error), "\(error)") }
        #expect(await env.sim.requests.count == before, "nothing was sent for an id the platform cannot address")
        let fake = FakePlatform()
        do {
            try await fake.patchParticipantAttributes(conversationId: cid, participant: odd, attributes: attributes)
            Issue.record("the port's default accepted a participant id that is not a Genesys id")
        } catch { #expect(isUnsupported(error), "\(error)") }
        #expect(await fake.attributePatches.isEmpty)
    }

    @Test func participantPurposesAreChecked() {
        for (settings, detail) in [
            (#""participantPurposes":[]"#, "non-empty"), (#""participantPurposes":"customer""#, "list of strings"),
            (#""participantPurposes":["cus tomer"]"#, "non-empty list")
        ] {
            #expect {
                try RemediationFlow(
                    json: FlowLoadingTests.document(
                        blocks: [#"{"id":"a","type":"tag_recording","settings":{"participantAttributes":{"x":"y"},"# + settings + "}}"],
                        transitions: [#"{"from":"Entry","to":"a"}"#]))
            } throws: { error in
                (error as? RemediationFlowError).map { $0.code == .invalidSetting && $0.detail.contains(detail) } ?? false
            }
        }
        #expect {
            try RemediationFlow(
                json: FlowLoadingTests.document(
                    blocks: [#"{"id":"a","type":"tag_recording","settings":{"externalTag":"t","participantPurposes":["agent"]}}"#],
                    transitions: [#"{"from":"Entry","to":"a"}"#]))
        } throws: { error in
            (error as? RemediationFlowError)?.detail.contains("only applies with participantAttributes") ?? false
        }
    }
}
