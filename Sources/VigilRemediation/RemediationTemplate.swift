import Foundation
import VigilModels

/// A text setting with placeholders, parsed once when the flow is loaded and resolved per verdict.
///
/// Syntax: `{data.NAME}` is replaced by a field of the verdict or the recording context (see
/// ``Placeholder``); `{params.NAME}` is replaced **at load time** by
/// ``RemediationFlow/LoadOptions/parameters`` (organisation-specific ids such as a worktype); `{{` and
/// `}}` stand for literal braces. Anything else in braces is rejected when the flow is loaded, so
/// resolving can never fail.
///
/// ```swift
/// let template = try RemediationTemplate("Compliance: {data.violationType} at {data.timestampOffsetMs} ms")
/// template.placeholders   // [.violationType, .timestampOffsetMs]
/// ```
public struct RemediationTemplate: Sendable, Hashable, CustomStringConvertible {
    /// A value a template can insert. Only identifiers and engine classifications are offered;
    /// `evidenceSnippet` is deliberately not one (it is engine-supplied and may carry personal data).
    public enum Placeholder: String, Sendable, Hashable, CaseIterable, Comparable {
        /// `{data.recordingId}`: the recording's lowercase UUID.
        case recordingId
        /// `{data.conversationId}`: the conversation's lowercase UUID.
        case conversationId
        /// `{data.verdict}`: e.g. `VIOLATION_DETECTED`.
        case verdict
        /// `{data.violationType}`: e.g. `PCI_MID_CAPTURE`; `NONE` when the verdict names none.
        case violationType
        /// `{data.confidenceScore}`: the engine's confidence, e.g. `0.94`.
        case confidenceScore
        /// `{data.timestampOffsetMs}`: where the evidence starts, in ms; `0` when the verdict has no offset.
        case timestampOffsetMs
        /// `{data.correlationId}`: the correlation id linking event, request, verdict and remediation.
        case correlationId
        /// `{data.recommendedAction}`: e.g. `ROUTE_TO_COMPLIANCE_QUEUE`; `NONE` when absent.
        case recommendedAction

        /// The fewest characters the value can have (used to check length limits at load time).
        var minimumLength: Int {
            switch self {
            case .recordingId, .conversationId: 36
            default: 1
            }
        }

        /// Orders by name.
        public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    enum Segment: Sendable, Hashable {
        case literal(String)
        case placeholder(Placeholder)
    }

    /// Why a template text is not valid (mapped to a ``RemediationFlowError`` with its location).
    struct ParseError: Error {
        let code: RemediationFlowError.Code
        let detail: String
    }

    let segments: [Segment]

    /// The template text as written in the flow, after `{params.…}` substitution.
    public let source: String

    /// Parses `source`; `parameters` fill `{params.NAME}` placeholders.
    ///
    /// - Throws: ``RemediationFlowError`` (`unknownPlaceholder`, `malformedTemplate`, `missingParameter`)
    ///   without a location; ``RemediationFlow`` adds the block and path when it loads a flow.
    public init(_ source: String, parameters: [String: String] = [:]) throws(RemediationFlowError) {
        do {
            self = try Self.parse(source, parameters: parameters)
        } catch {
            throw RemediationFlowError(code: error.code, detail: error.detail)
        }
    }

    private init(segments: [Segment], source: String) {
        self.segments = segments
        self.source = source
    }

