import Foundation
import VigilCore

/// What `/readyz` checks: each storage probe (bounded in time) and the engine breaker's state.
public struct Readiness: Sendable {
    /// One `/readyz` answer.
    public struct Report: Sendable, Hashable {
        /// Whether the process should receive traffic / work.
        public var ready: Bool
        /// Probe name → `ok` or the error's code (never a value).
        public var checks: [String: String]
        /// The engine breaker's state, when there is one.
        public var breaker: String?

        /// `{"ready":true,"checks":{"queue":"ok","store":"ok"},"breaker":"closed"}`.
        public var json: String {
            let checks = self.checks.sorted { $0.key < $1.key }.map { #""\#($0.key)":"\#($0.value)""# }.joined(separator: ",")
            return #"{"ready":\#(ready),"checks":{\#(checks)}\#(breaker.map { #","breaker":"\#($0)""# } ?? "")}"#
        }
    }

    /// Storage probes.
    public var probes: [ReadinessProbe]
    /// The engine breaker's state (`closed`, `open`…), when the process runs workers.
    public var breakerState: (@Sendable () async -> CircuitBreakerState)?
    /// Whether an open breaker makes the process not ready (workers: yes; ingest never calls the engine).
    public var breakerGatesReadiness: Bool
    /// Longest wait for one probe. Default 2 s.
    public var probeTimeout: Duration

    /// Creates a readiness check.
    public init(
        probes: [ReadinessProbe], breakerState: (@Sendable () async -> CircuitBreakerState)? = nil,
        breakerGatesReadiness: Bool = false, probeTimeout: Duration = .seconds(2)
    ) {
        self.probes = probes
        self.breakerState = breakerState
        self.breakerGatesReadiness = breakerGatesReadiness
        self.probeTimeout = probeTimeout
    }

    /// Runs every probe concurrently.
    public func check() async -> Report {
        let timeout = probeTimeout
        var checks: [String: String] = [:]
        await withTaskGroup(of: (String, String).self) { group in
            for probe in probes {
                group.addTask {
                    do {
                        try await withThrowingTaskGroup(of: Void.self) { inner in
                            inner.addTask { try await probe.check() }
                            inner.addTask {
                                try await Task.sleep(for: timeout)
                                throw ProbeTimeout()
                            }
                            defer { inner.cancelAll() }
                            try await inner.next()
                        }
                        return (probe.name, "ok")
                    } catch is ProbeTimeout {
                        return (probe.name, "timedOut")
                    } catch let error as any VigilError {
                        return (probe.name, error.errorCode)
                    } catch {
                        return (probe.name, "failed")
                    }
                }
            }
            for await (name, result) in group { checks[name] = result }
        }
        var ready = checks.values.allSatisfy { $0 == "ok" }
        var breaker: String?
        if let breakerState {
            let state = await breakerState()
            breaker = state.rawValue
            if breakerGatesReadiness, state == .open || state == .forcedOpen { ready = false }
        }
        return Report(ready: ready, checks: checks, breaker: breaker)
    }

    private struct ProbeTimeout: Error {}
}
