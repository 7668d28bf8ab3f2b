import Foundation
import VigilCore
import VigilModels

/// Checks an engine's verdict against the request it answers, before anything acts on it.
///
/// A verdict that fails is **rejected** with a ``VerdictValidationError`` (never acted on, reported);
/// a verdict that passes but carries values Vigil does not know is **accepted for human review** —
/// ``ValidatedVerdict/reviewReasons`` says why, and ``VerdictPolicy`` never lets such a verdict be
/// handled automatically.
///
/// Rules (each with its own ``VerdictValidationError/Code``):
///
/// | Rule | Code |
/// |---|---|
/// | `recordingId` equals the request's (else spoofed or misrouted) | ``VerdictValidationError/Code/recordingMismatch`` |
/// | `correlationId` equals the request's (else spoofed, misrouted or stale) | ``VerdictValidationError/Code/correlationMismatch`` |
/// | `confidenceScore` is a number in `[0, 1]` | ``VerdictValidationError/Code/confidenceOutOfRange`` |
/// | `timestampOffsetMs` ≥ 0 and ≤ the recording's `durationMs` when known | ``VerdictValidationError/Code/offsetOutOfRange`` |
/// | `evidenceSnippet` has no control characters | ``VerdictValidationError/Code/evidenceControlCharacters`` |
/// | a URI snippet is `https` (no `http`, `data:`, `javascript:`, `file:`…) | ``VerdictValidationError/Code/evidenceInsecureURI`` |
/// | a URI snippet carries no credentials (user info, or a token/signature/key query parameter) — except this host's own signed evidence links (``signedEvidenceLinkBases``) | ``VerdictValidationError/Code/evidenceURICredentials`` |
/// | the snippet has no unmasked card number | ``VerdictValidationError/Code/evidenceUnmaskedPAN`` |
/// | the snippet has no unmasked SSN | ``VerdictValidationError/Code/evidenceUnmaskedSSN`` |
/// | an unknown `verdict`, `violationType` or `recommendedAction` is a label: 1–64 characters of `A–Z a–z 0–9 . _ : -` with fewer than 6 digits | ``VerdictValidationError/Code/unsafeLabel`` |
///
/// An unknown value is kept verbatim and goes where a known one goes — observer events (log lines,
/// the `vigil_verdicts_total{verdict,type}` metric labels), pipeline statistics, annotation names,
/// participant attributes and work-item names — so it must be a name, never data such as a card or
/// phone number or an e-mail address.
///
/// Review reasons (accepted, but a person must look): ``ReviewReason/unknownVerdict``,
/// ``ReviewReason/unknownViolationType``, ``ReviewReason/unknownRecommendedAction``,
/// ``ReviewReason/inconclusive``, ``ReviewReason/violationWithoutType``,
/// ``ReviewReason/compliantWithViolationType``, ``ReviewReason/humanReviewRecommended``.
public struct VerdictValidator: Sendable {
    /// Query parameter names (compared case-insensitively) that make an evidence URI carry a
    /// credential.
    public static let credentialQueryNames: Set<String> = [
        "token", "access_token", "id_token", "auth", "authorization", "api_key", "apikey", "key", "secret",
        "password", "pwd", "sig", "signature", "x-amz-signature", "x-amz-credential", "x-amz-security-token",
        "x-goog-signature", "x-goog-credential", "code"
    ]

    /// The scanner run over evidence snippets.
    public let scanner: any EvidencePIIScanner
    /// Bases of Vigil's own evidence links (`EvidenceLinks.base`, e.g. `https://vigil.example.com/evidence`):
    /// a snippet that is exactly `<base>/ev_<32 hex>?expires=<digits>&signature=<64 hex>` is accepted
    /// although it carries a signature — it is a short-lived capability this host signed, and nothing
    /// else fits in that form. Any other URI under the base follows the ordinary rules.
    public let signedEvidenceLinkBases: [String]

    /// Creates a validator.
    ///
    /// - Parameters:
    ///   - scanner: finds unmasked PANs and SSNs in evidence; defaults to ``RedactionPIIScanner`` (VigilRedaction's detectors).
    ///   - signedEvidenceLinkBases: `https` bases whose signed evidence links are accepted (see
    ///     ``signedEvidenceLinkBases``); a trailing `/` is ignored, other schemes are dropped.
    public init(scanner: any EvidencePIIScanner = RedactionPIIScanner(), signedEvidenceLinkBases: [String] = []) {
        self.scanner = scanner
        self.signedEvidenceLinkBases =
            signedEvidenceLinkBases
            .map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
            .filter { $0.lowercased().hasPrefix("https://") && $0.count > "https://".count }
    }

