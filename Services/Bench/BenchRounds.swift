import ArgumentParser

/// A benchmark's `--rounds`: each round measures every side again, so the machine's drift hits
/// all sides alike, and the report gives medians over the rounds.
struct BenchRounds: ParsableArguments {
    @Option(name: .customLong("rounds"), help: "Rounds (each measures every side again; the report gives medians).")
    var count = 3

    func validate() throws {
        guard count >= 1 else { throw ValidationError("--rounds must be at least 1 (each round measures every side once)") }
    }
}
