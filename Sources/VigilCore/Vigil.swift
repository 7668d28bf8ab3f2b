/// Facts about this build of the Vigil SDK.
public enum VigilBuild {
    /// The SDK's semantic version. Bumped on every release; `CHANGELOG.md` records what changed.
    public static let version = "0.1.0-dev"

    /// The `User-Agent` product token Vigil sends on outbound HTTP requests.
    public static var userAgent: String { "Vigil/\(version) (Swift)" }
}
