import Foundation
import VigilCore
import VigilModels

extension VerdictPolicy {
    /// The policy version this SDK reads.
    public static let supportedPolicyVersion = 1

    /// Loads a policy from JSON bytes.
    ///
    /// - Throws: ``VerdictPolicyError`` with the line and column of the first problem.
    public init(json bytes: [UInt8]) throws(VerdictPolicyError) {
        self = try PolicyLoader(bytes: bytes).load()
    }

    /// Loads a policy from a JSON string.
    ///
    /// - Throws: ``VerdictPolicyError`` with the line and column of the first problem.
    public init(json string: String) throws(VerdictPolicyError) {
        try self.init(json: Array(string.utf8))
    }

    /// Loads a policy from a file.
    ///
    /// - Throws: ``VerdictPolicyError`` (code ``VerdictPolicyError/Code/unreadable`` when the file
    ///   cannot be read).
    public init(contentsOf url: URL) throws(VerdictPolicyError) {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw VerdictPolicyError(code: .unreadable, line: 0, column: 0, path: "", detail: "the policy file cannot be read")
        }
        try self.init(json: [UInt8](data))
    }

    /// The default policy (``defaultPolicyJSON``).
    public static let `default`: VerdictPolicy = {
        do {
            return try VerdictPolicy(json: defaultPolicyJSON)
        } catch {
            fatalError("the built-in default policy is invalid: \(error)")
        }
    }()

    /// The JSON of the default policy, a starting point for your own:
    ///
    /// - violations: ≥ 0.90 → `ROUTE_TO_COMPLIANCE_QUEUE` at `HIGH`; 0.60–0.90 → `HUMAN_REVIEW`
    ///   (adopting an engine's `ROUTE_TO_COMPLIANCE_QUEUE` advice); below 0.60 → `RECORD_ONLY`;
    /// - card numbers and SSNs spoken mid-call (`PCI_MID_CAPTURE`, `PCI_CVV_CAPTURE`,
    ///   `SSN_DISCLOSURE`) are routed from 0.80 and reviewed from 0.40;
    /// - compliant verdicts: nothing when confident (≥ 0.60), otherwise `RECORD_ONLY`;
    /// - inconclusive verdicts: `HUMAN_REVIEW`;
    /// - anything else: `HUMAN_REVIEW` (fallback).
    public static let defaultPolicyJSON = """
        {
          "policyVersion": 1,
          "id": "vigil-default-1",
          "description": "Vigil's default: route confident violations, review uncertain ones, record the rest.",
          "rules": [
            { "id": "violation-high", "verdict": "VIOLATION_DETECTED", "violationType": "*",
              "minConfidence": 0.90, "maxConfidence": 1.0, "action": "ROUTE_TO_COMPLIANCE_QUEUE", "priority": "HIGH" },
            { "id": "violation-medium", "verdict": "VIOLATION_DETECTED", "violationType": "*",
              "minConfidence": 0.60, "maxConfidence": 0.90, "action": "HUMAN_REVIEW", "priority": "NORMAL",
              "acceptRecommendations": ["ROUTE_TO_COMPLIANCE_QUEUE"] },
            { "id": "violation-low", "verdict": "VIOLATION_DETECTED", "violationType": "*",
              "minConfidence": 0.0, "maxConfidence": 0.60, "action": "RECORD_ONLY", "priority": "LOW" },

            { "id": "pci-high", "verdict": "VIOLATION_DETECTED", "violationType": "PCI_MID_CAPTURE",
              "minConfidence": 0.80, "maxConfidence": 1.0, "action": "ROUTE_TO_COMPLIANCE_QUEUE", "priority": "HIGH" },
            { "id": "pci-medium", "verdict": "VIOLATION_DETECTED", "violationType": "PCI_MID_CAPTURE",
              "minConfidence": 0.40, "maxConfidence": 0.80, "action": "HUMAN_REVIEW", "priority": "HIGH",
              "acceptRecommendations": ["ROUTE_TO_COMPLIANCE_QUEUE"] },
            { "id": "pci-low", "verdict": "VIOLATION_DETECTED", "violationType": "PCI_MID_CAPTURE",
              "minConfidence": 0.0, "maxConfidence": 0.40, "action": "RECORD_ONLY", "priority": "NORMAL" },

            { "id": "cvv-high", "verdict": "VIOLATION_DETECTED", "violationType": "PCI_CVV_CAPTURE",
              "minConfidence": 0.80, "maxConfidence": 1.0, "action": "ROUTE_TO_COMPLIANCE_QUEUE", "priority": "HIGH" },
            { "id": "cvv-medium", "verdict": "VIOLATION_DETECTED", "violationType": "PCI_CVV_CAPTURE",
              "minConfidence": 0.40, "maxConfidence": 0.80, "action": "HUMAN_REVIEW", "priority": "HIGH",
              "acceptRecommendations": ["ROUTE_TO_COMPLIANCE_QUEUE"] },
            { "id": "cvv-low", "verdict": "VIOLATION_DETECTED", "violationType": "PCI_CVV_CAPTURE",
              "minConfidence": 0.0, "maxConfidence": 0.40, "action": "RECORD_ONLY", "priority": "NORMAL" },

            { "id": "ssn-high", "verdict": "VIOLATION_DETECTED", "violationType": "SSN_DISCLOSURE",
              "minConfidence": 0.80, "maxConfidence": 1.0, "action": "ROUTE_TO_COMPLIANCE_QUEUE", "priority": "HIGH" },
            { "id": "ssn-medium", "verdict": "VIOLATION_DETECTED", "violationType": "SSN_DISCLOSURE",
              "minConfidence": 0.40, "maxConfidence": 0.80, "action": "HUMAN_REVIEW", "priority": "HIGH",
              "acceptRecommendations": ["ROUTE_TO_COMPLIANCE_QUEUE"] },
            { "id": "ssn-low", "verdict": "VIOLATION_DETECTED", "violationType": "SSN_DISCLOSURE",
              "minConfidence": 0.0, "maxConfidence": 0.40, "action": "RECORD_ONLY", "priority": "NORMAL" },

            { "id": "compliant-confident", "verdict": "COMPLIANT",
              "minConfidence": 0.60, "maxConfidence": 1.0, "action": "NONE", "priority": "LOW" },
            { "id": "compliant-unsure", "verdict": "COMPLIANT",
              "minConfidence": 0.0, "maxConfidence": 0.60, "action": "RECORD_ONLY", "priority": "LOW",
              "acceptRecommendations": ["HUMAN_REVIEW"] },

            { "id": "inconclusive", "verdict": "INCONCLUSIVE",
              "minConfidence": 0.0, "maxConfidence": 1.0, "action": "HUMAN_REVIEW", "priority": "NORMAL" }
          ],
          "fallback": { "action": "HUMAN_REVIEW", "priority": "NORMAL" }
        }
        """
}

