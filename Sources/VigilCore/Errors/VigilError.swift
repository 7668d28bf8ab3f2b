/// The common shape of every error Vigil throws.
///
/// Each module's error is an extensible struct (new cases are new `static` members, never a breaking
/// change) over a private enum, with a stable machine-readable ``errorCode`` for metrics labels, alerts
/// and tests. Descriptions carry context — a status, a field path, a correlation id — and never raw
/// PII, secrets or request bodies.
public protocol VigilError: Error, Sendable, CustomStringConvertible {
    /// A stable identifier of the failure kind, e.g. `"http.timedOut"`. Safe as a metric label.
    var errorCode: String { get }

    /// Whether repeating the same operation later may succeed (a timeout, a 503, a busy lock) as
    /// opposed to a permanent failure (bad input, a rejected signature, a 404).
    var isRetryable: Bool { get }
}
