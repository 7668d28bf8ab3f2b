import Foundation
import VigilCore
import VigilTesting

/// A deliberately broken queue: correct except for one injected fault, to prove that
/// `JobQueueConformance` notices each kind of breakage.
actor FaultyJobQueue: JobQueue {
    typealias Job = Int

    enum Fault: String, CaseIterable, Sendable {
        case leaseDoesNotHide
        case deliveryCountNotIncremented
        case leasesNeverExpire
        case ackDoesNotRemove
        case retryIgnoresDelay
        case retryNeverDeadLetters
        case expiredLeasesRedeliveredForever
        case ignoresNotBefore
        case nonAtomicLease
    }

    private struct Entry {
        let job: Int
        let enqueuedAt: Date
        var visibleAt: Date
        var deliveries = 0
        var token: LeaseToken?
        var leased = false
    }

    let fault: Fault
    let maxDeliveries: Int
    private let now: @Sendable () -> Date
    private var entries: [Entry] = []
    private var dead: [DeadLetter<Int>] = []

    init(fault: Fault, maxDeliveries: Int, now: @escaping @Sendable () -> Date) {
        self.fault = fault
        self.maxDeliveries = maxDeliveries
        self.now = now
    }

    func enqueue(_ job: Int, notBefore: Date?) async throws {
        let date = now()
        let visible = fault == .ignoresNotBefore ? date : max(date, notBefore ?? date)
        entries.append(Entry(job: job, enqueuedAt: date, visibleAt: visible))
    }

    private func isVisible(_ entry: Entry, at date: Date) -> Bool {
        if entry.leased, fault == .leasesNeverExpire { return false }
        if entry.leased, fault == .leaseDoesNotHide { return true }
        return entry.visibleAt <= date
    }

    func lease(max: Int, for duration: Duration) async throws -> [Leased<Int>] {
        let date = now()
        var chosen: [Int] = []
        var index = 0
        while index < entries.count, chosen.count < max {
            let entry = entries[index]
            if isVisible(entry, at: date) {
                if entry.leased, entry.deliveries >= maxDeliveries, fault != .expiredLeasesRedeliveredForever {
                    dead.append(
                        DeadLetter(
                            job: entry.job, reason: "lease expired", deliveryCount: entry.deliveries,
                            firstEnqueuedAt: entry.enqueuedAt, deadLetteredAt: date))
                    entries.remove(at: index)
                    continue
                }
                chosen.append(entry.job)
            }
            index += 1
        }
        if fault == .nonAtomicLease { await Task.yield() }  // select, suspend, then mark
        let until = date.addingTimeInterval(duration.seconds)
        var leased: [Leased<Int>] = []
        for job in chosen {
            guard let i = entries.firstIndex(where: { $0.job == job }) else { continue }
            let token = LeaseToken()
            if fault != .deliveryCountNotIncremented || entries[i].deliveries == 0 { entries[i].deliveries += 1 }
            entries[i].token = token
            entries[i].leased = true
            entries[i].visibleAt = until
            leased.append(
                Leased(
                    job: job, token: token, deliveryCount: entries[i].deliveries,
                    firstEnqueuedAt: entries[i].enqueuedAt, leasedUntil: until))
        }
        return leased
    }

    private func owner(_ token: LeaseToken) throws -> Int {
        guard let i = entries.firstIndex(where: { $0.token == token }), entries[i].visibleAt > now() else {
            throw JobQueueError(code: .leaseLost, detail: "lost")
        }
        return i
    }

    func ack(_ token: LeaseToken) async throws {
        let i = try owner(token)
        if fault == .ackDoesNotRemove { entries[i].token = nil; return }
        entries.remove(at: i)
    }

    func retry(_ token: LeaseToken, after delay: Duration, reason: String) async throws {
        let i = try owner(token)
        let date = now()
        if entries[i].deliveries >= maxDeliveries, fault != .retryNeverDeadLetters {
            let entry = entries.remove(at: i)
            dead.append(
                DeadLetter(
                    job: entry.job, reason: reason, deliveryCount: entry.deliveries,
                    firstEnqueuedAt: entry.enqueuedAt, deadLetteredAt: date))
            return
        }
        entries[i].token = nil
        entries[i].leased = false
        entries[i].visibleAt = fault == .retryIgnoresDelay ? date : date.addingTimeInterval(delay.seconds)
    }

    func deadLetters() async throws -> [DeadLetter<Int>] { dead }
}

extension FaultyJobQueue.Fault {
    /// The property that must catch this fault.
    var caughtBy: JobQueueConformance.Property {
        switch self {
        case .leaseDoesNotHide: .leaseHidesJob
        case .deliveryCountNotIncremented: .expiryRedelivers
        case .leasesNeverExpire: .expiryRedelivers
        case .ackDoesNotRemove: .ackRemoves
        case .retryIgnoresDelay: .retryDelays
        case .retryNeverDeadLetters: .maxDeliveriesDeadLetter
        case .expiredLeasesRedeliveredForever: .expiredLastLeaseDeadLetters
        case .ignoresNotBefore: .notBeforeRespected
        case .nonAtomicLease: .concurrentLeasersExclusive
        }
    }
}
