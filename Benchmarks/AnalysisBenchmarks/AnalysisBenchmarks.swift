// DTMF analysis speed on 10 minutes of synthesised 8 kHz mono µ-law audio (WAV files in memory,
// 4.8 MB each), next to an in-run baseline that decodes the same bytes the same way (WAVStreamDecoder,
// 64 KiB chunks) and only folds the samples into a checksum, so ratios are meaningful on a noisy
// shared machine. Two recordings:
//   - "line": faint line noise (−45 dBm0) with a card number and code keyed every two minutes — most
//     of it is below the detector's energy floor, as a customer channel is between utterances;
//   - "call": the same plus a speech-like signal (voiced harmonics with moving formants, ≈ −20 dBm0)
//     for 40 % of the time, as a mono recording of a conversation is — every window of it is above
//     the floor and runs the full Goertzel bank.
// One iteration processes the whole 600 s, so real-time factor = 600 s / time per iteration.
// `FileScan.scan(fileAtPath:)` is what `vigil scan` does after start-up (mapping, SHA-256 on a second
// thread, WAV parsing, detection, findings, verdict).
//
// Measured figures are in Documentation/dtmf-detection.md §4 and in CHANGELOG.md.
import Benchmark
import Foundation
import VigilAnalysis
import VigilCore

private let seconds = 600
private let sampleRate = 8000

private let cards = ["4111111111111111", "5555555555554444", "378282246310005", "6011111111111117", "4012888888881881"]
/// Each card is followed by `#737` (the `#` ends the card run; 737 is its security code).
private let keyedDigits = cards.map { $0.count + 4 }.reduce(0, +)

private func lineNoiseWithCards() -> [Float] {
    let synth = DTMFSynthesizer(sampleRate: sampleRate)
    var rng = SplitMix64(seed: 42)
    var samples = synth.generator.whiteNoise(count: seconds * sampleRate, levelDBm0: -45, using: &rng)
    for (index, card) in cards.enumerated() {
        let tones = synth.sequence(card + "#737")
        let start = (60 + index * 120) * sampleRate
        for offset in tones.indices { samples[start + offset] += tones[offset] }
    }
    return samples
}

/// Adds a speech-like signal for the first 4.8 s of every 12 s, never over the keyed digits: voiced
/// harmonics of a pitch gliding 100–220 Hz, weighted by two formants that move through 300–800 and
/// 900–2 300 Hz.
private func withSpeech(_ samples: [Float]) -> [Float] {
    var out = samples
    let rate = Double(sampleRate)
    var phase = [Double](repeating: 0, count: 30)
    for start in stride(from: 0, to: out.count, by: 12 * sampleRate) where (start / sampleRate) % 120 != 60 {
        for n in 0..<min(Int(4.8 * rate), out.count - start) {
            let t = Double(n) / rate
            let pitch = 160 + 60 * sin(2 * .pi * 0.7 * t)
            let f1 = 550 + 250 * sin(2 * .pi * 2.1 * t), f2 = 1600 + 700 * sin(2 * .pi * 1.3 * t + 1)
            var value = 0.0
            for h in 1...29 where Double(h) * pitch < 3800 {
                let f = Double(h) * pitch
                phase[h] += 2 * .pi * f / rate
                let weight = exp(-pow((f - f1) / 150, 2)) + 0.5 * exp(-pow((f - f2) / 200, 2)) + 0.02
                value += weight * sin(phase[h])
            }
            out[start + n] += Float(0.02 * value)
        }
    }
    return out
}

private func wav(_ samples: [Float]) -> [UInt8] {
    WAVEncoder.encode([samples], format: AudioFormat(encoding: .muLaw, sampleRate: sampleRate, channelCount: 1))
}

private let line = wav(lineNoiseWithCards())
private let call = wav(withSpeech(lineNoiseWithCards()))

/// Writes `bytes` to a temporary file once, for the `FileScan` benchmarks.
private func temporaryFile(_ name: String, _ bytes: [UInt8]) -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-bench-\(name).wav").path
    precondition(FileManager.default.createFile(atPath: path, contents: Data(bytes)), "cannot write \(path)")
    return path
}

private let chunkSize = 64 << 10

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .throughput],
        warmupIterations: 2,
        maxDuration: .seconds(20),
        maxIterations: 200
    )

    for (name, bytes) in [("line", line), ("call", call)] {
        Benchmark("\(name): WAV µ-law decode only, 600 s (baseline)") { benchmark in
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                var decoder = WAVStreamDecoder()
                var checksum = SIMD4<Float>()
                var start = 0
                while start < bytes.count {
                    let end = min(bytes.count, start + chunkSize)
                    if let block = try? decoder.consume(bytes[start..<end]) {
                        let samples = block.channels[0]
                        var index = 0
                        while index + 4 <= samples.count {  // a vector fold: cheaper than any detector
                            checksum += SIMD4(samples[index], samples[index + 1], samples[index + 2], samples[index + 3])
                            index += 4
                        }
                    }
                    start = end
                }
                blackHole(checksum)
            }
        }

        Benchmark("\(name): DTMFScanner, 600 s µ-law") { benchmark in
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                var scanner = DTMFScanner()
                var digits = 0
                var start = 0
                while start < bytes.count {
                    let end = min(bytes.count, start + chunkSize)
                    digits += (try? scanner.consumeWAV(bytes[start..<end]))?.count ?? 0
                    start = end
                }
                digits += (try? scanner.finish())?.count ?? 0
                precondition(digits == keyedDigits, "expected \(keyedDigits) digits, got \(digits)")
                blackHole(digits)
            }
        }

        Benchmark("\(name): FileScan.scan (vigil scan without start-up), 600 s µ-law") { benchmark in
            let path = temporaryFile(name, bytes)
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                let report = try FileScan.scan(fileAtPath: path)
                precondition(report.findings.count == 10, "expected 5 cards + 5 codes, got \(report.findings.count)")
                blackHole(report)
            }
        }
    }

    Benchmark("StreamingAudioAnalyzer (DTMF → findings), 600 s µ-law line") { benchmark in
        let bytes = line
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            var analyzer = StreamingAudioAnalyzer()
            var findings = 0
            var start = 0
            while start < bytes.count {
                let end = min(bytes.count, start + chunkSize)
                findings += (try? analyzer.consume(bytes[start..<end]))?.count ?? 0
                start = end
            }
            findings += (try? analyzer.finish())?.count ?? 0
            precondition(findings == 10, "expected 5 cards + 5 codes, got \(findings)")
            blackHole(findings)
        }
    }
}
