/// Applies a ``RedactionPolicy`` to text: detects, then replaces every finding by its operator.
///
/// ```swift
/// let redactor = try Redactor(policy: .tokenizeAll, tokenKey: try TokenKey(orgKeyBytes))
/// let result = redactor.redact("Call me on +44 20 7946 0958, card 4111-1111-1111-1111")
/// result.text      // "Call me on tok_phone_…, card tok_pan_…"
/// result.findings  // kinds and original ranges, no values
/// ```
public struct Redactor: Sendable {
    /// The operators by kind.
    public let policy: RedactionPolicy
    /// The detector used to find personal data.
    public let detector: PIIDetector
    private let tokenKey: TokenKey?

    /// Creates a redactor.
    ///
    /// - Throws: ``RedactionError/Code/missingTokenKey`` when `policy` uses ``RedactionOperator/token``
    ///   and no `tokenKey` is given.
    public init(
        policy: RedactionPolicy = .standard,
        tokenKey: TokenKey? = nil,
        detector: PIIDetector = PIIDetector()
    ) throws(RedactionError) {
        if policy.usesToken, tokenKey == nil { throw RedactionError(.missingTokenKey) }
        self.policy = policy
        self.tokenKey = tokenKey
        self.detector = detector
    }

    /// Redacts `text`.
    public func redact(_ text: String) -> RedactionResult {
        var text = text
        return text.withUTF8 { buffer in
            let matches = detector.matches(in: buffer)
            return RedactionResult(text: apply(matches, to: buffer), findings: matches.map(\.finding))
        }
    }

    /// Redacts a transcript: spoken digits are normalised for detection (``SpokenDigitNormalizer``),
    /// and the operators replace the corresponding original words.
    public func redact(transcript text: String) -> RedactionResult {
        let matches = detector.transcriptMatches(in: text)
        var text = text
        let redacted = text.withUTF8 { apply(matches, to: $0) }
        return RedactionResult(text: redacted, findings: matches.map(\.finding))
    }

    /// Redacts a transcript given as phrases; a finding that spans phrases is replaced in the first
    /// phrase it touches and removed from the others.
    public func redact(phrases: [String]) -> PhraseRedactionResult {
        let layout = PhraseLayout(phrases)
        let matches = detector.transcriptMatches(in: layout.text)
        var edits: [[(range: Range<Int>, replacement: String)]] = Array(repeating: [], count: phrases.count)
        var findings: [TranscriptFinding] = []
        for match in matches {
            let segments = layout.segments(for: match.finding.utf8Range)
            guard !segments.isEmpty else { continue }
            let replacement = self.replacement(for: match.finding.kind, value: match.value)
            for (position, segment) in segments.enumerated() {
                edits[segment.phraseIndex].append((segment.utf8Range, position == 0 ? replacement : ""))
            }
            findings.append(
                TranscriptFinding(
                    kind: match.finding.kind, confidence: match.finding.confidence,
                    cardNetwork: match.finding.cardNetwork, segments: segments))
        }
        let redacted = phrases.indices.map { index -> String in
            guard !edits[index].isEmpty else { return phrases[index] }
            var phrase = phrases[index]
            return phrase.withUTF8 { Self.splice(edits[index], into: $0) }
        }
        return PhraseRedactionResult(phrases: redacted, findings: findings)
    }

    /// The replacement text for a value of `kind` (already normalised) under this policy.
    func replacement(for kind: PIIKind, value: [UInt8]) -> String {
        var output: [UInt8] = []
        appendReplacement(for: kind, value: value, to: &output)
        return String(decoding: output, as: UTF8.self)
    }