/// A policy file that cannot be loaded, with the position of the problem.
///
/// ``line`` and ``column`` are 1-based; the column counts UTF-8 bytes from the start of the line.
/// ``path`` names the JSON location (`rules[2].minConfidence`).
public struct VerdictPolicyError: VigilCodedError, Hashable {
    /// The kind of problem; new kinds are added as new static members.
    public struct Code: VigilErrorCode {
        private enum Base: String {
            case unreadable, syntax, unknownKey, missingKey, wrongType, unsupportedVersion, invalidRuleId
            case duplicateRuleId, unknownVerdict, invalidViolationType, unknownAction, unknownPriority
            case thresholdOutOfRange, emptyRange, overlappingRanges, gappedRanges
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The file could not be read.
        public static let unreadable = Code(.unreadable)
        /// Not JSON (or a duplicate key, or trailing content).
        public static let syntax = Code(.syntax)
        /// A key the format does not define (a typo such as `minConfidance`).
        public static let unknownKey = Code(.unknownKey)
        /// A required key is absent.
        public static let missingKey = Code(.missingKey)
        /// A value has the wrong JSON type.
        public static let wrongType = Code(.wrongType)
        /// `policyVersion` is not one this SDK reads.
        public static let unsupportedVersion = Code(.unsupportedVersion)
        /// A rule or policy id is empty or longer than 128 characters.
        public static let invalidRuleId = Code(.invalidRuleId)
        /// Two rules share an id.
        public static let duplicateRuleId = Code(.duplicateRuleId)
        /// `verdict` is not `VIOLATION_DETECTED`, `COMPLIANT`, `INCONCLUSIVE` or `*`.
        public static let unknownVerdict = Code(.unknownVerdict)
        /// `violationType` is not `*` or an upper-case name (`A–Z 0–9 _`).
        public static let invalidViolationType = Code(.invalidViolationType)
        /// An action name that is not `ROUTE_TO_COMPLIANCE_QUEUE`, `HUMAN_REVIEW`, `RECORD_ONLY` or `NONE`.
        public static let unknownAction = Code(.unknownAction)
        /// A priority that is not `HIGH`, `NORMAL` or `LOW`.
        public static let unknownPriority = Code(.unknownPriority)
        /// A confidence threshold outside `[0, 1]`.
        public static let thresholdOutOfRange = Code(.thresholdOutOfRange)
        /// `minConfidence` is not below `maxConfidence`.
        public static let emptyRange = Code(.emptyRange)
        /// Two ranges of the same (verdict, violationType) overlap.
        public static let overlappingRanges = Code(.overlappingRanges)
        /// The ranges of one (verdict, violationType) leave part of `[0, 1]` uncovered.
        public static let gappedRanges = Code(.gappedRanges)

