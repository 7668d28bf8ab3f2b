import Foundation

extension WAVStreamDecoder {
    /// The chunk size used for file reads: 64 KiB.
    public static let defaultReadSize = 65_536

    /// Decodes a WAV file chunk by chunk (constant memory: one read buffer plus one decoded block).
    ///
    /// - Parameters:
    ///   - path: the file to read.
    ///   - readSize: bytes per read, 64 KiB by default.
    ///   - body: called with each decoded block, in order.
    /// - Returns: the stream's format.
    /// - Throws: ``AudioDecodingError`` (including ``AudioDecodingError/Code/readFailed``), or whatever
    ///   `body` throws.
    @discardableResult
    public static func decodeFile(
        atPath path: String, readSize: Int = defaultReadSize, _ body: (PCMBlock) throws -> Void
    ) throws -> AudioFormat {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw AudioDecodingError.readFailed("cannot open the file for reading")
        }
        defer { try? handle.close() }
        var decoder = WAVStreamDecoder()
        while true {
            let chunk: Data?
            do {
                chunk = try handle.read(upToCount: max(1, readSize))
            } catch {
                throw AudioDecodingError.readFailed("read failed after \(decoder.bytesConsumed) bytes")
            }
            guard let chunk, !chunk.isEmpty else { break }
            if let block = try decoder.consume(chunk) {
                try body(block)
            }
        }
        try decoder.finish()
        guard let format = decoder.format else {
            throw AudioDecodingError.truncatedHeader("no fmt chunk", at: decoder.bytesConsumed)
        }
        return format
    }

    /// Decodes a WAV stream delivered as an asynchronous sequence of byte chunks (for example an HTTP
    /// response body), calling `body` with each decoded block as soon as it is complete.
    ///
    /// - Returns: the stream's format.
    /// - Throws: ``AudioDecodingError``, or whatever the sequence or `body` throws.
    @discardableResult
    public static func decode<Chunks: AsyncSequence>(
        _ chunks: Chunks, _ body: (PCMBlock) async throws -> Void
    ) async throws -> AudioFormat where Chunks.Element: Collection<UInt8> {
        var decoder = WAVStreamDecoder()
        for try await chunk in chunks {
            if let block = try decoder.consume(chunk) {
                try await body(block)
            }
        }
        try decoder.finish()
        guard let format = decoder.format else {
            throw AudioDecodingError.truncatedHeader("no fmt chunk", at: decoder.bytesConsumed)
        }
        return format
    }
}
