/// An error raised while reading audio: a malformed or truncated header, truncated sample data, an
/// unsupported encoding, or a container that is not WAV at all.
///
/// The error is an extensible struct over a private enum: switch on ``code`` (stable across releases)
/// rather than on the description. It carries the byte offset where the problem was found and a
/// human-readable explanation, and **never** any audio content.
public struct AudioDecodingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable, machine-readable identifier for the kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The identifier as a snake_case string, e.g. `"truncated_data"`.
        public let rawValue: String

        private init(_ rawValue: String) { self.rawValue = rawValue }

        /// The RIFF/WAVE structure is invalid (bad magic, impossible chunk sizes, `data` before `fmt `…).
        public static let malformedHeader = Code("malformed_header")
        /// The `fmt ` chunk describes an encoding Vigil does not decode (for example 24-bit PCM or IEEE float).
        public static let unsupportedFormat = Code("unsupported_format")
        /// The stream ended before the header (up to the start of the `data` chunk) was complete.
        public static let truncatedHeader = Code("truncated_header")
        /// The stream ended inside the sample data: fewer bytes than the `data` chunk declared, or a
        /// partial sample frame at the end.
        public static let truncatedData = Code("truncated_data")
        /// The bytes are another container (WEBM, OGG, MP3, RF64); ask Genesys Cloud for
        /// `formatId=WAV` or `WAV_ULAW` instead.
        public static let unsupportedContainer = Code("unsupported_container")
        /// Reading the underlying file failed.
        public static let readFailed = Code("read_failed")

        /// The ``rawValue``.
        public var description: String { rawValue }
    }

    private enum Kind: Hashable, Sendable {
        case malformedHeader(String)
        case unsupportedFormat(String)
        case truncatedHeader(String)
        case truncatedData(String)
        case unsupportedContainer(name: String)
        case readFailed(String)
    }

    private let kind: Kind

    /// The absolute byte offset in the stream at which the problem was detected, when known.
    public let byteOffset: Int?

    private init(_ kind: Kind, byteOffset: Int?) {
        self.kind = kind
        self.byteOffset = byteOffset
    }

    /// The stable code of this error.
    public var code: Code {
        switch kind {
        case .malformedHeader: .malformedHeader
        case .unsupportedFormat: .unsupportedFormat
        case .truncatedHeader: .truncatedHeader
        case .truncatedData: .truncatedData
        case .unsupportedContainer: .unsupportedContainer
        case .readFailed: .readFailed
        }
    }

    /// For ``Code/unsupportedContainer``, the container that was recognised (`"WEBM"`, `"OGG"`, `"MP3"`,
    /// `"RF64"`); otherwise `nil`.
    public var detectedContainer: String? {
        if case .unsupportedContainer(let name) = kind { return name }
        return nil
    }

    /// A readable explanation including the code and byte offset. Never contains audio content.
    public var description: String {
        let detail: String
        switch kind {
        case .malformedHeader(let text), .unsupportedFormat(let text), .truncatedHeader(let text),
            .truncatedData(let text), .readFailed(let text):
            detail = text
        case .unsupportedContainer(let name):
            detail =
                "the stream is \(name), not RIFF/WAVE; request the recording from Genesys Cloud with "
                + "formatId=WAV (16-bit PCM) or formatId=WAV_ULAW (G.711 µ-law)"
        }
        if let byteOffset {
            return "\(code.rawValue) at byte \(byteOffset): \(detail)"
        }
        return "\(code.rawValue): \(detail)"
    }

    static func malformedHeader(_ detail: String, at offset: Int?) -> Self {
        Self(.malformedHeader(detail), byteOffset: offset)
    }

    static func unsupportedFormat(_ detail: String, at offset: Int?) -> Self {
        Self(.unsupportedFormat(detail), byteOffset: offset)
    }

    static func truncatedHeader(_ detail: String, at offset: Int?) -> Self {
        Self(.truncatedHeader(detail), byteOffset: offset)
    }

    static func truncatedData(_ detail: String, at offset: Int?) -> Self {
        Self(.truncatedData(detail), byteOffset: offset)
    }

    static func unsupportedContainer(_ name: String, at offset: Int?) -> Self {
        Self(.unsupportedContainer(name: name), byteOffset: offset)
    }

    static func readFailed(_ detail: String) -> Self {
        Self(.readFailed(detail), byteOffset: nil)
    }
}
