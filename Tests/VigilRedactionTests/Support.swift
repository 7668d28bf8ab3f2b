import VigilRedaction

let detector = PIIDetector()

/// The substrings of `text` found as `kind` (tests only: production code never extracts values).
func found(_ kind: PIIKind, in text: String, using detector: PIIDetector = detector) -> [String] {
    detector.findings(in: text).filter { $0.kind == kind }.compactMap { finding in
        finding.range(in: text).map { String(text[$0]) }
    }
}

/// All findings of `text` as `kind:substring`.
func described(_ text: String) -> [String] {
    detector.findings(in: text).compactMap { finding in
        finding.range(in: text).map { "\(finding.kind):\(text[$0])" }
    }
}

let testKey: TokenKey = try! TokenKey(Array(0..<32))
let otherKey: TokenKey = try! TokenKey(Array(100..<132))
