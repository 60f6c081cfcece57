import ArgumentParser
struct DemoCommand: AsyncParsableCommand {}
struct BenchCommand: AsyncParsableCommand {}
