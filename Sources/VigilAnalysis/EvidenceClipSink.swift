import Foundation
import VigilEvidence
import VigilModels

/// Where ``ReferenceComplianceEngine`` puts the masked evidence clip of a flagged recording; what it
/// returns becomes the verdict's `evidenceSnippet` (for ``SealedEvidenceSink``: a short-lived link).
///
/// The snippet must pass ``VerdictValidator``: an absolute `https` URL without credentials, or text
/// without digits that could be a card number or an SSN.
public protocol EvidenceClipSink: Sendable {
    /// Stores `clip` (a masked WAV file) for `finding` of `recordingId` and returns the verdict's
    /// `evidenceSnippet`.
    ///
    /// - Throws: the store's error; the engine fails the evaluation with it (no verdict goes out
    ///   without the evidence it points to).
    func store(_ clip: [UInt8], recordingId: GenesysID, finding: ComplianceFinding) async throws -> String
}

/// Seals each clip into an ``EvidenceVault`` (a data key per object, wrapped by the organisation's
/// key) and answers with an ``EvidenceLinks`` link valid for ``lifetime``.
///
/// ```swift
/// let sink = SealedEvidenceSink(vault: vault, links: links, lifetime: .seconds(900))
/// let engine = ReferenceComplianceEngine(transport: transport, evidence: sink)
/// ```
public struct SealedEvidenceSink: EvidenceClipSink {
    /// Where clips are sealed.
    public let vault: EvidenceVault
    /// Signs the links.
    public let links: EvidenceLinks
    /// How long a link lives (capped by ``EvidenceLinks/maximumLifetime``).
    public let lifetime: Duration

    /// Creates the sink.
    public init(vault: EvidenceVault, links: EvidenceLinks, lifetime: Duration = .seconds(900)) {
        self.vault = vault
        self.links = links
        self.lifetime = lifetime
    }

    /// Seals the clip and returns its link.
    public func store(_ clip: [UInt8], recordingId: GenesysID, finding: ComplianceFinding) async throws -> String {
        let receipt = try await vault.seal(clip, recordingId: recordingId.rawValue, contentType: "audio/wav")
        return links.link(for: receipt.objectId, expiresIn: lifetime).absoluteString
    }
}