        /// `policy`: codes read `policy.<name>`, e.g. `policy.unreadable`.
        public static let domain = "policy"
        /// The name within ``domain``, e.g. `unreadable`.
        public var name: String { base.rawValue }
    }

    /// What is wrong.
    public let code: Code
    /// The 1-based line of the offending key or value (0 when the file could not be read).
    public let line: Int
    /// The 1-based column (UTF-8 bytes).
    public let column: Int
    /// The JSON path, e.g. `rules[2].minConfidence`.
    public let path: String
    /// A short explanation.
    public let detail: String

    /// Creates an error.
    public init(code: Code, line: Int, column: Int, path: String, detail: String) {
        self.code = code
        self.line = line
        self.column = column
        self.path = path
        self.detail = detail
    }

    /// A bad policy file stays bad until someone edits it.
    public var isRetryable: Bool { false }
    /// `policy.unknownKey at line 7, column 9 (rules[1].minConfidance): <detail>`.
    public var description: String {
        "\(code) at line \(line), column \(column)\(path.isEmpty ? "" : " (\(path))"): \(detail)"
    }
}

/// Reads a policy document with positions.
private struct PolicyLoader {
    typealias Value = StrictJSON.Node
    let bytes: [UInt8]

    func error(_ code: VerdictPolicyError.Code, at offset: Int, _ path: String, _ detail: String) -> VerdictPolicyError {
        let (line, column) = StrictJSON.lineAndColumn(of: offset, in: bytes)
        return VerdictPolicyError(code: code, line: line, column: column, path: path, detail: detail)
    }

    func load() throws(VerdictPolicyError) -> VerdictPolicy {
        let root: Value
        do {
            root = try StrictJSON.parse(bytes)
        } catch {
            throw self.error(.syntax, at: error.offset ?? 0, error.path, error.reason)
        }
        let top = try object(root, "", allowed: ["policyVersion", "id", "description", "rules", "fallback"])
        let version = try number(try required(top, "policyVersion", in: root, ""), "policyVersion")
        guard version == Double(VerdictPolicy.supportedPolicyVersion) else {
            throw error(
                .unsupportedVersion, at: top["policyVersion"]!.value.offset, "policyVersion",
                "this SDK reads policyVersion \(VerdictPolicy.supportedPolicyVersion)")
        }
        let idValue = try required(top, "id", in: root, "")
        let id = try string(idValue, "id")
        guard Loggable.isIdentifier(id) else {
            throw error(
                .invalidRuleId, at: idValue.offset, "id",
                "must be 1-128 characters of A-Z a-z 0-9 . _ : - with fewer than 9 digits outside UUIDs (ids are recorded in every decision)")
        }
        if let description = top["description"] { _ = try string(description.value, "description") }

        let rulesValue = try required(top, "rules", in: root, "")
        guard case let .array(ruleValues, _) = rulesValue else {
            throw error(.wrongType, at: rulesValue.offset, "rules", "expected array, found \(rulesValue.typeName)")
        }
        var rules: [VerdictPolicy.Rule] = []
        var positions: [String: (min: Int, max: Int)] = [:]
        var ids: Set<String> = []
        for (index, ruleValue) in ruleValues.enumerated() {
            let (rule, minOffset, maxOffset, idOffset) = try parseRule(ruleValue, path: "rules[\(index)]")
            guard ids.insert(rule.id).inserted else {
                throw error(.duplicateRuleId, at: idOffset, "rules[\(index)].id", "another rule already has this id")
            }
            rules.append(rule)
            positions[rule.id] = (minOffset, maxOffset)
        }
        try checkCoverage(rules, positions: positions)

        let fallbackValue = try required(top, "fallback", in: root, "")
        let fallback = try object(fallbackValue, "fallback", allowed: ["action", "priority"])
        let fallbackAction = try action(try required(fallback, "action", in: fallbackValue, "fallback"), "fallback.action")
        let fallbackPriority =
            try fallback["priority"].map { (member) throws(VerdictPolicyError) in
                try priority(member.value, "fallback.priority")
            } ?? .normal
        return VerdictPolicy(id: id, rules: rules, fallbackAction: fallbackAction, fallbackPriority: fallbackPriority)
    }

