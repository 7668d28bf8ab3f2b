import AsyncHTTPClient
import Foundation
import NIOCore
import Testing
import VigilAnalysis
import VigilCore
import VigilEvidence
import VigilTesting

@testable import VigilService

@Suite("Evidence: the reference engine seals the masked clip; GET /evidence/{id} serves it for a signed link")
struct EvidenceRouteTests {
    typealias Key = ServiceConfiguration.Key
    static let base = "https://vigil.example.com/evidence"

    static func values(_ directory: URL) -> [String: String] {
        var values = Fixture.values(store: "sqlite:" + directory.appendingPathComponent("vigil.sqlite").path)
        values[Key.evidenceDirectory] = directory.appendingPathComponent("evidence").path
        values[Key.evidenceKeys] =
            "kek-2026:" + Base64.encode([UInt8](repeating: 7, count: 32))
            + " kek-2025:" + Base64.encode([UInt8](repeating: 8, count: 32))
        values[Key.evidenceLinkSecret] = Base64.encode(Array("vigil-test-evidence-link-secret!".utf8))
        values[Key.evidenceBaseURL] = base
        return values
    }

    /// GET over the real socket, raw bytes.
    static func get(_ url: String) async throws -> (status: Int, headers: [(String, String)], body: [UInt8]) {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 16 << 20)
        return (Int(response.status.code), response.headers.map { ($0.name, $0.value) }, Array(body.readableBytesView))
    }

    @Test("a flagged recording's clip is sealed once and served masked; forged, expired and unknown links are refused")
    func sealedAndServed() async throws {
        let cloud = SimulatedGenesysCloud()
        let (cid, rid) = await cloud.addRecording(media: .bytes(KeyedCallSynthesizer().wav(keying: "4111111111111111", variant: 0)))
        let service = try await LiveService.start(role: .all, values: Self.values, transport: cloud)
        let evidence = try #require(service.runtime.evidence)
        let event = try Fixture.signedEvent(recordingId: rid, conversationId: cid)
        #expect(try await http(.POST, service.url("/webhooks/genesys"), headers: event.headers, body: event.body).status == 202)
        #expect(await eventually { service.runtime.statistics.snapshot.flagged == 1 && service.runtime.statistics.inFlight == 0 })

        // One envelope on disk, ciphertext only (the WAV header is not readable in it).
        let directory = service.directory.appendingPathComponent("evidence")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".vgev") }
        #expect(files.count == 1)
        let objectId = String(try #require(files.first).dropLast(5))
        let envelope = try [UInt8](Data(contentsOf: directory.appendingPathComponent(files[0])))
        #expect(!String(decoding: envelope, as: UTF8.self).contains("WAVEfmt"))

        // The engine's link names the public https base; here it is fetched on the loopback listener.
        let link = evidence.links.link(for: objectId, expiresIn: .seconds(600))
        #expect(link.absoluteString.hasPrefix(Self.base + "/" + objectId + "?expires="))
        let local = service.url("/evidence/" + objectId + "?" + (link.query ?? ""))
        let served = try await Self.get(local)
        #expect(served.status == 200)
        #expect(served.headers.contains { $0.0.lowercased() == "cache-control" && $0.1 == "no-store" })
        #expect(served.headers.contains { $0.0.lowercased() == "content-type" && $0.1 == "audio/wav" })
        let report = try FileScan.scan(served.body)
        #expect(report.kind == .audio)
        #expect(report.findings.isEmpty, "the served clip holds no keyed card")
        #expect(report.analysedMilliseconds > 3_000)

        // Refusals: nothing about the store is revealed to a bad link.
        let signature = URLComponents(url: link, resolvingAgainstBaseURL: false)?.queryItems?.first { $0.name == "signature" }?.value ?? ""
        let expires = URLComponents(url: link, resolvingAgainstBaseURL: false)?.queryItems?.first { $0.name == "expires" }?.value ?? ""
        let forged = String(signature.dropLast()) + (signature.hasSuffix("0") ? "1" : "0")
        for (url, status, code) in [
            (service.url("/evidence/\(objectId)?expires=\(expires)&signature=\(forged)"), 403, "evidence.invalidLink"),
            (service.url("/evidence/\(objectId)?expires=1000&signature=\(signature)"), 403, "evidence.invalidLink"),
            (service.url("/evidence/\(objectId)"), 403, "evidence.invalidLink"),
            (service.url("/evidence/not-an-id?expires=\(expires)&signature=\(signature)"), 403, "evidence.invalidLink")
        ] {
            let answer = try await Self.get(url)
            #expect(answer.status == status, "\(url)")
            #expect(String(decoding: answer.body, as: UTF8.self).contains(code))
        }
        // A valid link to an object that is not there: 404; a tampered envelope: 500, authenticationFailed.
        let missing = "ev_" + String(repeating: "0", count: 32)
        let missingLink = evidence.links.link(for: missing, expiresIn: .seconds(60))
        #expect(try await Self.get(service.url("/evidence/\(missing)?" + (missingLink.query ?? ""))).status == 404)
        var tampered = envelope
        tampered[tampered.count - 20] ^= 0x01
        try Data(tampered).write(to: directory.appendingPathComponent(files[0]))
        let broken = try await Self.get(local)
        #expect(broken.status == 500)
        #expect(String(decoding: broken.body, as: UTF8.self).contains("evidence.authenticationFailed"))
        #expect(await service.stop())
    }

    @Test("configuration: all four evidence keys or none; keys 32 bytes; the base https")
    func configuration() throws {
        let directory = try Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let good = Self.values(directory)
        let parsed = try #require(try ServiceConfiguration.parse(good).evidence)
        #expect(parsed.currentKeyId == "kek-2026")
        #expect(parsed.keys.count == 2)
        #expect(parsed.linkLifetime == .seconds(900))
        #expect(!parsed.description.contains(Base64.encode([UInt8](repeating: 7, count: 32))))
        func refused(_ key: String, _ value: String?, naming expected: String) {
            var values = good
            values[key] = value
            #expect { try ServiceConfiguration.parse(values) } throws: { error in
                guard let error = error as? ServiceConfigurationError else { return false }
                return error.key == expected && !"\(error)".contains(Base64.encode([UInt8](repeating: 7, count: 32)))
            }
        }
        refused(Key.evidenceDirectory, nil, naming: Key.evidenceKeys)
        refused(Key.evidenceKeys, "kek:" + Base64.encode([UInt8](repeating: 7, count: 16)), naming: Key.evidenceKeys)
        refused(
            Key.evidenceKeys, "a:" + Base64.encode([UInt8](repeating: 7, count: 32)) + " a:" + Base64.encode([UInt8](repeating: 8, count: 32)),
            naming: Key.evidenceKeys)
        refused(Key.evidenceLinkSecret, Base64.encode([UInt8](repeating: 1, count: 16)), naming: Key.evidenceLinkSecret)
        refused(Key.evidenceBaseURL, "http://vigil.example.com/evidence", naming: Key.evidenceBaseURL)
        refused(Key.evidenceLinkSeconds, "7200", naming: Key.evidenceLinkSeconds)
        var none = good
        for key in [Key.evidenceDirectory, Key.evidenceKeys, Key.evidenceLinkSecret, Key.evidenceBaseURL] { none[key] = nil }
        #expect(try ServiceConfiguration.parse(none).evidence == nil)
    }
}
