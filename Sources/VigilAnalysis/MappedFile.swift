import Foundation

/// A regular file mapped read-only into memory (`mmap`), unmapped when released. Scanning reads it
/// once front to back, so no copy into a buffer is made and the page cache serves both threads.
final class MappedFile: @unchecked Sendable {
    // Immutable after init; the pages are only read.
    let bytes: UnsafeRawBufferPointer
    private let mapping: UnsafeMutableRawPointer?

    /// Maps the file at `path`; `nil` when it is not a regular file (a pipe or a device cannot be mapped).
    ///
    /// - Throws: ``AnalysisError/Code/invalidInput`` when it cannot be opened or mapped.
    init?(path: String) throws(AnalysisError) {
        // Look before opening: opening a named pipe to find out it is one, then closing it, let the
        // writer's bytes in flight be dropped (or the writer die of SIGPIPE) before the stream reader
        // opened it again (found by the AddressSanitizer run, whose timing widened the window).
        var kind = stat()
        guard stat(path, &kind) == 0 else { throw .invalidInput("cannot open \(path)") }
        guard (kind.st_mode & S_IFMT) == S_IFREG else { return nil }
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw .invalidInput("cannot open \(path)") }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw .invalidInput("cannot read \(path)") }
        guard (status.st_mode & S_IFMT) == S_IFREG else { return nil }
        let size = Int(status.st_size)
        guard size > 0 else {
            mapping = nil
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        #if os(Linux)
            // Fault the pages in one go rather than one by one (files up to 512 MiB: 18 h of mono µ-law).
            let flags = size <= 512 << 20 ? MAP_PRIVATE | MAP_POPULATE : MAP_PRIVATE
        #else
            let flags = MAP_PRIVATE
        #endif
        guard let address = mmap(nil, size, PROT_READ, flags, descriptor, 0), address != MAP_FAILED else {
            throw .invalidInput("cannot read \(path)")
        }
        _ = madvise(address, size, MADV_SEQUENTIAL)
        mapping = address
        bytes = UnsafeRawBufferPointer(start: address, count: size)
    }

    deinit {
        if let mapping { munmap(mapping, bytes.count) }
    }
}