    /// Validates `verdict` as the answer to `request`.
    ///
    /// - Returns: the verdict with the reasons, if any, why a person must review it.
    /// - Throws: ``VerdictValidationError`` for the first rule the verdict breaks, in the order of the
    ///   table above (identity first: a spoofed verdict is reported as such, whatever else is wrong).
    public func validate(_ verdict: ComplianceVerdict, for request: ComplianceRequest)
        throws(VerdictValidationError) -> ValidatedVerdict
    {
        func fail(_ code: VerdictValidationError.Code, _ field: String, _ detail: String) -> VerdictValidationError {
            VerdictValidationError(
                code: code, field: field, recordingId: request.recordingId,
                correlationId: request.correlationId, reportedRecordingId: verdict.recordingId,
                reportedCorrelationId: verdict.correlationId, detail: detail)
        }
        guard verdict.recordingId == request.recordingId else {
            throw fail(.recordingMismatch, "recordingId", "the verdict is about another recording")
        }
        guard verdict.correlationId == request.correlationId else {
            throw fail(.correlationMismatch, "correlationId", "the verdict answers another request")
        }
        guard verdict.confidenceScore.isFinite, (0...1).contains(verdict.confidenceScore) else {
            throw fail(.confidenceOutOfRange, "confidenceScore", "must be between 0 and 1")
        }
        if let offset = verdict.timestampOffsetMs {
            guard offset >= 0 else { throw fail(.offsetOutOfRange, "timestampOffsetMs", "must not be negative") }
            if let duration = request.metadata?.durationMs, offset > duration {
                throw fail(.offsetOutOfRange, "timestampOffsetMs", "lies beyond the recording's duration")
            }
        }
        if let evidence = verdict.evidenceSnippet {
            if let (code, detail) = checkEvidence(evidence) { throw fail(code, "evidenceSnippet", detail) }
        }
        // Unknown values travel verbatim into events, metric labels and remediation payloads (found by
        // `PIIPropertyTests`: a violation type holding a card number reached the work item's name).
        // Every known value is a label, so the rule only ever refuses an unknown one.
        for (field, value) in [
            ("verdict", verdict.verdict.rawValue), ("violationType", verdict.violationType?.rawValue),
            ("recommendedAction", verdict.recommendedAction?.rawValue)
        ] {
            if let value, !Loggable.isLabel(value) {
                throw fail(
                    .unsafeLabel, field,
                    "an unknown value must be 1-64 characters of A-Z a-z 0-9 . _ : - with fewer than 6 digits")
            }
        }
        return ValidatedVerdict(verdict: verdict, reviewReasons: Self.reviewReasons(for: verdict))
    }

    /// The first evidence rule `snippet` breaks, or `nil`.
    func checkEvidence(_ snippet: String) -> (VerdictValidationError.Code, String)? {
        if isSignedEvidenceLink(snippet) { return nil }
        var text = snippet
        let problem: (VerdictValidationError.Code, String)? = text.withUTF8 { bytes in
            if Self.containsControlCharacter(bytes) {
                return (.evidenceControlCharacters, "must not contain control characters")
            }
            return Self.checkURI(bytes)
        }
        if let problem { return problem }
        let found = scanner.scan(snippet)
        if found.contains(.pan) { return (.evidenceUnmaskedPAN, "contains an unmasked card number") }
        if found.contains(.ssn) { return (.evidenceUnmaskedSSN, "contains an unmasked social security number") }
        return nil
    }

    /// Whether `snippet` is one of this host's own evidence links, in its exact form.
    func isSignedEvidenceLink(_ snippet: String) -> Bool {
        for base in signedEvidenceLinkBases where snippet.hasPrefix(base + "/ev_") {
            let rest = Array(snippet.utf8.dropFirst(base.utf8.count + 4))
            func isHex(_ byte: UInt8) -> Bool { (48...57).contains(byte) || (97...102).contains(byte) }
            guard rest.count > 32, rest[0..<32].allSatisfy(isHex) else { continue }
            let query = String(decoding: rest[32...], as: UTF8.self)
            let prefix = "?expires=", separator = "&signature="
            guard query.hasPrefix(prefix), let range = query.range(of: separator) else { continue }
            let expires = query[query.index(query.startIndex, offsetBy: prefix.count)..<range.lowerBound]
            let signature = query[range.upperBound...]
            if (1...19).contains(expires.utf8.count), expires.utf8.allSatisfy({ (48...57).contains($0) }),
                signature.utf8.count == 64, signature.utf8.allSatisfy(isHex)
            {
                return true
            }
        }
        return false
    }

