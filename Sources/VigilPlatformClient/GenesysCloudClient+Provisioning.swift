import Foundation
import VigilCore
import VigilModels

extension GenesysCloudClient {
    // MARK: Process Automation triggers

    /// `GET /api/v2/processautomation/triggers` (perm `processautomation:trigger:view`), every page.
    public func processAutomationTriggers() async throws -> [ProcessAutomationTrigger] {
        var triggers: [ProcessAutomationTrigger] = []
        var path = "/api/v2/processautomation/triggers"
        var query = "?pageSize=200"
        for _ in 0..<50 {  // 10 000 triggers: far past any organisation's
            let page = try await call(.get, path, query: query) { raw in try Self.decode(ProcessAutomationTriggerList.self, raw) }
            triggers += page.entities
            guard let next = page.nextUri, let split = next.firstIndex(of: "?"), next.hasPrefix("/api/v2/processautomation/triggers") else {
                return triggers
            }
            path = String(next[..<split])
            query = String(next[split...])
        }
        return triggers
    }

    /// `POST /api/v2/processautomation/triggers` (perm `processautomation:trigger:add`). Not retried on
    /// an ambiguous failure: the provisioning looks the trigger up by name before creating again.
    public func createTrigger(_ trigger: ProcessAutomationTrigger) async throws -> ProcessAutomationTrigger {
        try Self.validate(trigger)
        let body = try Self.encode(trigger, field: "trigger")
        return try await call(.post, "/api/v2/processautomation/triggers", body: body, mode: .createOnce) { raw in
            try Self.decode(ProcessAutomationTrigger.self, raw)
        }
    }

    /// `PUT /api/v2/processautomation/triggers/{triggerId}` (perm `processautomation:trigger:edit`):
    /// the whole trigger, with the version read last. Idempotent.
    public func updateTrigger(_ trigger: ProcessAutomationTrigger, triggerId: String) async throws -> ProcessAutomationTrigger {
        try Self.validate(trigger)
        let id = try Self.segment(triggerId, field: "triggerId")
        let body = try Self.encode(trigger, field: "trigger")
        return try await call(.put, "/api/v2/processautomation/triggers/\(id)", body: body) { raw in
            try Self.decode(ProcessAutomationTrigger.self, raw)
        }
    }

    static func validate(_ trigger: ProcessAutomationTrigger) throws(GenesysAPIError) {
        guard !trigger.name.trimmingCharacters(in: .whitespaces).isEmpty else { throw .invalidInput("trigger.name", "must not be empty") }
        guard trigger.topicName.hasPrefix("v2.") else { throw .invalidInput("trigger.topicName", "must be a v2.… topic") }
        guard !trigger.target.id.isEmpty else { throw .invalidInput("trigger.target.id", "the workflow id is required") }
        guard (trigger.eventTTLSeconds == nil) || (trigger.delayBySeconds == nil) else {
            throw .invalidInput("trigger.eventTTLSeconds", "eventTTLSeconds and delayBySeconds exclude each other")
        }
        if let ttl = trigger.eventTTLSeconds, ttl < 10 { throw .invalidInput("trigger.eventTTLSeconds", "must be at least 10") }
        if let delay = trigger.delayBySeconds, !(60...900).contains(delay) {
            throw .invalidInput("trigger.delayBySeconds", "must be 60 to 900")
        }
        if let description = trigger.description, description.count > 512 {
            throw .invalidInput("trigger.description", "at most 512 characters")
        }
    }
}
