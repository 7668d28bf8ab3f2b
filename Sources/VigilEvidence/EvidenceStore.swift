import Foundation

/// Where sealed evidence envelopes are kept: the host's secure object storage. Vigil only ever
/// hands it ciphertext (an ``EvidenceVault`` envelope). `FileSystemEvidenceStore` is the default;
/// an S3-compatible store is a host adapter over the same four calls.
public protocol EvidenceStore: Sendable {
    /// Stores `envelope` under `id`, replacing an earlier one (the vault's ids are unique).
    func put(_ envelope: [UInt8], id: String) async throws
    /// The envelope stored under `id`, or `nil`.
    func get(id: String) async throws -> [UInt8]?
    /// Removes the envelope (retention); no error when there is none.
    func delete(id: String) async throws
}

/// Envelopes as files in one directory (mode 0700), one file per object (mode 0600), written to a
/// temporary name and renamed, so a reader never sees half an envelope and a crash leaves none.
public struct FileSystemEvidenceStore: EvidenceStore {
    /// The directory.
    public let directory: URL

    /// Opens (creating) the directory.
    ///
    /// - Throws: ``EvidenceError/Code/storageFailure`` when it cannot be created.
    public init(directory: URL) throws(EvidenceError) {
        self.directory = directory
        do {
            try FileManager.default.createDirectory(
                at: directory, withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700])
        } catch {
            throw EvidenceError(.storageFailure, "the evidence directory cannot be created")
        }
    }

    public func put(_ envelope: [UInt8], id: String) async throws {
        let target = try url(id)
        let temporary = directory.appendingPathComponent(".\(id).\(UInt64.random(in: 0...UInt64.max)).tmp")
        guard
            FileManager.default.createFile(
                atPath: temporary.path, contents: Data(envelope),
                attributes: [.posixPermissions: 0o600])
        else {
            throw EvidenceError(.storageFailure, "the envelope of \(id) cannot be written")
        }
        guard rename(temporary.path, target.path) == 0 else {
            try? FileManager.default.removeItem(at: temporary)
            throw EvidenceError(.storageFailure, "the envelope of \(id) cannot be moved into place")
        }
    }

    public func get(id: String) async throws -> [UInt8]? {
        let target = try url(id)
        guard FileManager.default.fileExists(atPath: target.path) else { return nil }
        guard let data = FileManager.default.contents(atPath: target.path) else {
            throw EvidenceError(.storageFailure, "the envelope of \(id) cannot be read")
        }
        return [UInt8](data)
    }

    public func delete(id: String) async throws {
        let target = try url(id)
        if FileManager.default.fileExists(atPath: target.path) {
            do { try FileManager.default.removeItem(at: target) } catch {
                throw EvidenceError(.storageFailure, "the envelope of \(id) cannot be removed")
            }
        }
    }

    private func url(_ id: String) throws(EvidenceError) -> URL {
        guard EvidenceVault.isValidObjectId(id) else { throw EvidenceError(.invalidObjectId, "not an evidence object id") }
        return directory.appendingPathComponent(id + ".vgev")
    }
}
