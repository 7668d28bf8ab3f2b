import Foundation

/// A FIFO byte buffer that keeps at most `memoryLimit` bytes in memory and spills the rest to an
/// anonymous temporary file, so a producer that cannot be paused (Linux `URLSession` ignores
/// `suspend()` for data delivery) never makes memory grow with the size of a download.
///
/// The file is unlinked as soon as it is opened: it has no name on disk, only this process can read it
/// and the kernel reclaims it when it is closed — media with cardholder data never lingers in a
/// temporary directory. Not thread-safe; the owner serialises access.
final class SpillBuffer {
    private var memory: [[UInt8]] = []
    private var memoryHead = 0
    private(set) var memoryBytes = 0
    private let memoryLimit: Int
    private let directory: URL?
    private let readChunkSize: Int
    private var file: FileHandle?
    private var fileWritten: UInt64 = 0
    private var fileRead: UInt64 = 0
    /// The largest number of bytes ever held in memory at once (for tests and diagnostics).
    private(set) var peakMemoryBytes = 0

    /// - Parameters:
    ///   - memoryLimit: bytes held in memory before spilling.
    ///   - directory: where the anonymous spill file is created; `nil` keeps everything in memory.
    ///   - readChunkSize: size of the chunks read back from the spill file.
    init(memoryLimit: Int, directory: URL?, readChunkSize: Int = 64 * 1024) {
        self.memoryLimit = memoryLimit
        self.directory = directory
        self.readChunkSize = readChunkSize
    }

    deinit { try? file?.close() }

    /// Bytes written to the spill file and not yet read.
    var spilledBytes: UInt64 { fileWritten - fileRead }

    /// Whether nothing is buffered.
    var isEmpty: Bool { memoryBytes == 0 && spilledBytes == 0 }

    /// Appends bytes, spilling them to disk when memory is full or earlier bytes are already on disk
    /// (order is preserved).
    func append(_ bytes: [UInt8]) throws {
        guard !bytes.isEmpty else { return }
        if spilledBytes == 0 && (memoryBytes + bytes.count <= memoryLimit || directory == nil) {
            memory.append(bytes)
            memoryBytes += bytes.count
            peakMemoryBytes = max(peakMemoryBytes, memoryBytes)
            return
        }
        let handle = try spillFile()
        try handle.seek(toOffset: fileWritten)
        try handle.write(contentsOf: bytes)
        fileWritten += UInt64(bytes.count)
    }

    /// Removes and returns the oldest buffered chunk, or `nil` when empty.
    func next() throws -> [UInt8]? {
        if memoryHead < memory.count {
            let chunk = memory[memoryHead]
            memory[memoryHead] = []
            memoryHead += 1
            memoryBytes -= chunk.count
            if memoryHead == memory.count {
                memory.removeAll(keepingCapacity: true)
                memoryHead = 0
            }
            return chunk
        }
        guard spilledBytes > 0, let file else { return nil }
        try file.seek(toOffset: fileRead)
        let count = Int(min(UInt64(readChunkSize), spilledBytes))
        guard let data = try file.read(upToCount: count), !data.isEmpty else { return nil }
        fileRead += UInt64(data.count)
        if fileRead == fileWritten {
            // Everything on disk has been read: start over so new bytes go to memory again.
            try file.truncate(atOffset: 0)
            fileRead = 0
            fileWritten = 0
        }
        return [UInt8](data)
    }

    private func spillFile() throws -> FileHandle {
        if let file { return file }
        guard let directory else { throw CocoaError(.fileNoSuchFile) }
        let url = directory.appendingPathComponent("vigil-spill-\(UUID().uuidString)")
        guard FileManager.default.createFile(atPath: url.path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteNoPermission)
        }
        let handle = try FileHandle(forUpdating: url)
        try? FileManager.default.removeItem(at: url)
        file = handle
        return handle
    }
}