    /// Appends the replacement for a value of `kind` to `output`, without intermediate strings.
    func appendReplacement(for kind: PIIKind, value: [UInt8], to output: inout [UInt8]) {
        switch policy.operator(for: kind).storage {
        case .drop:
            return
        case .replace(let label):
            if let label {
                output.append(contentsOf: label.utf8)
            } else {
                output.append(UInt8(ascii: "<"))
                output.append(contentsOf: kind.label.utf8)
                output.append(UInt8(ascii: ">"))
            }
        case .token:
            // `init` guarantees a key whenever the policy uses the token operator.
            let token = tokenKey?.token(for: value, kind: kind) ?? "<\(kind.label)>"
            output.append(contentsOf: token.utf8)
        case .mask(let character, let requested):
            let length = value.count
            let kept = kind == .cvv || kind == .cardExpiry ? 0 : min(requested, length / 2)
            if character.isASCII, let ascii = character.asciiValue {
                output.append(contentsOf: repeatElement(ascii, count: length - kept))
            } else {
                let encoded = Array(String(character).utf8)
                for _ in 0..<(length - kept) { output.append(contentsOf: encoded) }
            }
            output.append(contentsOf: value[(length - kept)...])
        }
    }

    /// The token for a value of `kind` under this redactor's key (`nil` without a key).
    func token(for value: some Sequence<UInt8>, kind: PIIKind) -> String? {
        tokenKey?.token(for: value, kind: kind)
    }

    func apply(_ matches: [PIIDetector.Match], to buffer: UnsafeBufferPointer<UInt8>) -> String {
        guard !matches.isEmpty else { return String(decoding: buffer, as: UTF8.self) }
        var output: [UInt8] = []
        output.reserveCapacity(buffer.count + buffer.count / 8)
        var position = 0
        // Ranges are sorted; should two ever overlap (a transcript word shared by two findings), the
        // later one still covers everything up to its end.
        for match in matches where match.finding.utf8Range.upperBound > position {
            let lower = max(position, match.finding.utf8Range.lowerBound)
            output.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[position..<lower]))
            appendReplacement(for: match.finding.kind, value: match.value, to: &output)
            position = match.finding.utf8Range.upperBound
        }
        output.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[position...]))
        return String(decoding: output, as: UTF8.self)
    }

    /// `buffer` with each (non-overlapping, sorted) range replaced.
    static func splice(_ edits: [(range: Range<Int>, replacement: String)], into buffer: UnsafeBufferPointer<UInt8>) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(buffer.count)
        var position = 0
        for edit in edits where edit.range.upperBound > position {
            output.append(contentsOf: buffer[position..<max(position, edit.range.lowerBound)])
            output.append(contentsOf: edit.replacement.utf8)
            position = edit.range.upperBound
        }
        output.append(contentsOf: buffer[position...])
        return String(decoding: output, as: UTF8.self)
    }
}

/// Redacted text and what was found in it (kinds and original ranges, no values).
public struct RedactionResult: Hashable, Sendable, CustomStringConvertible {
    /// The text with every finding replaced.
    public let text: String
    /// The findings, with UTF-8 ranges into the *original* text.
    public let findings: [PIIFinding]

    /// Creates a result.
    public init(text: String, findings: [PIIFinding]) {
        self.text = text
        self.findings = findings
    }

    /// `RedactionResult(2 findings: creditCard, email)`.
    public var description: String {
        "RedactionResult(\(findings.count) findings: \(findings.map(\.kind.name).joined(separator: ", ")))"
    }
}

/// Redacted phrases and what was found in them.
public struct PhraseRedactionResult: Hashable, Sendable, CustomStringConvertible {
    /// The phrases with every finding replaced (same count and order as the input).
    public let phrases: [String]
    /// The findings, with ranges into the *original* phrases.
    public let findings: [TranscriptFinding]

    /// Creates a result.
    public init(phrases: [String], findings: [TranscriptFinding]) {
        self.phrases = phrases
        self.findings = findings
    }

    /// `PhraseRedactionResult(3 phrases, 1 findings: creditCard)`.
    public var description: String {
        "PhraseRedactionResult(\(phrases.count) phrases, \(findings.count) findings: "
            + "\(findings.map(\.kind.name).joined(separator: ", ")))"
    }
}
