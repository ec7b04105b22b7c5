/// Register and cache blocking of ``gemm``, chosen for AMD Zen 4 (one core: L1d 32 KiB 8-way,
/// L2 1 MiB 8-way, 32 zmm registers).
///
/// Loop nest, outermost first (BLIS names):
/// `jc` over N by `nc` → `pc` over K by `kc` (pack B block `kc × nc`, meant to stay in L2) →
/// `ic` over M by `mc` (pack A block `mc × kc`) → `ir` over `mr`-row A micro-panels (`mr × kc`, stays
/// in L1) → `jr` over `nr`-column B micro-panels (streamed from L2) → micro-kernel.
/// The broadcast side (A) is the L1-resident one because it is the narrow one (`mr` floats per k step
/// against `nr` for B), which lets `kc` be large and C be touched few times.
enum GEMMBlocking {
    /// Rows of a micro-tile (broadcast side, A).
    static let mr = 6
    /// Columns of a micro-tile (vector side, B): two `SIMD16<Float>` per row.
    static let nr = 16
    /// Depth of a packed block: A micro-panel `mr × kc` = 8 KiB in L1 at mr = 8.
    static let kc = 256
    /// Rows of a packed A block (multiple of `mr`).
    static let mc = 252
    /// Columns of a packed B block (multiple of `nr`): `kc × nc` floats = 512 KiB, half of L2.
    static let nc = 1024
}
