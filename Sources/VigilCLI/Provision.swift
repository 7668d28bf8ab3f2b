import Foundation
import Vigil
import VigilCore
import VigilEventSub
import VigilModels
import VigilPlatformClient
import VigilTesting

/// `vigil provision`: renders the seed's subscription into what Genesys Cloud really needs and, with
/// `--apply`, creates or updates the Process Automation trigger idempotently.
enum Provision {
    static let usage = """
        USAGE: vigil provision --subscription FILE --workflow-id ID [--audiohook-uri wss://HOST/audiohook/ws]
                               [--apply (--region R --client-id ID --client-secret S | --simulate)]

        Without --apply: prints the plan (JSON) — the Process Automation trigger on the conversation-end
        detail event, the EventBridge topic filters, the AudioHook Monitor settings, the manual steps.
        --apply: creates the trigger, or updates the one with the subscription's name, or leaves it when
        it already matches (run it again: nothing changes). --simulate applies twice to a simulated
        organisation and prints both outcomes. Credentials may also come from VIGIL_GENESYS_REGION,
        VIGIL_GENESYS_CLIENT_ID, VIGIL_GENESYS_CLIENT_SECRET. Exit codes: 0 done, 1 refused, 2 usage.

        """

    static func run(_ arguments: [String], environment: [String: String] = ProcessInfo.processInfo.environment) async -> Int32 {
        var values: [String: String] = [:]
        var apply = false, simulate = false
        var index = 0
        while index < arguments.count {
            let flag = arguments[index]
            switch flag {
            case "-h", "--help":
                print(usage, terminator: "")
                return 0
            case "--apply": apply = true
            case "--simulate": simulate = true
            case "--subscription", "--workflow-id", "--audiohook-uri", "--region", "--client-id", "--client-secret":
                guard index + 1 < arguments.count else { return fail("\(flag) needs a value") }
                values[flag] = arguments[index + 1]
                index += 1
            default:
                return fail("unknown option '\(flag)'")
            }
            index += 1
        }
        guard let path = values["--subscription"] else { return fail("provision needs --subscription FILE") }
        guard let workflowId = values["--workflow-id"] else { return fail("provision needs --workflow-id ID") }
        guard let data = FileManager.default.contents(atPath: path) else { return fail("cannot read \(path)") }
        let subscription: EventSubscription
        do { subscription = try VigilJSON.decode(EventSubscription.self, from: data) } catch {
            return refuse("the subscription is not valid: \(error)")
        }
        var audioHook: URL?
        if let text = values["--audiohook-uri"] {
            guard let url = URL(string: text) else { return fail("--audiohook-uri needs a URL") }
            audioHook = url
        }
        let plan: ProvisioningPlan
        do { plan = try ProvisioningPlan.render(subscription, workflowId: workflowId, audioHookURI: audioHook) } catch {
            return refuse(error.description)
        }
        guard apply else {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
            print(String(decoding: (try? encoder.encode(plan)) ?? Data(), as: UTF8.self))
            return 0
        }
        do {
            if simulate {
                let cloud = SimulatedGenesysCloud()
                let applier = ProvisioningApplier(
                    client: GenesysCloudClient(
                        region: cloud.region, credentials: cloud.credentials,
                        transport: cloud))
                let first = try await applier.apply(plan)
                let second = try await applier.apply(plan)
                print(
                    "simulated organisation: first run \(describe(first)), second run \(describe(second)); "
                        + "\(await cloud.processAutomationTriggers.count) trigger named \(plan.trigger.name)")
                return 0
            }
            guard let regionName = values["--region"] ?? environment["VIGIL_GENESYS_REGION"],
                let clientId = values["--client-id"] ?? environment["VIGIL_GENESYS_CLIENT_ID"],
                let clientSecret = values["--client-secret"] ?? environment["VIGIL_GENESYS_CLIENT_SECRET"]
            else {
                return fail("--apply needs --region, --client-id and --client-secret (or --simulate)")
            }
            let region: GenesysRegion
            do { region = try GenesysRegion(string: regionName) } catch { return fail("--region is not a Genesys Cloud region") }
            let client = GenesysCloudClient(
                region: region, credentials: GenesysCredentials(clientId: clientId, clientSecret: clientSecret),
                transport: URLSessionTransport())
            print(describe(try await ProvisioningApplier(client: client).apply(plan)))
            return 0
        } catch {
            return refuse("\(error)")
        }
    }

    static func describe(_ outcome: ProvisioningApplier.Outcome) -> String {
        switch outcome {
        case let .created(id): "created trigger \(id)"
        case let .updated(id): "updated trigger \(id)"
        case let .unchanged(id): "trigger \(id) already matches: unchanged"
        }
    }

    static func fail(_ message: String) -> Int32 {
        FileHandle.standardError.write(Data("vigil provision: \(message)\n\n\(usage)".utf8))
        return 2
    }

    static func refuse(_ message: String) -> Int32 {
        FileHandle.standardError.write(Data("vigil provision: \(message)\n".utf8))
        return 1
    }
}
