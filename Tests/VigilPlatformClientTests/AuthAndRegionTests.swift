import Foundation
import Testing
import VigilCore
import VigilModels
import VigilTesting

@testable import VigilPlatformClient

@Suite("Regions")
struct RegionTests {
    @Test func allSeventeenRegionsWithDerivedLoginHosts() {
        #expect(GenesysRegion.allCases.count == 17)
        #expect(Set(GenesysRegion.allCases.map(\.apiBaseURL)).count == 17)
        for region in GenesysRegion.allCases {
            #expect(region.apiBaseURL.absoluteString == "https://api.\(region.domain)")
            #expect(region.loginBaseURL.absoluteString == "https://login.\(region.domain)")
        }
        #expect(GenesysRegion.usEast2.apiBaseURL.absoluteString == "https://api.use2.us-gov-pure.cloud")
        #expect(GenesysRegion.apSoutheast2.loginBaseURL.absoluteString == "https://login.mypurecloud.com.au")
    }

    @Test func parsesNamesAndDomains() throws {
        #expect(try GenesysRegion(string: "eu-west-1") == .euWest1)
        #expect(try GenesysRegion(string: "EU-CENTRAL-2") == .euCentral2)
        #expect(try GenesysRegion(string: "mypurecloud.jp") == .apNortheast1)
        #expect(try GenesysRegion(string: "api.mxc1.pure.cloud") == .mxCentral1)
    }

    @Test func unknownRegionIsTypedError() {
        #expect(throws: GenesysAPIError.self) { try GenesysRegion(string: "mars-north-1") }
        do {
            _ = try GenesysRegion(string: "eu-west-9")
        } catch {
            #expect(error.code == .invalidRegion)
            #expect(!error.isRetryable)
        }
    }

    @Test func customRegionDerivesLogin() {
        let region = GenesysRegion.custom(apiBase: URL(string: "https://api.example.test:8443")!)
        #expect(region.loginBaseURL.absoluteString == "https://login.example.test:8443")
        let proxy = GenesysRegion.custom(apiBase: URL(string: "http://127.0.0.1:9000")!)
        #expect(proxy.loginBaseURL == proxy.apiBaseURL)
    }
}

@Suite("OAuth client credentials")
struct AuthTests {
    @Test func tokenIsFetchedOnceAndReused() async throws {
        let h = Harness()
        let (cid, _) = await h.cloud.addRecording()
        _ = try await h.client.recordingMetadata(conversationId: cid)
        _ = try await h.client.recordingMetadata(conversationId: cid)
        let log = await h.requests()
        #expect(log.map(\.host) == [.login, .api, .api])
        #expect(log.first?.path == "/oauth/token" && log.first?.method == "POST" && log.first?.status == 200)
        #expect(log.dropFirst().allSatisfy { $0.hadAuthorization && $0.status == 200 })
    }

