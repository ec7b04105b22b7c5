#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Per-thread packing buffers for ``gemm``, allocated once per thread and reused.
///
/// Why per thread: training slots call `gemm` concurrently and many thousand times on small
/// matrices; a fresh allocation of this size per call would go to `mmap` and page-fault every time.
/// A thread-local buffer needs no lock. It is freed by the TLS destructor when the thread exits.
enum GEMMScratch {
    /// Bytes of packed A: one `mc × kc` block, zero-padded to whole `MR`-row micro-panels.
    static let packedABytes = GEMMBlocking.mc * GEMMBlocking.kc * MemoryLayout<Float>.stride
    /// Bytes of packed B: one `kc × nc` block, zero-padded to whole `NR`-column micro-panels.
    static let packedBBytes = GEMMBlocking.nc * GEMMBlocking.kc * MemoryLayout<Float>.stride
    /// Bytes of the edge tile that partial micro-tiles are computed into before being merged into C.
    static let tileBytes = GEMMBlocking.mr * GEMMBlocking.nr * MemoryLayout<Float>.stride
    static let totalBytes = packedABytes + packedBBytes + tileBytes
    /// One cache line, one AVX-512 register.
    static let alignment = 64

    /// The calling thread's buffer, allocated on first use (`totalBytes`, 64-byte aligned).
    ///
    /// The memory is uninitialized; the packing routines write every element the kernel reads.
    @inline(__always)
    static func current() -> UnsafeMutableRawPointer {
        if let existing = pthread_getspecific(key) { return existing }
        let fresh = UnsafeMutableRawPointer.allocate(byteCount: totalBytes, alignment: alignment)
        let status = pthread_setspecific(key, fresh)
        precondition(status == 0, "gemm: pthread_setspecific failed with \(status)")
        return fresh
    }

    /// The TLS key; created once (Swift globals initialise exactly once, thread-safely).
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        #if canImport(Darwin)
        let status = pthread_key_create(&key) { $0.deallocate() }
        #else
        let status = pthread_key_create(&key) { $0?.deallocate() }
        #endif
        precondition(status == 0, "gemm: pthread_key_create failed with \(status)")
        return key
    }()
}