    /// C0 controls, DEL and C1 controls (U+0080–U+009F, UTF-8 `C2 80`–`C2 9F`).
    static func containsControlCharacter(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var previous: UInt8 = 0
        for byte in bytes {
            if byte < 0x20 || byte == 0x7F || (previous == 0xC2 && byte >= 0x80 && byte <= 0x9F) { return true }
            previous = byte
        }
        return false
    }

    private static let opaqueSchemes: Set<String> = ["data", "javascript", "vbscript", "file", "mailto", "tel", "blob", "urn"]

    /// The URI rules, when `bytes` is a URI: https, a host, no user info, no credential query
    /// parameter, no characters a URI cannot contain. `nil` for text, or for a URI that passes.
    static func checkURI(_ bytes: UnsafeBufferPointer<UInt8>) -> (VerdictValidationError.Code, String)? {
        guard let colon = schemeEnd(bytes) else { return nil }
        let hierarchical = bytes.count >= colon + 3 && bytes[colon + 1] == UInt8(ascii: "/") && bytes[colon + 2] == UInt8(ascii: "/")
        let isHTTPS = colon == 5 && zip(bytes[0..<5], "https".utf8).allSatisfy { ($0 | 0x20) == $1 }
        if !hierarchical {
            let scheme = String(decoding: UnsafeBufferPointer(rebasing: bytes[0..<colon]), as: UTF8.self).lowercased()
            guard opaqueSchemes.contains(scheme) else { return nil }  // "note:…" is text, not a URI
            return (.evidenceInsecureURI, "a URI must be an absolute https URL")
        }
        let insecure = (VerdictValidationError.Code.evidenceInsecureURI, "a URI must be an absolute https URL")
        guard isHTTPS else { return insecure }
        // Only characters a URI may contain (RFC 3986 unreserved, reserved and '%').
        for byte in bytes
        where byte <= 0x20 || byte >= 0x7F || byte == UInt8(ascii: "\\") || byte == UInt8(ascii: "\"")
            || byte == UInt8(ascii: "<") || byte == UInt8(ascii: ">") || byte == UInt8(ascii: "{") || byte == UInt8(ascii: "}")
            || byte == UInt8(ascii: "|") || byte == UInt8(ascii: "^") || byte == UInt8(ascii: "`")
        {
            return insecure
        }
        var index = colon + 3
        let authorityStart = index
        while index < bytes.count, bytes[index] != UInt8(ascii: "/"), bytes[index] != UInt8(ascii: "?"),
            bytes[index] != UInt8(ascii: "#")
        {
            index += 1
        }
        let authority = bytes[authorityStart..<index]
        if authority.contains(UInt8(ascii: "@")) {
            return (.evidenceURICredentials, "the URI must not carry user credentials")
        }
        let host = authority.prefix { $0 != UInt8(ascii: ":") }
        guard !host.isEmpty else { return insecure }
        guard let question = bytes[index...].firstIndex(of: UInt8(ascii: "?")) else { return nil }
        let queryEnd = bytes[question...].firstIndex(of: UInt8(ascii: "#")) ?? bytes.count
        var nameStart = question + 1
        var position = nameStart
        while position <= queryEnd {
            if position == queryEnd || bytes[position] == UInt8(ascii: "&") {
                let parameter = bytes[nameStart..<position]
                let name = parameter.prefix { $0 != UInt8(ascii: "=") }
                if !name.isEmpty && isCredentialName(UnsafeBufferPointer(rebasing: name)) {
                    return (.evidenceURICredentials, "the URI must not carry a credential query parameter")
                }
                nameStart = position + 1
            }
            position += 1
        }
        return nil
    }

    private static let credentialNameBytes: [[UInt8]] = credentialQueryNames.map { Array($0.utf8) }