    @Test func hundredConcurrentCallersWithAColdCacheMakeOneTokenRequest() async throws {
        let h = Harness(configure: { $0.faults.latency = .milliseconds(5)...(.milliseconds(50)) })
        let (cid, _) = await h.cloud.addRecording()
        let client = h.client
        try await h.drive {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<100 {
                    group.addTask { _ = try await client.recordingMetadata(conversationId: cid) }
                }
                try await group.waitForAll()
            }
        }
        #expect(await h.cloud.tokenRequestCount == 1)
        #expect(await h.apiRequests().filter { $0.status == 200 }.count == 100)
    }

    @Test func tokenIsReplacedShortlyBeforeExpiry() async throws {
        let h = Harness(configure: { $0.tokenLifetime = .seconds(600) })
        let (cid, _) = await h.cloud.addRecording()
        _ = try await h.client.recordingMetadata(conversationId: cid)
        h.clock.advance(by: .seconds(530))  // margin 60 s → replaced from 540 s on
        _ = try await h.client.recordingMetadata(conversationId: cid)
        #expect(await h.cloud.tokenRequestCount == 1)
        h.clock.advance(by: .seconds(15))
        _ = try await h.client.recordingMetadata(conversationId: cid)
        #expect(await h.cloud.tokenRequestCount == 2)
        #expect(await h.apiRequests().allSatisfy { $0.status == 200 })
    }

    @Test func tokenExpiryMidRunReauthenticatesOnceAndRetries() async throws {
        let h = Harness(faults: .init(tokenExpiresAfterRequests: 2))
        let (cid, _) = await h.cloud.addRecording()
        for _ in 0..<5 { _ = try await h.client.recordingMetadata(conversationId: cid) }
        let api = await h.apiRequests()
        #expect(api.filter { $0.status == 200 }.count == 5)
        #expect(api.filter { $0.status == 401 }.count == 2)
        #expect(await h.cloud.tokenRequestCount == 3)
    }

    @Test func concurrent401sShareOneReauthentication() async throws {
        let h = Harness(configure: { $0.faults.latency = .milliseconds(1)...(.milliseconds(20)) })
        let (cid, _) = await h.cloud.addRecording()
        let client = h.client
        _ = try await h.drive { try await client.recordingMetadata(conversationId: cid) }
        await h.cloud.expireAllTokens()
        try await h.drive {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<20 {
                    group.addTask { _ = try await client.recordingMetadata(conversationId: cid) }
                }
                try await group.waitForAll()
            }
        }
        #expect(await h.cloud.tokenRequestCount == 2)
        #expect(await h.apiRequests().filter { $0.status == 200 }.count == 21)
    }

    @Test func persistent401SurfacesAfterExactlyOneReauthentication() async throws {
        let h = Harness()
        let (cid, _) = await h.cloud.addRecording()
        await h.cloud.failNext(2, status: 401)
        let error = await apiError { _ = try await h.client.recordingMetadata(conversationId: cid) }
        #expect(error?.code == .unauthorized)
        #expect(error?.status == 401)
        #expect(error?.correlationId != nil)
        #expect(await h.cloud.tokenRequestCount == 2)
        #expect(await h.apiRequests().count == 2)
    }

    @Test func badCredentialsAreNotRetriedAndNeverPrinted() async throws {
        let secret = "wrong-secret-DO-NOT-LEAK-42"
        let h = Harness(credentials: GenesysCredentials(clientId: "sim-client-id", clientSecret: secret))
        let (cid, _) = await h.cloud.addRecording()
        let error = await apiError { _ = try await h.client.recordingMetadata(conversationId: cid) }
        #expect(error?.code == .badCredentials)
        #expect(error?.genesysCode == "invalid_client")
        #expect(error?.isRetryable == false)
        #expect(await h.requests().count == 1)
        let texts = [
            String(describing: error), "\(String(reflecting: error))", h.client.description,
            String(describing: h.client), "\(h.cloud.credentials)"
        ]
        let basic = Base64.encode(Array("sim-client-id:\(secret)".utf8))
        for text in texts {
            #expect(!text.contains(secret))
            #expect(!text.contains(basic))
            #expect(!text.contains("sim-client-secret"))
        }
        var dumped = ""
        dump(GenesysCredentials(clientId: "id", clientSecret: secret), to: &dumped)
        #expect(!dumped.contains(secret))
    }

    @Test func emptyCredentialsFailBeforeAnyRequest() async throws {
        let h = Harness(credentials: GenesysCredentials(clientId: "", clientSecret: ""))
        let error = await apiError { _ = try await h.client.recordingMetadata(conversationId: .random()) }
        #expect(error?.code == .badCredentials)
        #expect(await h.requests().isEmpty)
    }

    @Test func loginOutageIsPlatformTroubleAfterRetries() async throws {
        let h = Harness(faults: .init(loginBursts: .init(probability: 1, length: 100, statuses: [503])))
        let client = h.client
        let error = await apiError { _ = try await h.drive { try await client.recordingMetadata(conversationId: .random()) } }
        #expect(error?.code == .authenticationUnavailable)
        #expect(error?.status == 503)
        #expect(error?.isRetryable == true)
        #expect(await h.cloud.tokenRequestCount == 5)  // the policy's 5 attempts
        #expect(await h.apiRequests().isEmpty)
    }

    @Test func platformMessagesAreSanitised() async throws {
        let secret = "client-secret-XYZ-987"
        let stub = StubTransport { request, _ in
            if request.url.host == "login.example.test" { return (HTTPResponse(status: 200), HTTPBody(tokenJSON)) }
            let body =
                #"{"message":"token tok-SECRET-abcdef secret client-secret-XYZ-987 Bearer abc.def card 4111111111111111\n injected, also 4111 1111 1111 1111, 123-45-6789, (415) 555-0123 and jane.doe@example.com","code":"bad.request","status":400,"contextId":"ctx-1"}"#
            return (HTTPResponse(status: 400, headerFields: ["ININ-Correlation-Id": "corr-9"]), HTTPBody(Array(body.utf8)))
        }
        let client = GenesysCloudClient(
            region: .custom(apiBase: URL(string: "https://api.example.test")!),
            credentials: GenesysCredentials(clientId: "cid-1", clientSecret: secret),
            transport: stub, clock: TestClock())
        let error = await apiError { try await client.setExternalTag("x", conversationId: .random()) }
        let text = String(describing: error)
        #expect(error?.code == .badRequest && error?.genesysCode == "bad.request")
        #expect(error?.contextId == "ctx-1" && error?.correlationId == "corr-9")
        for leak in [
            "tok-SECRET-abcdef", secret, "abc.def", "4111111111111111", "\n", "1111 1111", "45-6789", "555-0123",
            "jane.doe"
        ] {
            #expect(!text.contains(leak), "leaked \(leak)")
        }
        #expect(text.contains("also <digits>, <digits>, (<digits> and <email>"), "\(text)")
    }
}