    static func parse(_ source: String, parameters: [String: String]) throws(ParseError) -> RemediationTemplate {
        var segments: [Segment] = []
        var literal = ""
        var rendered = ""
        var index = source.startIndex
        func flush() {
            if !literal.isEmpty { segments.append(.literal(literal)) }
            literal = ""
        }
        while index < source.endIndex {
            let character = source[index]
            let next = source.index(after: index)
            if character == "{" {
                if next < source.endIndex, source[next] == "{" {
                    literal.append("{")
                    rendered.append("{{")
                    index = source.index(after: next)
                    continue
                }
                guard let close = source[next...].firstIndex(of: "}") else {
                    throw ParseError(code: .malformedTemplate, detail: "unterminated '{'")
                }
                let name = source[next..<close].trimmingCharacters(in: .whitespaces)
                if name.hasPrefix("data.") {
                    let field = String(name.dropFirst(5))
                    guard let placeholder = Placeholder(rawValue: field) else {
                        let hint =
                            field == "evidenceSnippet"
                            ? "evidenceSnippet is engine-supplied and may carry personal data; templates cannot use it"
                            : "known placeholders: "
                                + Placeholder.allCases.map { "{data.\($0.rawValue)}" }.joined(separator: ", ")
                        throw ParseError(code: .unknownPlaceholder, detail: "unknown placeholder {\(name)}; \(hint)")
                    }
                    flush()
                    segments.append(.placeholder(placeholder))
                    rendered.append("{data.\(field)}")
                } else if name.hasPrefix("params.") {
                    let key = String(name.dropFirst(7))
                    guard let value = parameters[key] else {
                        throw ParseError(code: .missingParameter, detail: "no value for {\(name)} in the load parameters")
                    }
                    literal.append(value)
                    rendered.append(
                        value.replacingOccurrences(of: "{", with: "{{")
                            .replacingOccurrences(of: "}", with: "}}"))
                } else {
                    throw ParseError(
                        code: .unknownPlaceholder,
                        detail: "unknown placeholder {\(name)}; use {data.NAME} or {params.NAME}")
                }
                index = source.index(after: close)
            } else if character == "}" {
                guard next < source.endIndex, source[next] == "}" else {
                    throw ParseError(code: .malformedTemplate, detail: "stray '}' (write '}}' for a literal brace)")
                }
                literal.append("}")
                rendered.append("}}")
                index = source.index(after: next)
            } else {
                literal.append(character)
                rendered.append(character)
                index = next
            }
        }
        flush()
        return RemediationTemplate(segments: segments, source: rendered)
    }

    /// The placeholders the template uses.
    public var placeholders: Set<Placeholder> {
        Set(segments.compactMap { if case let .placeholder(p) = $0 { p } else { nil } })
    }

    /// Whether the template is plain text without placeholders.
    public var isConstant: Bool { placeholders.isEmpty }

    /// The fewest UTF-16 units a resolved value can have.
    var minimumLength: Int {
        segments.reduce(0) { total, segment in
            switch segment {
            case let .literal(text): total + text.utf16.count
            case let .placeholder(p): total + p.minimumLength
            }
        }
    }

    /// Resolves the template for one verdict.
    ///
    /// - Parameters:
    ///   - values: the verdict's and context's values.
    ///   - maxLength: when given, the result is cut to at most this many UTF-16 units (Genesys' unit
    ///     for length limits) on a character boundary.
    public func resolve(_ values: RemediationValues, maxLength: Int? = nil) -> String {
        var result = ""
        for segment in segments {
            switch segment {
            case let .literal(text): result += text
            case let .placeholder(p): result += values[p]
            }
        }
        guard let maxLength, result.utf16.count > maxLength else { return result }
        var cut = ""
        var length = 0
        for character in result {
            let units = character.utf16.count
            if length + units > maxLength { break }
            cut.append(character)
            length += units
        }
        return cut
    }

    /// The template text.
    public var description: String { source }
}

/// The values templates resolve from: a verdict and the recording it is about.
public struct RemediationValues: Sendable, Hashable {
    private let values: [RemediationTemplate.Placeholder: String]

    /// Collects the values of every ``RemediationTemplate/Placeholder`` from `verdict` and `context`.
    public init(verdict: ComplianceVerdict, context: RemediationContext) {
        values = [
            .recordingId: context.recordingId.rawValue,
            .conversationId: context.conversationId.rawValue,
            .verdict: verdict.verdict.rawValue,
            .violationType: verdict.violationType?.rawValue ?? "NONE",
            .confidenceScore: Self.format(verdict.confidenceScore),
            .timestampOffsetMs: String(verdict.timestampOffsetMs ?? 0),
            .correlationId: verdict.correlationId.rawValue,
            .recommendedAction: verdict.recommendedAction?.rawValue ?? "NONE"
        ]
    }

    /// The value of `placeholder`.
    public subscript(placeholder: RemediationTemplate.Placeholder) -> String { values[placeholder] ?? "" }

    /// At most four decimals, no trailing zeros: `0.94`, `1`, `0.1235`.
    static func format(_ score: Double) -> String {
        let scaled = (score * 10_000).rounded() / 10_000
        if scaled == scaled.rounded() { return String(Int(scaled)) }
        var text = String(format: "%.4f", scaled)
        while text.hasSuffix("0") { text.removeLast() }
        return text
    }
}
