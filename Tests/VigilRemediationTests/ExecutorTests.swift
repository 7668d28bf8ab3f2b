import Foundation
import Testing
import VigilCore
import VigilIdempotency
import VigilModels
import VigilPlatformClient
import VigilTesting

@testable import VigilRemediation

@Suite("RemediationExecutor")
struct ExecutorTests {
    // MARK: Shapes of the platform calls

    @Test func tagRecordingAnnotatesAtTheOffsetTagsAndSetsAttributes() async throws {
        let h = Harness()
        let report = try await h.run(h.executor(), try defaultFlow())
        #expect(report.status == .completed, "\(report)")
        #expect(report.steps.map(\.action) == [.validate, .annotation, .externalTag, .participantAttributes, .workitem])

        let annotations = await h.platform.annotations
        #expect(annotations.count == 1)
        let call = try #require(annotations.first)
        #expect(call.conversationId == conversationId)
        #expect(call.recordingId == recordingId)
        #expect(call.annotation.location == 124_500)
        #expect(call.annotation.durationMs == 0)
        #expect(call.annotation.name == "Compliance: PCI_MID_CAPTURE")
        #expect(call.annotation.type == "bookmark")
        #expect((call.annotation.description?.utf16.count ?? 0) <= Annotation.maxDescriptionLength)
        #expect(call.annotation.description?.contains("evt-sub-req-8847291") == true)
        #expect(call.annotation.description?.contains("masked_audio") == false, "evidence never leaves Vigil")

        let tags = await h.platform.externalTags
        #expect(tags.map(\.1) == ["compliance-flag"])
        #expect(tags.map(\.0) == [conversationId])

        let patches = await h.platform.attributePatches
        #expect(Set(patches.map(\.participantId)) == [customerId, agentId])
        #expect(patches.allSatisfy { $0.conversationId == conversationId })
        #expect(
            patches.first?.attributes.attributes == [
                "compliance_status": "VIOLATION_DETECTED", "violation_type": "PCI_MID_CAPTURE",
                "compliance_correlation_id": "evt-sub-req-8847291"
            ])
    }

    @Test func workItemCarriesPriorityQueueTypeAndADeterministicExternalTag() async throws {
        let h = Harness()
        let report = try await h.run(h.executor(), try defaultFlow())
        let creates = await h.platform.workitemCreates
        let body = try #require(creates.first)
        #expect(creates.count == 1)
        #expect(body.typeId == worktypeId)
        #expect(body.queueId == queueId)
        #expect(body.priority == 10)
        #expect(body.externalTag == "vigil-\(recordingId)-create_work_item")
        #expect(
            body.externalTag
                == RemediationPlanner.workitemExternalTag(
                    recordingId: recordingId,
                    blockId: "create_work_item"))
        #expect(body.name == "Compliance review PCI_MID_CAPTURE \(recordingId)")
        #expect(body.description?.contains("124500 ms") == true)
        #expect(
            report.step("create_work_item", .workitem)?.outcome
                == .ran(details: ["workitemId": "wi-1", "externalTag": body.externalTag!], recorded: true))
    }

    @Test func longDescriptionsAreCutToGenesysLimits() async throws {
        let long = String(repeating: "x", count: 600)
        let flow = try RemediationFlow(
            json: FlowLoadingTests.document(
                blocks: [
                    #"{"id":"tag","type":"tag_recording","settings":{"annotation":{"name":"n","description":"\#(long){data.recordingId}"}}}"#,
                    #"{"id":"wi","type":"create_work_item","settings":{"target":"workitem","typeId":"t","queueId":"q","name":"\#(long)","description":"\#(long)"}}"#
                ],
                transitions: [#"{"from":"Entry","to":"tag"}"#, #"{"from":"tag","to":"wi"}"#]))
        let h = Harness()
        let report = try await h.run(h.executor(), flow)
        #expect(report.status == .completed, "\(report)")
        let annotation = try #require(await h.platform.annotations.first).annotation
        #expect(annotation.description?.count == 500)
        let workitem = try #require(await h.platform.workitemCreates.first)
        #expect(workitem.name.count == 256)
        #expect(workitem.description?.count == 512)
    }

    @Test func anOffsetPastTheEndIsClampedToTheRecordingDuration() async throws {
        let h = Harness()
        _ = try await h.run(
            h.executor(), try defaultFlow(), verdict: makeVerdict(offset: 999_000),
            context: makeContext(duration: 312_000))
        #expect(await h.platform.annotations.first?.annotation.location == 312_000)
    }

    @Test func seedFlowWritesADataTableRowKeyedByRecording() async throws {
        let h = Harness()
        let report = try await h.run(h.executor(), try seedFlow())
        #expect(report.status == .completed, "\(report)")
        let rows = await h.platform.rows["compliance_work_items_dataset"]
        let row = try #require(rows?[recordingId.rawValue])
        #expect(row.key == recordingId.rawValue)
        #expect(
            row.columns == [
                "key": .string(recordingId.rawValue), "recordingId": .string(recordingId.rawValue),
                "violationType": "PCI_MID_CAPTURE", "assignedQueue": "compliance_review_queue", "priority": "high"
            ])
        // The seed's recording tags became participant attributes.
        #expect(
            await h.platform.attributePatches.first?.attributes.attributes
                == ["compliance_status": "VIOLATION_DETECTED", "violation_type": "PCI_MID_CAPTURE"])
        #expect(await h.platform.annotations.count == 1)
    }

    @Test func legalHoldProtectsTheConversation() async throws {
        let flow = try RemediationFlow(
            json: FlowLoadingTests.document(
                blocks: [#"{"id":"hold","type":"legal_hold"}"#], transitions: [#"{"from":"Entry","to":"hold"}"#]))
        let h = Harness()
        let report = try await h.run(h.executor(), flow)
        #expect(report.status == .completed)
        #expect(await h.platform.legalHolds == [[conversationId]])
    }

    @Test func branchRunsOnlyTheChosenArm() async throws {
        let flow = try RemediationFlow(
            json: FlowLoadingTests.document(
                blocks: [
                    #"{"id":"gate","type":"branch","settings":{"field":"violationType","operator":"in","values":["PCI_MID_CAPTURE"]}}"#,
                    #"{"id":"hold","type":"legal_hold"}"#,
                    #"{"id":"tag","type":"tag_recording","settings":{"externalTag":"other"}}"#
                ],
                transitions: [
                    #"{"from":"Entry","to":"gate"}"#, #"{"from":"gate","to":"hold","when":false}"#,
                    #"{"from":"gate","to":"tag","when":true}"#
                ]))
        let h = Harness()
        let report = try await h.run(h.executor(), flow)
        #expect(report.steps.map(\.action) == [.branch, .externalTag])
        #expect(report.steps.first?.outcome == .ran(details: ["result": "true"], recorded: false))
        #expect(await h.platform.legalHolds.isEmpty)
    }

    // MARK: Exactly once

    @Test func threeSequentialRunsFlagOnce() async throws {
        let h = Harness()
        let executor = h.executor()
        let flow = try defaultFlow()
        var reports: [RemediationReport] = []
        for _ in 0..<3 { reports.append(try await h.run(executor, flow)) }
        #expect(await h.platform.annotations.count == 1)
        #expect(await h.platform.workitems.count == 1)
        #expect(await h.platform.count(.externalTag) == 1)
        #expect(await h.platform.count(.attributes) == 2)
        for report in reports.dropFirst() {
            #expect(report.status == .completed)
            let sideEffects = report.steps.filter { $0.idempotencyKey != nil }
            #expect(sideEffects.count == 4)
            #expect(sideEffects.allSatisfy { $0.outcome.label == "skipped-already-done" }, "\(report)")
        }
        guard case let .skippedAlreadyDone(stored)? = reports[2].step("create_work_item", .workitem)?.outcome else {
            Issue.record("work item not skipped"); return
        }
        #expect(stored.details["workitemId"] == "wi-1")
    }

    @Test func tenConcurrentRunsFlagOnce() async throws {
        let h = Harness()
        let executor = h.executor()
        let flow = try defaultFlow()
        let reports = try await withThrowingTaskGroup(of: RemediationReport.self) { group in
            for _ in 0..<10 {
                group.addTask { try await executor.run(flow, verdict: makeVerdict(), context: makeContext()) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(await h.platform.annotations.count == 1)
        #expect(await h.platform.workitems.count == 1)
        #expect(await h.platform.count(.createWorkitem) == 1)
        #expect(await h.platform.count(.externalTag) == 1)
        #expect(reports.allSatisfy { $0.status == .completed || $0.status == .deferred })
        #expect(reports.contains { $0.status == .completed })
        // A worker that met a claim in progress stopped without touching the platform for that step.
        for report in reports where report.status == .deferred {
            #expect(report.steps.last?.outcome.label == "in-progress-elsewhere")
        }
        // The redelivery after the deferrals finds everything done.
        let final = try await h.run(executor, flow)
        #expect(final.status == .completed)
        #expect(final.steps.filter { $0.idempotencyKey != nil }.allSatisfy { $0.outcome.label == "skipped-already-done" })
        #expect(await h.platform.workitems.count == 1)
    }

    @Test func crashAfterTheWorkItemWasCreatedIsRecoveredByExternalTag() async throws {
        let h = Harness()
        let crashable = CrashableStore(inner: h.store)
        let executor = h.executor(store: crashable)
        let flow = try defaultFlow()
        // The worker dies right after Genesys created the work item: its completion never lands.
        await h.platform.onWorkitemCreated { await crashable.crash() }
        _ = try await h.run(executor, flow)
        #expect(await h.platform.workitems.count == 1)

        // The next process: the dead worker's claim is still live, so the step waits for its lease…
        await crashable.revive()
        await h.platform.onWorkitemCreated {}
        let early = try await h.run(executor, flow)
        #expect(early.status == .deferred)
        #expect(early.step("create_work_item", .workitem)?.outcome.label == "in-progress-elsewhere")

        // …and once the lease has expired, the retry finds the work item instead of creating a second.
        h.clock.advance(by: RemediationExecutorConfiguration().lease + .seconds(1))
        let recovered = try await h.run(executor, flow)
        #expect(recovered.status == .completed, "\(recovered)")
        #expect(
            recovered.step("create_work_item", .workitem)?.outcome
                == .foundExisting(details: ["workitemId": "wi-1", "externalTag": "vigil-\(recordingId)-create_work_item"]))
        #expect(await h.platform.workitems.count == 1)
        #expect(await h.platform.count(.createWorkitem) == 1)
        // And from then on it is simply done.
        let after = try await h.run(executor, flow)
        #expect(after.step("create_work_item", .workitem)?.outcome.label == "skipped-already-done")
    }

    @Test func crashAfterTheAnnotationWasCreatedIsRecoveredByLookup() async throws {
        let h = Harness()
        let crashable = CrashableStore(inner: h.store)
        let executor = h.executor(store: crashable)
        await h.platform.onAnnotationCreated { await crashable.crash() }
        _ = try await h.run(executor, try defaultFlow())
        await crashable.revive()
        await h.platform.onAnnotationCreated {}
        h.clock.advance(by: RemediationExecutorConfiguration().lease + .seconds(1))
        let recovered = try await h.run(executor, try defaultFlow())
        #expect(recovered.status == .completed, "\(recovered)")
        #expect(
            recovered.step("tag_recording", .annotation)?.outcome
                == .foundExisting(details: ["annotationId": "ann-1", "location": "124500"]))
        #expect(await h.platform.annotations.count == 1)
    }

    @Test func withoutAnAnnotationLookupTheCrashWindowIsTheDocumentedOne() async throws {
        // A port that keeps the default `findAnnotation` (nil) re-creates the annotation after such a
        // crash — the residual window the module documentation states. Work items are still safe.
        let h = Harness()
        await h.platform.setAnnotationLookup(false)
        let crashable = CrashableStore(inner: h.store)
        let executor = h.executor(store: crashable)
        await h.platform.onAnnotationCreated { await crashable.crash() }
        _ = try await h.run(executor, try defaultFlow())
        await crashable.revive()
        await h.platform.onAnnotationCreated {}
        h.clock.advance(by: RemediationExecutorConfiguration().lease + .seconds(1))
        _ = try await h.run(executor, try defaultFlow())
        #expect(await h.platform.annotations.count == 2)
        #expect(await h.platform.workitems.count == 1)
    }

    @Test func aDataTableRowThatAlreadyExistsIsFoundNotDuplicated() async throws {
        let h = Harness()
        let crashable = CrashableStore(inner: h.store)
        let executor = h.executor(store: crashable)
        let flow = try seedFlow()
        _ = try await h.platform.addDataTableRow(
            datatableId: "compliance_work_items_dataset",
            row: DataTableRow(key: recordingId.rawValue))  // an earlier, unrecorded attempt
        let report = try await h.run(executor, flow)
        #expect(
            report.step("create_work_item", .dataTableRow)?.outcome
                == .foundExisting(details: ["rowKey": recordingId.rawValue]))
        #expect(report.status == .completed)
    }

    // MARK: Failures

    @Test func aTransientFailureStopsTheRunAfterOneCallAndTheNextRunFinishes() async throws {
        let h = Harness()
        await h.platform.fail(.createWorkitem, with: [FakeAPIError(status: 503)])
        let executor = h.executor()
        let first = try await h.run(executor, try defaultFlow())
        #expect(first.status == .retryLater, "\(first)")
        let failed = try #require(first.step("create_work_item", .workitem))
        #expect(failed.attempts == 1, "the executor calls once: repeating a call is the client's job")
        #expect(failed.outcome == .failedTransient(reason: FakeAPIError(status: 503).description))
        #expect(h.clock.now.offset == .zero, "no backoff wait inside the executor")
        #expect(await h.platform.count(.createWorkitem) == 1)

        let second = try await h.run(executor, try defaultFlow())
        #expect(second.status == .completed)
        #expect(second.step("tag_recording", .annotation)?.outcome.label == "skipped-already-done")
        #expect(second.step("create_work_item", .workitem)?.outcome.label == "ran")
        #expect(await h.platform.workitems.count == 1)
    }

    @Test func transientFailuresThatOutlastRetriesReleaseTheClaimForALaterRun() async throws {
        let h = Harness()
        await h.platform.failAlways(.externalTag, with: FakeAPIError(status: 503))
        let executor = h.executor()
        let first = try await h.run(executor, try defaultFlow())
        #expect(first.status == .retryLater)
        let step = try #require(first.step("tag_recording", .externalTag))
        #expect(step.attempts == 1)
        #expect(step.outcome == .failedTransient(reason: FakeAPIError(status: 503).description))
        #expect(first.step("create_work_item", .workitem) == nil, "the flow stops at the failed step")
        #expect(await h.sink.letters.isEmpty, "transient failures are not dead letters")

        await h.platform.clearFaults()
        let second = try await h.run(executor, try defaultFlow())
        #expect(second.status == .completed)
        #expect(second.step("tag_recording", .annotation)?.outcome.label == "skipped-already-done")
        #expect(second.step("tag_recording", .externalTag)?.outcome.label == "ran")
        #expect(await h.platform.annotations.count == 1)
    }

    @Test func permanentFailureIsDeadLetteredWithTheReasonAndReported() async throws {
        let h = Harness()
        await h.platform.failAlways(.createWorkitem, with: FakeAPIError(status: 400))
        let executor = h.executor()
        let report = try await h.run(executor, try defaultFlow())
        #expect(report.status == .deadLettered)
        let step = try #require(report.step("create_work_item", .workitem))
        #expect(step.attempts == 1, "a permanent failure is not retried")
        guard case let .deadLettered(reason) = step.outcome else { Issue.record("\(step)"); return }
        #expect(reason.contains("platform.status400"))
        #expect(reason.contains("create_work_item"))

        let letters = await h.sink.letters
        #expect(letters.count == 1)
        let letter = try #require(letters.first)
        #expect(letter.blockId == "create_work_item")
        #expect(letter.action == "workitem")
        #expect(letter.errorCode == "platform.status400")
        #expect(letter.recordingId == recordingId)
        #expect(letter.conversationId == conversationId)
        #expect(letter.correlationId.rawValue == "evt-sub-req-8847291")
        #expect(letter.reason == reason)
        #expect(letter.attempts == 1)

        // A redelivery does not retry it, nor dead-letter it twice.
        let again = try await h.run(executor, try defaultFlow())
        #expect(again.status == .deadLettered)
        #expect(again.step("create_work_item", .workitem)?.outcome.label == "skipped-already-done")
        #expect(await h.sink.letters.count == 1)
        #expect(await h.platform.count(.createWorkitem) == 1)
    }

    @Test func oneRuleClassifiesEveryFailureAboveTheClient() {
        let rateLimited = GenesysAPIError(code: .rateLimited, status: 429, detail: "slow down", retryAfter: .seconds(7))
        #expect(FailureClass(rateLimited) == .transient(suggestedDelay: .seconds(7)))
        #expect(FailureClass(GenesysAPIError(code: .badRequest, status: 400, detail: "no")) == .permanent)
        #expect(FailureClass(FakeAPIError(status: 503)) == .transient(suggestedDelay: nil))
        #expect(FailureClass(LeakyError()) == .permanent, "a foreign error is never retried blindly")
        #expect(FailureClass(CancellationError()) == .cancelled)
        #expect(
            FailureClass(CircuitBreakerOpenError(code: .open, breaker: "engine", retryAfter: .seconds(20)))
                == .transient(suggestedDelay: .seconds(20)))
    }

    @Test func aForeignErrorsDescriptionNeverReachesTheDeadLetter() async throws {
        let h = Harness()
        await h.platform.fail(.legalHold, with: [LeakyError()])
        let flow = try RemediationFlow(
            json: FlowLoadingTests.document(
                blocks: [#"{"id":"hold","type":"legal_hold"}"#], transitions: [#"{"from":"Entry","to":"hold"}"#]))
        let report = try await h.run(h.executor(), flow)
        #expect(report.status == .deadLettered)
        let letter = try #require(await h.sink.letters.first)
        #expect(!letter.reason.contains("4111"))
        #expect(!letter.description.contains("4111"))
        #expect(letter.errorCode == "LeakyError")
    }

    @Test func aFailingDeadLetterSinkMakesTheStepTransientSoNothingIsLost() async throws {
        let h = Harness()
        await h.platform.fail(.createWorkitem, with: [FakeAPIError(status: 404)])
        let report = try await h.run(h.executor(sink: FailingDeadLetterSink(error: FakeAPIError(status: 503))), try defaultFlow())
        #expect(report.status == .retryLater)
        #expect(report.step("create_work_item", .workitem)?.outcome.label == "failed-transient")
    }

    @Test func aCompliantVerdictIsRefusedByValidatePayload() async throws {
        let h = Harness()
        let report = try await h.run(
            h.executor(), try defaultFlow(),
            verdict: makeVerdict(verdict: .compliant, type: nil))
        #expect(report.status == .deadLettered)
        #expect(report.steps.count == 1)
        #expect(report.steps.first?.outcome.label == "dead-lettered")
        #expect(await h.platform.annotations.isEmpty)
        #expect(await h.platform.workitems.isEmpty)
        #expect(await h.sink.letters.first?.errorCode == "remediation.verdictRejected")
    }

    @Test func aVerdictForAnotherRecordingChangesNothing() async throws {
        let h = Harness()
        await #expect(throws: RemediationError.self) {
            _ = try await h.executor().run(
                try defaultFlow(), verdict: makeVerdict(recording: .random()),
                context: makeContext())
        }
        #expect(await h.platform.count(.annotation) == 0)
    }

    @Test func theSameStepWithDifferentInputsIsAConflictNotASecondAction() async throws {
        let h = Harness()
        let executor = h.executor()
        _ = try await h.run(executor, try defaultFlow(), verdict: makeVerdict(confidence: 0.94))
        let changed = try await h.run(executor, try defaultFlow(), verdict: makeVerdict(confidence: 0.71))
        #expect(changed.status == .deadLettered)
        guard case let .deadLettered(reason)? = changed.step("tag_recording", .annotation)?.outcome else {
            Issue.record("\(changed)"); return
        }
        #expect(reason.contains("remediation.idempotencyConflict"))
        #expect(await h.platform.annotations.count == 1)
    }

    @Test func theReportListsEveryStepWithKeysAndTimings() async throws {
        let h = Harness()
        let report = try await h.run(h.executor(), try defaultFlow())
        #expect(report.flowName == "VigilDefaultRemediation")
        #expect(report.recordingId == recordingId)
        #expect(
            report.step("tag_recording", .annotation)?.idempotencyKey
                == "vigil.remediation:\(recordingId):tag_recording:annotation")
        #expect(report.step("validate_payload", .validate)?.idempotencyKey == nil)
        #expect(report.steps.allSatisfy { $0.duration >= .zero })
        #expect(report.description.contains("tag_recording/annotation: ran"))
    }
}