    /// Whether a query parameter name is a credential name, ignoring ASCII case; a name with
    /// percent-escapes is decoded first (`%74oken` is `token`).
    static func isCredentialName(_ name: UnsafeBufferPointer<UInt8>) -> Bool {
        if name.contains(UInt8(ascii: "%")) {
            let text = String(decoding: name, as: UTF8.self)
            return credentialQueryNames.contains((text.removingPercentEncoding ?? text).lowercased())
        }
        return credentialNameBytes.contains { candidate in
            candidate.count == name.count
                && zip(candidate, name).allSatisfy { $0 == ($1 >= 0x41 && $1 <= 0x5A ? $1 | 0x20 : $1) }
        }
    }

    /// The index of the `:` ending a URI scheme at the start of `bytes` (RFC 3986: a letter, then
    /// letters, digits, `+`, `-`, `.`), or `nil`.
    static func schemeEnd(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard let first = bytes.first, (first | 0x20) >= UInt8(ascii: "a") && (first | 0x20) <= UInt8(ascii: "z") else {
            return nil
        }
        for index in 1..<min(bytes.count, 40) {
            let byte = bytes[index]
            if byte == UInt8(ascii: ":") { return index }
            let letter = (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z")
            let digit = byte >= 0x30 && byte <= 0x39
            guard letter || digit || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") else {
                return nil
            }
        }
        return nil
    }

    /// Why a structurally valid verdict still needs a person.
    static func reviewReasons(for verdict: ComplianceVerdict) -> [ReviewReason] {
        var reasons: [ReviewReason] = []
        switch verdict.verdict {
        case .other: reasons.append(.unknownVerdict)
        case .inconclusive: reasons.append(.inconclusive)
        case .violationDetected:
            switch verdict.violationType {
            case nil: reasons.append(.violationWithoutType)
            case .other?: reasons.append(.unknownViolationType)
            default: break
            }
        case .compliant:
            if verdict.violationType != nil { reasons.append(.compliantWithViolationType) }
        }
        if verdict.verdict != .violationDetected, case .other? = verdict.violationType {
            reasons.append(.unknownViolationType)
        }
        switch verdict.recommendedAction {
        case .other?: reasons.append(.unknownRecommendedAction)
        case .humanReview?: reasons.append(.humanReviewRecommended)
        default: break
        }
        return reasons
    }
}

/// Why an accepted verdict must be reviewed by a person rather than handled automatically.
public enum ReviewReason: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// `verdict` is a value this SDK does not know (kept verbatim as `.other`).
    case unknownVerdict
    /// `verdict` is `INCONCLUSIVE`.
    case inconclusive
    /// `VIOLATION_DETECTED` without a `violationType`.
    case violationWithoutType
    /// `violationType` is a value this SDK does not know.
    case unknownViolationType
    /// `COMPLIANT`, yet a `violationType` is named — a contradiction.
    case compliantWithViolationType
    /// `recommendedAction` is a value this SDK does not know.
    case unknownRecommendedAction
    /// The engine itself recommends `HUMAN_REVIEW`.
    case humanReviewRecommended

    /// The raw value.
    public var description: String { rawValue }
}

/// A verdict that passed ``VerdictValidator`` for its request.
public struct ValidatedVerdict: Sendable, Hashable {
    /// The verdict, unchanged.
    public let verdict: ComplianceVerdict
    /// Why a person must review it; empty when it may be handled automatically.
    public let reviewReasons: [ReviewReason]

    /// Whether a person must review it (``reviewReasons`` is not empty).
    public var requiresHumanReview: Bool { !reviewReasons.isEmpty }
}

