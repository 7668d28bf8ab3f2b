import Foundation

/// The second thread of a file scan: it runs the DTMF detectors over the tail of a WAV file that is
/// entirely in memory while the calling thread analyses the head, so `vigil scan` uses both cores.
///
/// The result is the same as one detector running front to back, because the tail starts inside a
/// stretch of audio so quiet that the detectors hold no state across it: ``plan(data:format:from:)``
/// looks for ``quietHalves`` consecutive half-blocks, on every channel, each with less than half the
/// window energy floor, and splits in the middle of them. From at least `quietHalves / 2 − 1` windows
/// below the floor before the split, a detector has ended any digit (5 are enough), has no candidate,
/// and forces no filter; for at least as many after it, nothing passes the gate, so no window that
/// matters looks back across the split (the deepest look-back is two half-blocks). A detector started
/// fresh at the split therefore reports exactly the events the continuous one reports there, which
/// `LookaheadScanTests` checks against the sequential scan. When no such stretch exists near the
/// chosen point (continuous speech, a tone throughout), there is no split and the scan stays on one
/// thread.
final class LookaheadScan: @unchecked Sendable {
    /// Consecutive quiet half-blocks required around a split (24 × 6.375 ms = 153 ms at 8 kHz).
    static let quietHalves = 24
    /// Files shorter than this are scanned on one thread (a thread costs more than it saves).
    static let minimumSeconds = 60
    /// Where the search for a split starts, as a fraction of the audio: the calling thread, which also
    /// parses the file and builds the findings, takes the larger share; the other core also hashes.
    static let targetFraction = 0.55

    /// The frame at which the tail starts (a multiple of the half-block length).
    let startFrame: Int
    private let tail: BackgroundWork<[DTMFDigitEvent]>

    /// Finds a split frame in `data` (a WAV data chunk's bytes) searching forward from `targetFraction`
    /// of it, or `nil` when the audio is too short or has no quiet stretch in the searched range (the
    /// next quarter of the audio).
    static func plan(data: UnsafeRawBufferPointer, format: AudioFormat) -> Int? {
        let frames = data.count / format.blockAlign
        guard frames >= minimumSeconds * format.sampleRate else { return nil }
        let detector = DTMFDetector(sampleRate: format.sampleRate)
        let half = detector.halfBlockLength
        let quietEnergy = detector.windowEnergyFloor / 2
        var unpacker = FrameUnpacker(format: format)
        let firstHalf = Int(Double(frames) * targetFraction) / half
        let lastHalf = min(frames / half - 1, firstHalf + frames / half / 4)
        let halvesPerRead = 64
        var quietRun = 0
        var halfIndex = firstHalf
        while halfIndex <= lastHalf {
            let count = min(halvesPerRead, lastHalf - halfIndex + 1)
            let bytes = UnsafeRawBufferPointer(
                rebasing: data[(halfIndex * half * format.blockAlign)...]
                    .prefix(count * half * format.blockAlign))
            guard let block = bytes.withMemoryRebound(to: UInt8.self, { unpacker.unpack($0) }) else { return nil }
            for offset in 0..<count {
                let quiet = block.channels.allSatisfy { channel in
                    channel.withUnsafeBufferPointer { samples in
                        DTMFDetector.energy(samples.baseAddress! + offset * half, count: half) < quietEnergy
                    }
                }
                quietRun = quiet ? quietRun + 1 : 0
                if quietRun == quietHalves {
                    let runStart = halfIndex + offset - quietHalves + 1
                    return (runStart + quietHalves / 2) * half
                }
            }
            halfIndex += count
        }
        return nil
    }

    /// Starts scanning the WAV data chunk at `dataRange` of `file` from `startFrame` on a new thread.
    init(file: MappedFile, dataRange: Range<Int>, format: AudioFormat, startFrame: Int) {
        self.startFrame = startFrame
        let range = (dataRange.lowerBound + startFrame * format.blockAlign)..<dataRange.upperBound
        tail = BackgroundWork { [file] in
            Self.scan(UnsafeRawBufferPointer(rebasing: file.bytes[range]), format: format, firstFrame: startFrame)
        }
    }

    /// The events of the tail, once the thread has finished (blocks until then).
    func events() -> [DTMFDigitEvent] {
        tail.wait()
    }

    /// The digits in `bytes` (interleaved frames), with positions counted from `firstFrame`.
    static func scan(_ bytes: UnsafeRawBufferPointer, format: AudioFormat, firstFrame: Int) -> [DTMFDigitEvent] {
        var unpacker = FrameUnpacker(format: format)
        var scanner = DTMFScanner()
        var events: [DTMFDigitEvent] = []
        let chunk = 64 << 10
        var start = 0
        while start < bytes.count {
            let end = min(bytes.count, start + chunk)
            let slice = UnsafeRawBufferPointer(rebasing: bytes[start..<end])
            if let block = slice.withMemoryRebound(to: UInt8.self, { unpacker.unpack($0) }) {
                events += scanner.process(block)
            }
            start = end
        }
        events += (try? scanner.finish()) ?? []  // no WAV input was fed, so finish cannot throw
        return events.map { event in
            var shifted = event
            shifted.startSample += firstFrame
            shifted.endSample += firstFrame
            return shifted
        }
    }
}
