/// The version of the Vigil wire schemas (compliance request, verdict) that this module reads and writes.
public enum VigilSchema {
    /// The `schemaVersion` Vigil puts on every ``ComplianceRequest`` it builds.
    public static let currentVersion = "1.0"

    /// The major version this module accepts when decoding; a different major is `invalidValue`.
    public static let supportedMajorVersion = 1

    /// The major component of a `MAJOR.MINOR` version string, or `nil` if it is not of that form.
    public static func majorVersion(of version: String) -> Int? {
        let parts = version.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.count <= 4 && $0.allSatisfy({ $0.isASCII && $0.isNumber }) }),
            let major = Int(parts[0]), Int(parts[1]) != nil, major >= 0
        else { return nil }
        return major
    }
}
