/// The stable code of a ``VigilError``: a name inside a domain, written `domain.name`
/// (`queue.leaseLost`, `http.timedOut`).
///
/// Each error type nests its own `Code` struct over a private enum, so a code cannot be made up outside
/// the type and new codes are new `static` members (never a breaking change). The conformance supplies
/// the shared part — the ``description`` — from the type's ``domain`` and the code's ``name``:
///
/// ```swift
/// public struct Code: VigilErrorCode {
///     private enum Base: String { case leaseLost, rejected }
///     private let base: Base
///     private init(_ base: Base) { self.base = base }
///
///     /// The token is no longer this caller's.
///     public static let leaseLost = Code(.leaseLost)
///
///     /// `queue`: codes read `queue.leaseLost`.
///     public static let domain = "queue"
///     /// The name within the domain, e.g. `leaseLost`.
///     public var name: String { base.rawValue }
/// }
/// ```
public protocol VigilErrorCode: Hashable, Sendable, CustomStringConvertible {
    /// The prefix shared by every code of the type, e.g. `"queue"`.
    static var domain: String { get }

    /// The code's name within ``domain``, e.g. `"leaseLost"`.
    var name: String { get }
}

extension VigilErrorCode {
    /// The stable code string, `"<domain>.<name>"`, e.g. `queue.leaseLost`. Safe as a metric label.
    public var description: String { "\(Self.domain).\(name)" }
}

/// A ``VigilError`` that carries a ``VigilErrorCode``: its ``VigilError/errorCode`` is the code's
/// string.
public protocol VigilCodedError: VigilError {
    /// The type's code.
    associatedtype Code: VigilErrorCode

    /// What went wrong.
    var code: Code { get }
}

extension VigilCodedError {
    /// The stable code string, ``code``'s description, e.g. `queue.leaseLost`.
    public var errorCode: String { code.description }
}

/// A ``VigilCodedError`` with a short, non-sensitive ``detail``; described as `"<code> — <detail>"`.
///
/// A type whose description says more (a status, a request line) declares its own `description`.
public protocol VigilDetailedError: VigilCodedError {
    /// A short explanation without secrets, personal data or payloads.
    var detail: String { get }
}

extension VigilDetailedError {
    /// `"<code> — <detail>"`, e.g. `queue.leaseLost — token expired`.
    public var description: String { "\(code) — \(detail)" }
}
