/// The version of the Vigil wire schemas (compliance request, verdict) that this module reads and writes.
public enum VigilSchema {
    /// The `schemaVersion` Vigil puts on every ``ComplianceRequest`` it builds.
    public static let currentVersion = "1.0"
}
