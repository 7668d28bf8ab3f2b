import VigilAnalysis

/// Runs a fresh detector over `samples` in chunks of `chunk` samples and returns all events.
func detect(
    _ samples: [Float], sampleRate: Int = 8000, chunk: Int = 160,
    configuration: DTMFDetector.Configuration? = nil
) -> [DTMFDigitEvent] {
    var detector = configuration.map { DTMFDetector(configuration: $0) } ?? DTMFDetector(sampleRate: sampleRate)
    var events: [DTMFDigitEvent] = []
    var start = 0
    while start < samples.count {
        let end = min(samples.count, start + chunk)
        events += detector.process(samples[start..<end])
        start = end
    }
    events += detector.finish()
    return events
}

func keys(_ events: [DTMFDigitEvent]) -> String {
    String(events.map(\.digit.rawValue))
}
