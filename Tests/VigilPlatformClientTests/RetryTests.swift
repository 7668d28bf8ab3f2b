import Foundation
import Testing
import VigilCore
import VigilModels
import VigilPlatformClient
import VigilTesting

@Suite("Retries, deadlines, cancellation, idempotency")
struct ClientRetryTests {
    @Test func rateLimitHonoursRetryAfterExactly() async throws {
        let h = Harness()
        let (cid, _) = await h.cloud.addRecording()
        await h.cloud.failNext(2, status: 429, retryAfterSeconds: 7)
        let client = h.client
        _ = try await h.drive { try await client.recordingMetadata(conversationId: cid) }
        #expect(h.clock.now.offset == .seconds(14))
        #expect(await h.apiRequests().map(\.status) == [429, 429, 200])
    }

    @Test func serverErrorBurstIsRetried() async throws {
        let h = Harness()
        let (cid, _) = await h.cloud.addRecording()
        await h.cloud.failNext(1, status: 502)
        await h.cloud.failNext(1, status: 503)
        await h.cloud.failNext(1, status: 504)
        let client = h.client
        _ = try await h.drive { try await client.recordingMetadata(conversationId: cid) }
        #expect(await h.apiRequests().map(\.status) == [502, 503, 504, 200])
    }

    @Test func persistentServerErrorStopsAfterThePolicyBudget() async throws {
        let h = Harness()
        await h.cloud.failNext(20, status: 503)
        let client = h.client
        let error = await apiError { _ = try await h.drive { try await client.recordingMetadata(conversationId: .random()) } }
        #expect(error?.code == .serverError && error?.status == 503 && error?.isRetryable == true)
        #expect(error?.correlationId != nil && error?.contextId != nil)
        #expect(await h.apiRequests().count == 5)
    }

    @Test func non5xxErrorsAreNotRetried() async throws {
        let h = Harness()
        let error = await apiError { _ = try await h.client.recordingMetadata(conversationId: .random(), recordingId: .random()) }
        #expect(error?.code == .notFound && error?.genesysCode == "not.found" && error?.isRetryable == false)
        #expect(await h.apiRequests().count == 1)
    }

    @Test func connectionFailuresAreRetriedForReads() async throws {
        let h = Harness()
        let (cid, _) = await h.cloud.addRecording()
        await h.cloud.dropNextConnections(2)
        let client = h.client
        _ = try await h.drive { try await client.recordingMetadata(conversationId: cid) }
        #expect(await h.apiRequests().map(\.status) == [nil, nil, 200])
    }

    @Test func perCallDeadlineStopsRetrying() async throws {
        let h = Harness(
            client: GenesysClientConfiguration(
                retryPolicy: ExponentialBackoffPolicy(random: .seeded(1)),
                callDeadline: .seconds(10)))
        await h.cloud.failNext(5, status: 429, retryAfterSeconds: 6)
        let client = h.client
        let error = await apiError { _ = try await h.drive { try await client.recordingMetadata(conversationId: .random()) } }
        #expect(error?.code == .rateLimited && error?.retryAfter == .seconds(6) && error?.isRetryable == true)
        #expect(await h.apiRequests().count == 2)  // 0 s, 6 s; a third at 12 s would pass the deadline
        #expect(h.clock.now.offset == .seconds(6))
    }

    @Test func cancellationBetweenAttemptsStopsTheCall() async throws {
        let h = Harness()
        await h.cloud.failNext(5, status: 503)
        let client = h.client
        let task = Task { try await client.recordingMetadata(conversationId: .random()) }
        #expect(await h.clock.waitForSleepers(1))
        task.cancel()
        await #expect(throws: CancellationError.self) { _ = try await task.value }
        #expect(await h.apiRequests().count == 1)
    }

    @Test func createIsNotRetriedOnAmbiguousFailures() async throws {
        let h = Harness()
        await h.cloud.failNext(1, status: 503, pathContains: "/workitems", afterServing: true)
        let error = await apiError {
            _ = try await h.client.createWorkitem(WorkitemCreate(name: "Compliance review", typeId: "type-1"))
        }
        #expect(error?.code == .serverError)
        #expect(await h.apiRequests().count == 1)
        #expect(await h.cloud.workitems.count == 1)  // the platform did create it: no duplicate was made
    }

