import Foundation
import ServiceRuntime
import Testing

/// What `HeapTrimmer` relies on: glibc keeps freed small blocks in the heap, resident, until
/// `ProcessMemory.returnFreePages()` hands their pages back.
@Suite("Process memory")
struct ProcessMemoryTests {
    /// The process's own resident memory (heap, stacks), in MB, from /proc/self/status.
    static func anonymousMegabytes() throws -> Double {
        let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("RssAnon:") })
        let kilobytes = try #require(Double(line.split(separator: " ").dropFirst().first ?? ""))
        return kilobytes / 1024
    }

    @Test("Freed blocks pinned behind live ones stay resident until the free pages are returned")
    func returnFreePages() throws {
        // ~160 MB of 400-byte blocks (far below the mmap threshold, so all from the heap); one in
        // 64 stays alive, as a decoded event or a cached row would, so the heap cannot shrink
        // from its top.
        var blocks: [[UInt8]] = (0..<400_000).map { [UInt8](repeating: UInt8(truncatingIfNeeded: $0), count: 400) }
        let kept = stride(from: 0, to: blocks.count, by: 64).map { blocks[$0] }
        blocks = []
        let before = try Self.anonymousMegabytes()
        ProcessMemory.returnFreePages()
        let after = try Self.anonymousMegabytes()
        #expect(kept.count == 6_250)
        #expect(before - after > 80, "resident heap before \(before) MB, after \(after) MB")
    }

    @Test("The trimmer stops when its task is cancelled")
    func trimmerStops() async throws {
        let trimmer = Task { try await HeapTrimmer(every: .milliseconds(10)).run() }
        try await Task.sleep(for: .milliseconds(100))
        trimmer.cancel()
        try await trimmer.value
    }
}
