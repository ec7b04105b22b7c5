/// Register and cache blocking of ``gemm``, chosen for AMD Zen 4 (per core: L1d 32 KiB 8-way,
/// L2 1 MiB 8-way; 32 zmm registers) by measurement against OpenBLAS.
///
/// Loop nest, outermost first (BLIS names):
/// `jc` over N by `nc` → `pc` over K by `kc` (pack the B block, `kc × nc`) → `ic` over M by `mc`
/// (pack the A block, `mc × kc`) → `ir` over 6-row A micro-panels (`mr × kc` = 6 KiB, stays in L1
/// while it is reused for every B micro-panel) → `jr` over 16-column B micro-panels (`kc × nr`
/// = 16 KiB each, streamed from L2) → micro-kernel.
/// The broadcast side (A) is the L1-resident one because it is the narrow one (6 floats per k step
/// against 16), which lets `kc` be large, so C is read and written only once per 256 k steps.
///
/// Measured alternatives (n = 256…2048, thread CPU time, ratio to OpenBLAS): micro-tiles 8×32,
/// 12×32, 14×32 and 6×32 were no faster than 6×16; `kc` 192 or 384 and `nc` 512, 768 or 2048
/// were 1–7 % slower than 256 / 1024. The packing routines are written for `mr = 6`, `nr = 16`.
enum GEMMBlocking {
    /// Rows of a micro-tile (broadcast side, A).
    static let mr = 6
    /// Columns of a micro-tile (vector side, B): one `SIMD16<Float>` per row.
    static let nr = 16
    /// Depth of a packed block.
    static let kc = 256
    /// Rows of a packed A block (a multiple of `mr`): 252 KiB of packed A.
    static let mc = 252
    /// Columns of a packed B block (a multiple of `nr`): `kc × nc` floats = 1 MiB.
    static let nc = 1024
}