    @Test func createIsNotRetriedAfterAConnectionFailure() async throws {
        let h = Harness()
        _ = try await h.client.authenticate()
        await h.cloud.dropNextConnections(1)
        let error = await apiError {
            _ = try await h.client.createWorkitem(WorkitemCreate(name: "Compliance review", typeId: "type-1"))
        }
        #expect(error?.code == .transport && error?.isRetryable == true)
        #expect(await h.apiRequests().count == 1)
    }

    @Test func createIsRetriedOn429() async throws {
        let h = Harness()
        await h.cloud.failNext(1, status: 429, retryAfterSeconds: 1)
        let client = h.client
        let item = try await h.drive {
            try await client.createWorkitem(WorkitemCreate(name: "Compliance review", typeId: "type-1"))
        }
        #expect(await h.cloud.workitems.map(\.id) == [item.id])
    }

    @Test func externalTagGuardFindsTheWorkitemTheFirstAttemptCreated() async throws {
        let h = Harness()
        await h.cloud.failNext(1, status: 503, pathContains: "/taskmanagement/workitems", afterServing: true)
        let client = h.client
        let item = try await h.drive {
            try await client.createWorkitem(
                WorkitemCreate(name: "Compliance review", typeId: "type-1"),
                guard: .externalTag("vigil-rec-1"))
        }
        #expect(item.externalTag == "vigil-rec-1")
        #expect(await h.cloud.workitems.count == 1)
        #expect(
            await h.apiRequests().map(\.path) == [
                "/api/v2/taskmanagement/workitems", "/api/v2/taskmanagement/workitems/query"
            ])
    }

    @Test func externalTagGuardCreatesWhenTheFirstAttemptHadNoEffect() async throws {
        let h = Harness()
        await h.cloud.dropNextConnections(1)
        let client = h.client
        _ = try await h.drive {
            try await client.createWorkitem(
                WorkitemCreate(name: "Compliance review", typeId: "type-1"),
                guard: .externalTag("vigil-rec-2"))
        }
        #expect(await h.cloud.workitems.count == 1)
        #expect(await h.apiRequests().map(\.status) == [nil, 200, 200])  // create (dropped), query, create
    }

    @Test func dataTableRowRetryReadsTheRowBack() async throws {
        let h = Harness()
        await h.cloud.failNext(1, status: 502, pathContains: "/rows", afterServing: true)
        let client = h.client
        let row = try await h.drive {
            try await client.addDataTableRow(
                DataTableRow(key: "conv-1", columns: ["flag": .string("PCI")]),
                datatableId: "table-1")
        }
        #expect(row.key == "conv-1")
        #expect(await h.cloud.dataTableRows(datatableId: "table-1").count == 1)
        #expect(await h.apiRequests().map(\.status) == [502, 200])
    }

    @Test func seededTrapsAreSurvivedAndDeterministic() async throws {
        func run() async throws -> [SimulatedGenesysCloud.RecordedRequest] {
            let h = Harness(
                faults: .init(
                    rateLimitBursts: .rateLimited(probability: 0.15, length: 2, retryAfterSeconds: 1),
                    serverErrorBursts: .serverErrors(probability: 0.15, length: 2),
                    latency: .milliseconds(1)...(.milliseconds(30)),
                    tokenExpiresAfterRequests: 7),
                seed: 2026)
            let (cid, rid) = await h.cloud.addRecording(
                conversationId: GenesysID("2f7bf00a-0fc2-4d6a-9b56-92238191433e")!,
                recordingId: GenesysID("9fb2ca78-0000-4000-8000-000000000001")!)
            let client = h.client
            try await h.drive {
                for index in 0..<15 {
                    _ = try await client.recordingMetadata(conversationId: cid, recordingId: rid)
                    try await client.setExternalTag("tag-\(index)", conversationId: cid)
                }
            }
            #expect(await h.cloud.externalTag(conversationId: cid) == "tag-14")
            return await h.requests()
        }
        let first = try await run()
        let second = try await run()
        #expect(first == second)
        #expect(first.contains { $0.status == 429 } && first.contains { [502, 503, 504].contains($0.status ?? 0) })
        #expect(first.contains { $0.status == 401 })
    }
}
