import Foundation
import VigilCore

/// A Genesys Cloud region: where an organization's API (`https://api.<domain>`) and login
/// (`https://login.<domain>`) hosts live.
///
/// All seventeen public regions are listed, plus ``custom(apiBase:)`` for a private or test host (the
/// in-process simulator, a proxy). The login host is derived the way the official SDKs derive it: the
/// API base URL with `//api.` replaced by `//login.`.
///
/// ```swift
/// let region = try GenesysRegion(string: "eu-west-1")   // or .euWest1
/// region.apiBaseURL     // https://api.mypurecloud.ie
/// region.loginBaseURL   // https://login.mypurecloud.ie
/// ```
public enum GenesysRegion: Sendable, Hashable, CustomStringConvertible, CaseIterable {
    /// `us-east-1` — `mypurecloud.com`.
    case usEast1
    /// `eu-west-1` — `mypurecloud.ie`.
    case euWest1
    /// `ap-southeast-2` — `mypurecloud.com.au`.
    case apSoutheast2
    /// `ap-northeast-1` — `mypurecloud.jp`.
    case apNortheast1
    /// `eu-central-1` — `mypurecloud.de`.
    case euCentral1
    /// `us-west-2` — `usw2.pure.cloud`.
    case usWest2
    /// `ca-central-1` — `cac1.pure.cloud`.
    case caCentral1
    /// `ap-northeast-2` — `apne2.pure.cloud`.
    case apNortheast2
    /// `eu-west-2` — `euw2.pure.cloud`.
    case euWest2
    /// `ap-south-1` — `aps1.pure.cloud`.
    case apSouth1
    /// `us-east-2` (FedRAMP) — `use2.us-gov-pure.cloud`.
    case usEast2
    /// `sa-east-1` — `sae1.pure.cloud`.
    case saEast1
    /// `me-central-1` — `mec1.pure.cloud`.
    case meCentral1
    /// `ap-northeast-3` — `apne3.pure.cloud`.
    case apNortheast3
    /// `eu-central-2` — `euc2.pure.cloud`.
    case euCentral2
    /// `mx-central-1` — `mxc1.pure.cloud`.
    case mxCentral1
    /// `ap-southeast-1` — `apse1.pure.cloud`.
    case apSoutheast1
    /// Any other API base URL (`https://api.example.test`); the login host is derived from it.
    case custom(apiBase: URL)

    /// The seventeen public regions (``custom(apiBase:)`` excluded).
    public static let allCases: [GenesysRegion] = [
        .usEast1, .euWest1, .apSoutheast2, .apNortheast1, .euCentral1, .usWest2, .caCentral1, .apNortheast2,
        .euWest2, .apSouth1, .usEast2, .saEast1, .meCentral1, .apNortheast3, .euCentral2, .mxCentral1,
        .apSoutheast1
    ]

    /// Parses a region name (`eu-west-1`, case-insensitive) or a public domain (`mypurecloud.ie`,
    /// `api.mypurecloud.ie`).
    ///
    /// - Throws: ``GenesysAPIError`` with code ``GenesysAPIError/Code/invalidRegion`` for anything else.
    public init(string: String) throws(GenesysAPIError) {
        let lowered = string.trimmingCharacters(in: .whitespaces).lowercased()
        for region in Self.allCases {
            if region.name == lowered || region.domain == lowered || "api.\(region.domain)" == lowered {
                self = region
                return
            }
        }
        throw GenesysAPIError(code: .invalidRegion, detail: "unknown Genesys Cloud region")
    }

    /// The AWS-style region name (`us-east-1`), or `custom` for ``custom(apiBase:)``.
    public var name: String {
        switch self {
        case .usEast1: "us-east-1"
        case .euWest1: "eu-west-1"
        case .apSoutheast2: "ap-southeast-2"
        case .apNortheast1: "ap-northeast-1"
        case .euCentral1: "eu-central-1"
        case .usWest2: "us-west-2"
        case .caCentral1: "ca-central-1"
        case .apNortheast2: "ap-northeast-2"
        case .euWest2: "eu-west-2"
        case .apSouth1: "ap-south-1"
        case .usEast2: "us-east-2"
        case .saEast1: "sa-east-1"
        case .meCentral1: "me-central-1"
        case .apNortheast3: "ap-northeast-3"
        case .euCentral2: "eu-central-2"
        case .mxCentral1: "mx-central-1"
        case .apSoutheast1: "ap-southeast-1"
        case .custom: "custom"
        }
    }

    /// The region's domain (`mypurecloud.ie`); for ``custom(apiBase:)`` the API host.
    public var domain: String {
        switch self {
        case .usEast1: "mypurecloud.com"
        case .euWest1: "mypurecloud.ie"
        case .apSoutheast2: "mypurecloud.com.au"
        case .apNortheast1: "mypurecloud.jp"
        case .euCentral1: "mypurecloud.de"
        case .usWest2: "usw2.pure.cloud"
        case .caCentral1: "cac1.pure.cloud"
        case .apNortheast2: "apne2.pure.cloud"
        case .euWest2: "euw2.pure.cloud"
        case .apSouth1: "aps1.pure.cloud"
        case .usEast2: "use2.us-gov-pure.cloud"
        case .saEast1: "sae1.pure.cloud"
        case .meCentral1: "mec1.pure.cloud"
        case .apNortheast3: "apne3.pure.cloud"
        case .euCentral2: "euc2.pure.cloud"
        case .mxCentral1: "mxc1.pure.cloud"
        case .apSoutheast1: "apse1.pure.cloud"
        case let .custom(apiBase): apiBase.host ?? ""
        }
    }

    /// `https://api.<domain>` (no trailing slash), or the custom base URL as given.
    public var apiBaseURL: URL {
        switch self {
        case let .custom(apiBase): apiBase
        default: URL(string: "https://api.\(domain)")!
        }
    }

    /// The OAuth host: ``apiBaseURL`` with `//api.` replaced by `//login.` (the SDK rule). A custom URL
    /// without `//api.` is used unchanged.
    public var loginBaseURL: URL {
        let api = apiBaseURL.absoluteString
        let login = api.replacingOccurrences(of: "//api.", with: "//login.")
        return URL(string: login) ?? apiBaseURL
    }

    /// The region name and its API host.
    public var description: String { "\(name) (\(apiBaseURL.redactedForLogging))" }
}
