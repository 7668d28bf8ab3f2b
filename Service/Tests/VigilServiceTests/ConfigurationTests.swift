import Foundation
import Testing
import VigilCore

@testable import VigilService

@Suite("Configuration")
struct ConfigurationTests {
    typealias Key = ServiceConfiguration.Key

    static func valid() -> [String: String] { Fixture.values(store: "sqlite:/tmp/vigil-config-test.sqlite") }

    @Test("a complete configuration parses with its defaults")
    func valid() throws {
        var values = Self.valid()
        values[Key.httpPort] = nil
        values[Key.workers] = nil
        let configuration = try ServiceConfiguration.parse(values)
        #expect(configuration.httpHost == "127.0.0.1")
        #expect(configuration.httpPort == 8080)
        #expect(configuration.workers == 4)
        #expect(configuration.store == .sqlite(path: "/tmp/vigil-config-test.sqlite"))
        #expect(configuration.region.apiBaseURL.absoluteString == Fixture.inProcessAPIBase)
        #expect(configuration.maxBodyBytes == 256 << 10)
        #expect(configuration.tokenKey == Array("vigil-test-token-key-0123456789ab".utf8))
    }

    @Test(
        "a bad value names its key",
        arguments: [
            (Key.httpPort, "99999"),
            (Key.httpPort, "eighty"),
            (Key.workers, "0"),
            (Key.store, "mysql://db/vigil"),
            (Key.genesysRegion, "mars-north-1"),
            (Key.logLevel, "loud"),
            (Key.maxBodyBytes, "12"),
            (Key.tokenKey, "c2hvcnQ="),
            (Key.engine, "ftp://engine.example")
        ])
    func badValue(key: String, value: String) {
        var values = Self.valid()
        if key == Key.genesysRegion { values[Key.genesysAPIBase] = nil }
        values[key] = value
        #expect {
            try ServiceConfiguration.parse(values)
        } throws: { error in
            (error as? ServiceConfigurationError)?.key == key
        }
    }

    @Test(
        "a missing required key is named",
        arguments: [
            Key.webhookSecrets, Key.genesysClientID, Key.genesysClientSecret,
            Key.tokenKey, Key.worktypeID
        ])
    func missing(key: String) {
        var values = Self.valid()
        values[key] = nil
        #expect {
            try ServiceConfiguration.parse(values)
        } throws: { error in
            (error as? ServiceConfigurationError)?.key == key
        }
    }

    @Test("a bad secret is named by key; the message never contains the secret")
    func secretsNeverInMessages() throws {
        let secretValue = "whsec_!!!not-base64-TOPSECRET-4711"
        var values = Self.valid()
        values[Key.webhookSecrets] = Fixture.webhookSecret + " " + secretValue
        let webhook = try #require(throws: ServiceConfigurationError.self) { try ServiceConfiguration.parse(values) }
        #expect(webhook.key == Key.webhookSecrets)
        #expect(webhook.reason.contains("#2"))
        #expect(!webhook.description.contains("TOPSECRET"))

        values = Self.valid()
        values[Key.engine] = "https://engine.example/v1/evaluate"
        values[Key.engineSecret] = "plain-TOPSECRET-engine-key"
        let engine = try #require(throws: ServiceConfigurationError.self) { try ServiceConfiguration.parse(values) }
        #expect(engine.key == Key.engineSecret)
        #expect(!engine.description.contains("TOPSECRET"))

        values = Self.valid()
        values[Key.store] = "postgres://vigil:TOPSECRET@db.internal:5432/vigil"
        let postgres = try ServiceConfiguration.parse(values)
        #expect(!postgres.store.description.contains("TOPSECRET"))
        #expect(postgres.store.description == "postgres://db.internal:5432/vigil")
    }

    @Test("AudioHook: off unless clients are given; pairs, limits and refusals by key, never the secret")
    func audioHook() throws {
        #expect(try ServiceConfiguration.parse(Self.valid()).audioHook == nil)
        let secret = Base64.encode(Array("audiohook-client-secret-TOPSECRET".utf8))
        var values = Self.valid()
        values[Key.audioHookClients] = "key-one:\(secret)  key-two:\(secret)"
        values[Key.audioHookMaxSessions] = "200"
        values[Key.audioHookIdleSeconds] = "12"
        let settings = try #require(try ServiceConfiguration.parse(values).audioHook)
        #expect(settings.clients == ["key-one": secret, "key-two": secret])
        #expect(settings.maximumSessions == 200)
        #expect(settings.idleTimeout == .seconds(12))
        #expect(!settings.description.contains(secret) && settings.description.contains("key-one,key-two"))

        for (clients, reason) in [
            ("no-colon", "#1"), (":\(secret)", "#1"), ("k:\(secret) k:\(secret)", "#2 repeats"),
            ("k:not*base64*TOPSECRET", "#1: the client secret"), ("k:c2hvcnQ=", "#1: the client secret")
        ] {
            values[Key.audioHookClients] = clients
            let error = try #require(throws: ServiceConfigurationError.self) { try ServiceConfiguration.parse(values) }
            #expect(error.key == Key.audioHookClients)
            #expect(error.reason.contains(reason), "\(error.reason)")
            #expect(!error.description.contains("TOPSECRET"))
        }
        values[Key.audioHookClients] = "k:\(secret)"
        values[Key.audioHookMaxSessions] = "0"
        #expect(throws: ServiceConfigurationError(key: Key.audioHookMaxSessions, reason: "must be a whole number from 1 to 100000")) {
            try ServiceConfiguration.parse(values)
        }
    }

    @Test("the JSON file is read and the environment overrides it; unknown keys are refused")
    func fileAndEnvironment() throws {
        let directory = try Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var file = Self.valid()
        file[Key.httpPort] = nil
        var object: [String: Any] = file
        object[Key.httpPort] = 9_000
        object[Key.webhookSecrets] = [Fixture.webhookSecret, Fixture.callbackSecret]
        let path = directory.appendingPathComponent("vigil.json").path
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: path))

        let fromFile = try ServiceConfiguration.load(environment: [:], file: path)
        #expect(fromFile.httpPort == 9_000)
        #expect(fromFile.webhookSecrets.count == 2)
        let overridden = try ServiceConfiguration.load(environment: [Key.httpPort: "9100"], file: path)
        #expect(overridden.httpPort == 9_100)

        let badPath = directory.appendingPathComponent("bad.json").path
        try Data(#"{"VIGIL_HTTP_PROT": 1}"#.utf8).write(to: URL(fileURLWithPath: badPath))
        let unknown = try #require(throws: ServiceConfigurationError.self) { try ServiceConfiguration.load(environment: [:], file: badPath) }
        #expect(unknown.key == "VIGIL_HTTP_PROT")

        // A key named twice (JSONSerialization would keep one silently) is refused, naming the key only.
        let twicePath = directory.appendingPathComponent("twice.json").path
        try Data(#"{"VIGIL_HTTP_PORT": 9000, "VIGIL_HTTP_PORT": 9001}"#.utf8).write(to: URL(fileURLWithPath: twicePath))
        let twice = try #require(throws: ServiceConfigurationError.self) { try ServiceConfiguration.load(environment: [:], file: twicePath) }
        #expect(twice.key == "--config")
        #expect(twice.description.contains("duplicateMember at VIGIL_HTTP_PORT"))
        #expect(!twice.description.contains("900"))
    }

    @Test("serve with a bad configuration exits 2 before binding anything")
    func serveExitCode() async {
        var environment = Self.valid()
        environment[Key.httpPort] = "-1"
        let code = await VigilServiceCommand.run(["serve"], environment: environment)
        #expect(code == 2)
        let usage = await VigilServiceCommand.run(["serve", "--role", "everything"], environment: environment)
        #expect(usage == 2)
    }

    @Test("a postgres:// URL the adapter refuses is a VIGIL_STORE error without the password")
    func postgresRefused() throws {
        let error = try #require(throws: ServiceConfigurationError.self) {
            try ServiceStorage.open(.postgres(url: "postgres://vigil:TOPSECRET@127.0.0.1:5432/vigil?sslmode=sometimes"))
        }
        #expect(error.key == Key.store)
        #expect(!error.description.contains("TOPSECRET"))
    }
}