    // MARK: Rules

    private static let ruleKeys: Set<String> = [
        "id", "description", "verdict", "violationType", "minConfidence",
        "maxConfidence", "action", "priority", "acceptRecommendations"
    ]

    func parseRule(_ value: Value, path: String) throws(VerdictPolicyError) -> (VerdictPolicy.Rule, Int, Int, Int) {
        let members = try object(value, path, allowed: Self.ruleKeys)
        let idValue = try required(members, "id", in: value, path)
        let id = try string(idValue, path + ".id")
        guard Loggable.isIdentifier(id) else {
            throw error(
                .invalidRuleId, at: idValue.offset, path + ".id",
                "must be 1-128 characters of A-Z a-z 0-9 . _ : - with fewer than 9 digits outside UUIDs (ids are recorded in every decision)")
        }
        if id == "fallback" {
            throw error(.invalidRuleId, at: idValue.offset, path + ".id", "\"fallback\" is reserved for the fallback decision")
        }
        if let description = members["description"] { _ = try string(description.value, path + ".description") }

        let verdictValue = try required(members, "verdict", in: value, path)
        let verdictName = try string(verdictValue, path + ".verdict")
        let verdict: Verdict?
        switch verdictName {
        case "*": verdict = nil
        case "VIOLATION_DETECTED", "COMPLIANT", "INCONCLUSIVE": verdict = Verdict(rawValue: verdictName)
        default:
            throw error(
                .unknownVerdict, at: verdictValue.offset, path + ".verdict",
                "expected VIOLATION_DETECTED, COMPLIANT, INCONCLUSIVE or *")
        }

        var violationType: ViolationType?
        if let member = members["violationType"] {
            let name = try string(member.value, path + ".violationType")
            if name != "*" {
                // A label (fewer than 6 digits), as `VerdictValidator` requires of the verdicts it
                // passes: a type that could carry a card number is quoted by nothing (found by fuzzing).
                guard Loggable.isLabel(name),
                    name.utf8.allSatisfy({ byte in
                        (0x41...0x5A).contains(byte) || (0x30...0x39).contains(byte) || byte == UInt8(ascii: "_")
                    })
                else {
                    throw error(
                        .invalidViolationType, at: member.value.offset, path + ".violationType",
                        "expected * or an upper-case name (1-64 of A-Z 0-9 _, fewer than 6 digits)")
                }
                violationType = ViolationType(rawValue: name)
            }
        }

        let minValue = try required(members, "minConfidence", in: value, path)
        let maxValue = try required(members, "maxConfidence", in: value, path)
        let minConfidence = try threshold(minValue, path + ".minConfidence")
        let maxConfidence = try threshold(maxValue, path + ".maxConfidence")
        guard minConfidence < maxConfidence else {
            throw error(.emptyRange, at: minValue.offset, path + ".minConfidence", "minConfidence must be below maxConfidence")
        }

        let ruleAction = try action(try required(members, "action", in: value, path), path + ".action")
        let rulePriority =
            try members["priority"].map { (member) throws(VerdictPolicyError) in
                try priority(member.value, path + ".priority")
            } ?? .normal

        var accepted: Set<RemediationAction> = []
        if let member = members["acceptRecommendations"] {
            guard case let .array(values, _) = member.value else {
                throw error(
                    .wrongType, at: member.value.offset, path + ".acceptRecommendations",
                    "expected array, found \(member.value.typeName)")
            }
            for (index, element) in values.enumerated() {
                accepted.insert(try action(element, path + ".acceptRecommendations[\(index)]"))
            }
        }
        let rule = VerdictPolicy.Rule(
            id: id, verdict: verdict, violationType: violationType, minConfidence: minConfidence,
            maxConfidence: maxConfidence, action: ruleAction, priority: rulePriority,
            acceptRecommendations: accepted)
        return (rule, minValue.offset, maxValue.offset, idValue.offset)
    }