/// A verdict rejected by ``VerdictValidator``: it must not be acted on, and it should be reported
/// (a spoofed or misrouted verdict may be an attack, or a bug in the engine).
///
/// Carries the ids of the request and the ids the verdict claimed (UUIDs and correlation ids, safe to
/// log: a claimed correlation id that could hold personal data is kept as `withheld`) and the failing
/// field — never the evidence or any other verdict value.
public struct VerdictValidationError: VigilCodedError, Hashable {
    /// The rule that failed; new rules are added as new static members.
    public struct Code: VigilErrorCode {
        private enum Base: String {
            case recordingMismatch, correlationMismatch, confidenceOutOfRange, offsetOutOfRange
            case evidenceControlCharacters, evidenceInsecureURI, evidenceURICredentials, evidenceUnmaskedPAN
            case evidenceUnmaskedSSN, unsafeLabel
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The verdict's `recordingId` is not the request's: spoofed or misrouted.
        public static let recordingMismatch = Code(.recordingMismatch)
        /// The verdict's `correlationId` is not the request's: spoofed, misrouted or an answer to an
        /// older request.
        public static let correlationMismatch = Code(.correlationMismatch)
        /// `confidenceScore` is not a number in `[0, 1]`.
        public static let confidenceOutOfRange = Code(.confidenceOutOfRange)
        /// `timestampOffsetMs` is negative or beyond the recording's known duration.
        public static let offsetOutOfRange = Code(.offsetOutOfRange)
        /// `evidenceSnippet` contains control characters (log or UI injection).
        public static let evidenceControlCharacters = Code(.evidenceControlCharacters)
        /// `evidenceSnippet` is a URI, but not an absolute `https` URL.
        public static let evidenceInsecureURI = Code(.evidenceInsecureURI)
        /// `evidenceSnippet` is a URI carrying credentials (user info or a credential query parameter).
        public static let evidenceURICredentials = Code(.evidenceURICredentials)
        /// `evidenceSnippet` contains an unmasked card number.
        public static let evidenceUnmaskedPAN = Code(.evidenceUnmaskedPAN)
        /// `evidenceSnippet` contains an unmasked social security number.
        public static let evidenceUnmaskedSSN = Code(.evidenceUnmaskedSSN)
        /// An unknown `verdict`, `violationType` or `recommendedAction` is not a label (1–64
        /// characters of `A–Z a–z 0–9 . _ : -` with fewer than 6 digits): it could carry personal
        /// data into events, metric labels and remediation payloads.
        public static let unsafeLabel = Code(.unsafeLabel)

        /// `verdict`: codes read `verdict.<name>`, e.g. `verdict.recordingMismatch`.
        public static let domain = "verdict"
        /// The name within ``domain``, e.g. `recordingMismatch`.
        public var name: String { base.rawValue }
    }

    /// The rule that failed.
    public let code: Code
    /// The verdict field that broke it, e.g. `recordingId`.
    public let field: String
    /// The request's recording id.
    public let recordingId: GenesysID
    /// The request's correlation id.
    public let correlationId: CorrelationID
    /// The recording id the verdict claimed.
    public let reportedRecordingId: GenesysID
    /// The correlation id the verdict claimed — or `withheld` when it could hold personal data (9 or
    /// more digits outside UUIDs: the engine wrote it, and errors are logged).
    public let reportedCorrelationId: CorrelationID
    /// A short, value-free explanation.
    public let detail: String

    /// Creates an error.
    public init(
        code: Code, field: String, recordingId: GenesysID, correlationId: CorrelationID,
        reportedRecordingId: GenesysID, reportedCorrelationId: CorrelationID, detail: String
    ) {
        self.code = code
        self.field = field
        self.recordingId = recordingId
        self.correlationId = correlationId
        self.reportedRecordingId = reportedRecordingId
        // Found by `PIIPropertyTests`: an engine echoing a card or phone number as its correlation id
        // had it printed by every identity-mismatch error and dead letter.
        self.reportedCorrelationId =
            Loggable.isIdentifier(reportedCorrelationId.rawValue)
            ? reportedCorrelationId
            : CorrelationID.withheld
        self.detail = detail
    }

    /// A rejected verdict stays rejected: asking the same engine again is the caller's decision.
    public var isRetryable: Bool { false }
    /// Whether the verdict's identity did not match (``Code/recordingMismatch`` or
    /// ``Code/correlationMismatch``): possibly spoofed — alert, do not just log.
    public var isIdentityMismatch: Bool { code == .recordingMismatch || code == .correlationMismatch }

    /// `verdict.recordingMismatch at recordingId (recording …, correlation …): <detail>`.
    public var description: String {
        var text = "\(code) at \(field) (recording \(recordingId), correlation \(correlationId)"
        if isIdentityMismatch {
            text += "; verdict claimed recording \(reportedRecordingId), correlation \(reportedCorrelationId)"
        }
        return text + "): \(detail)"
    }
}

extension CorrelationID {
    /// `withheld`: stands in for a correlation id from outside that could hold personal data.
    static let withheld = CorrelationID("withheld")!
}
