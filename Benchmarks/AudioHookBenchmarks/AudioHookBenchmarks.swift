// Live analysis cost per AudioHook session: one iteration streams a 60 s stereo PCMU call (a card
// and its code keyed by the customer, speech-like signal on the agent channel for 40 % of the time,
// faint line noise) through `AudioHookSession` in 100 ms frames, the way the platform sends it,
// next to a baseline that only decodes the same frames. 60 s / time per iteration = how many such
// sessions one core sustains at real time (protocol and analysis; the WebSocket is not included).
//
// Measured figures are in the issue notes and Documentation/audiohook.md.
import Benchmark
import Foundation
@_spi(VigilInternal) import VigilAnalysis
import VigilAudioHook
import VigilCore

private let seconds = 60
private let rate = 8000

private let frames: [[UInt8]] = {
    let synth = DTMFSynthesizer(sampleRate: rate)
    var rng = SplitMix64(seed: 11)
    let count = seconds * rate
    var customer = synth.generator.whiteNoise(count: count, levelDBm0: -55, using: &rng)
    var agent = synth.generator.whiteNoise(count: count, levelDBm0: -55, using: &rng)
    for (atMs, keys) in [(20_000, "4111111111111111"), (30_000, "737")] {
        let tones = synth.sequence(keys, onMilliseconds: 70, offMilliseconds: 80)
        for index in tones.indices { customer[atMs * rate / 1000 + index] += tones[index] }
    }
    var phase = 0.0
    for start in stride(from: 0, to: count, by: 10 * rate) {  // 4 s of voiced harmonics every 10 s
        for n in 0..<(4 * rate) where start + n < count {
            phase += 2 * .pi * (140 + 40 * sin(Double(n) / 4000)) / Double(rate)
            agent[start + n] += Float(0.05 * (sin(phase) + 0.6 * sin(3 * phase) + 0.3 * sin(5 * phase)))
        }
    }
    var bytes: [UInt8] = []
    for index in 0..<count {
        bytes.append(G711.muLawEncode(customer[index]))
        bytes.append(G711.muLawEncode(agent[index]))
    }
    return stride(from: 0, to: bytes.count, by: 1600).map { Array(bytes[$0..<min(bytes.count, $0 + 1600)]) }
}()

private let sessionId = "30b0e395-84d3-4570-ac13-9a62d8f514c0"
private let open = AudioHookMessage(
    id: sessionId, seq: 1, serverSeq: 0, position: .zero,
    body: .open(
        .init(
            organizationId: "d7934305-0972-4844-938e-9060eef73d05",
            conversationId: "2f7bf00a-0000-4000-8000-000000000001",
            participant: .init(id: "p", ani: "", aniName: "", dnis: ""),
            media: [.init(format: "PCMU", channels: ["external", "internal"], rate: 8000)]))
).encoded()

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal], warmupIterations: 2,
        maxDuration: .seconds(15), maxIterations: 100)

    Benchmark("60 s stereo PCMU: decode only (baseline)") { benchmark in
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            var decoder = RawAudioDecoder(format: AudioFormat(encoding: .muLaw, sampleRate: rate, channelCount: 2))
            var decoded = 0
            for frame in frames { decoded += decoder.consume(frame)?.frameCount ?? 0 }
            blackHole(decoded)
        }
    }

    Benchmark("60 s stereo PCMU through AudioHookSession (open, 600 frames, close)") { benchmark in
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            var session = AudioHookSession()
            _ = session.receive(text: open)
            var findings = 0
            for frame in frames { findings += session.receive(audio: frame).findings.count }
            findings += session.finish().findings.count
            precondition(findings == 2, "expected the card and its code, got \(findings)")
            blackHole(findings)
        }
    }
}
