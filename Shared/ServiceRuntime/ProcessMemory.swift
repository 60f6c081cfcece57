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

    /// Gives the system back the free pages inside the heap, not only at its top. After a
    /// catch-up, the heap is full of small freed blocks (decoded events, SQLite rows, Kafka
    /// records) between a few live ones; glibc only returns memory from the top of a heap, so
    /// without this a service that once caught up on 100k events keeps that heap resident for
    /// good. Cheap (it walks the free lists), so `HeapTrimmer` calls it every few seconds.
    public static func returnFreePages() {
        #if canImport(Glibc)
            _ = malloc_trim(0)
        #endif
    }
}