    /// Each (verdict, violationType) group must tile `[0, 1]`: sorted by `minConfidence`, the first
    /// starts at 0, each starts where the previous ended, the last ends at 1.
    func checkCoverage(_ rules: [VerdictPolicy.Rule], positions: [String: (min: Int, max: Int)]) throws(VerdictPolicyError) {
        var order: [VerdictPolicy.GroupKey] = []
        var groups: [VerdictPolicy.GroupKey: [(rule: VerdictPolicy.Rule, index: Int)]] = [:]
        for (index, rule) in rules.enumerated() {
            let key = VerdictPolicy.GroupKey(verdict: rule.verdict, violationType: rule.violationType)
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append((rule, index))
        }
        for key in order {
            let sorted = groups[key]!.sorted { $0.rule.minConfidence < $1.rule.minConfidence }
            let name = "\(key.verdict?.rawValue ?? "*") / \(key.violationType?.rawValue ?? "*")"
            var reached = 0.0
            for (position, entry) in sorted.enumerated() {
                let offsets = positions[entry.rule.id]!
                let path = "rules[\(entry.index)].minConfidence"
                if entry.rule.minConfidence < reached {
                    let other = sorted[position - 1].rule.id
                    throw error(
                        .overlappingRanges, at: offsets.min, path,
                        "range overlaps rule \"\(other)\" for \(name)")
                }
                if entry.rule.minConfidence > reached {
                    throw error(
                        .gappedRanges, at: offsets.min, path,
                        "confidences from \(reached) to \(entry.rule.minConfidence) match no rule for \(name)")
                }
                reached = entry.rule.maxConfidence
            }
            if reached < 1, let last = sorted.last {
                throw error(
                    .gappedRanges, at: positions[last.rule.id]!.max, "rules[\(last.index)].maxConfidence",
                    "confidences from \(reached) to 1 match no rule for \(name)")
            }
        }
    }

    // MARK: Typed readers

    func object(_ value: Value, _ path: String, allowed: Set<String>) throws(VerdictPolicyError) -> [String: StrictJSON.Member] {
        guard case let .object(members, _) = value else {
            throw error(.wrongType, at: value.offset, path, "expected object, found \(value.typeName)")
        }
        var result: [String: StrictJSON.Member] = [:]
        for member in members {
            guard allowed.contains(member.key) else {
                // The unknown key is the file's text: named by the one rule every error path uses
                // (`<name>` when it could carry digits of a card; found by the verdict-policy fuzz harness).
                let name = StrictJSON.safeName(member.key)
                let memberPath = path.isEmpty ? name : path + "." + name
                throw error(
                    .unknownKey, at: member.keyOffset, memberPath,
                    "unknown key; expected one of: \(allowed.sorted().joined(separator: ", "))")
            }
            result[member.key] = member
        }
        return result
    }

    func required(
        _ members: [String: StrictJSON.Member], _ key: String, in parent: Value,
        _ path: String
    ) throws(VerdictPolicyError) -> Value {
        guard let member = members[key] else {
            throw error(.missingKey, at: parent.offset, path.isEmpty ? key : path + "." + key, "required key is missing")
        }
        return member.value
    }

    func string(_ value: Value, _ path: String) throws(VerdictPolicyError) -> String {
        guard case let .string(text, _) = value else {
            throw error(.wrongType, at: value.offset, path, "expected string, found \(value.typeName)")
        }
        return text
    }

    func number(_ value: Value, _ path: String) throws(VerdictPolicyError) -> Double {
        guard case let .number(number, _) = value else {
            throw error(.wrongType, at: value.offset, path, "expected number, found \(value.typeName)")
        }
        return number
    }

    func threshold(_ value: Value, _ path: String) throws(VerdictPolicyError) -> Double {
        let number = try number(value, path)
        guard (0...1).contains(number) else {
            throw error(.thresholdOutOfRange, at: value.offset, path, "must be between 0 and 1")
        }
        return number
    }

    func action(_ value: Value, _ path: String) throws(VerdictPolicyError) -> RemediationAction {
        let name = try string(value, path)
        guard let action = RemediationAction(rawValue: name) else {
            throw error(
                .unknownAction, at: value.offset, path,
                "expected one of: \(RemediationAction.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return action
    }

    func priority(_ value: Value, _ path: String) throws(VerdictPolicyError) -> RemediationPriority {
        let name = try string(value, path)
        guard let priority = RemediationPriority(rawValue: name) else {
            throw error(.unknownPriority, at: value.offset, path, "expected HIGH, NORMAL or LOW")
        }
        return priority
    }
}
