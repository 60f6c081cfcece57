#if canImport(Glibc)
internal import CMalloc
#endif

/// How a long-running service's heap gives memory back.
public enum ProcessMemory {
    /// glibc raises its mmap threshold each time a large block is freed, so after librdkafka's
    /// fetch buffers (up to MBs each) have come and gone once, later ones are carved from the
    /// heap and their pages are never returned: resident memory stays at the busiest moment's
    /// high-water mark. A fixed threshold keeps large buffers in their own mappings, returned to
    /// the system when freed; two arenas stop every thread from growing a heap of its own.
    /// Call once, first thing in `main`.
    public static func returnLargeBlocksToTheSystem() {
        #if canImport(Glibc)
        _ = mallopt(M_MMAP_THRESHOLD, 128 * 1024)
        _ = mallopt(M_ARENA_MAX, 2)
        #endif
    }
}
