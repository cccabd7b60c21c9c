// Shared types and the per-pixel arithmetic that both kernel families use.
//
// This module needs no Swift runtime: only structs/enums, SIMD types, unsafe pointers and
// integer/float arithmetic, so it also builds in Embedded Swift (aarch64, x86_64).
// The scalar per-pixel helpers below ARE the specification; the SIMD kernels reuse them for
// row tails, and their vector bodies compute the same integer expressions lane by lane.

/// Quantisation range of YUV input.
public enum YUVRange: Int32, Sendable {
    /// BT.601 "studio swing": Y in 16...235, U/V in 16...240 (V4L2 cameras, Linux `vivid`,
    /// where 75% white is Y=180). Fixed point, 8 fractional bits:
    ///
    ///     C = Y - 16, D = U - 128, E = V - 128
    ///     R = clamp((298*C           + 409*E + 128) >> 8)
    ///     G = clamp((298*C - 100*D   - 208*E + 128) >> 8)
    ///     B = clamp((298*C + 516*D           + 128) >> 8)
    case limited = 0
    /// JFIF full range: Y, U, V in 0...255. Fixed point, 8 fractional bits
    /// (1.402, 0.344136, 0.714136, 1.772 scaled by 256 and rounded):
    ///
    ///     C = Y, D = U - 128, E = V - 128
    ///     R = clamp((256*C           + 359*E + 128) >> 8)
    ///     G = clamp((256*C -  88*D   - 183*E + 128) >> 8)
    ///     B = clamp((256*C + 454*D           + 128) >> 8)
    case full = 1
}

/// `>>` is an arithmetic (flooring) shift on `Int32`; `clamp` clamps to 0...255.
@usableFromInline
struct YUVCoefficients {
    var yOffset: Int32
    var cy: Int32
    var crv: Int32
    var cgu: Int32
    var cgv: Int32
    var cbu: Int32

    @inline(__always)
    init(_ range: YUVRange) {
        switch range {
        case .limited:
            yOffset = 16; cy = 298; crv = 409; cgu = 100; cgv = 208; cbu = 516
        case .full:
            yOffset = 0; cy = 256; crv = 359; cgu = 88; cgv = 183; cbu = 454
        }
    }
}

@inline(__always)
func clampToByte(_ v: Int32) -> UInt8 {
    UInt8(truncatingIfNeeded: v < 0 ? 0 : (v > 255 ? 255 : v))
}

/// The reference YUV → RGB for one pixel (see `YUVRange` for the formula).
@inline(__always)
func yuvToRGBPixel(_ y: UInt8, _ u: UInt8, _ v: UInt8, _ k: YUVCoefficients)
    -> (r: UInt8, g: UInt8, b: UInt8)
{
    let c = (Int32(y) &- k.yOffset) &* k.cy &+ 128
    let d = Int32(u) &- 128
    let e = Int32(v) &- 128
    let r = (c &+ k.crv &* e) &>> 8
    let g = (c &- k.cgu &* d &- k.cgv &* e) &>> 8
    let b = (c &+ k.cbu &* d) &>> 8
    return (clampToByte(r), clampToByte(g), clampToByte(b))
}

/// BT.601 luma weights (full-range RGB → Y), 14 fractional bits, sum 16384, as OpenCV uses:
/// `Y = (4899*R + 9617*G + 1868*B + 8192) >> 14`.
@usableFromInline let lumaR: Int32 = 4899
@usableFromInline let lumaG: Int32 = 9617
@usableFromInline let lumaB: Int32 = 1868

@inline(__always)
func lumaPixel(_ c0: UInt8, _ c1: UInt8, _ c2: UInt8, swapRB: Bool) -> UInt8 {
    let w0 = swapRB ? lumaB : lumaR
    let w2 = swapRB ? lumaR : lumaB
    let y = (Int32(c0) &* w0 &+ Int32(c1) &* lumaG &+ Int32(c2) &* w2 &+ 8192) &>> 14
    return UInt8(truncatingIfNeeded: y)
}

// MARK: - SIMD helpers (internal)

/// `pmaddwd` / `smlal`-style: products of Int16 lanes summed pairwise into Int32 lanes.
@inline(__always)
func madd(_ a: SIMD8<Int16>, _ b: SIMD8<Int16>) -> SIMD4<Int32> {
    let p = SIMD8<Int32>(truncatingIfNeeded: a) &* SIMD8<Int32>(truncatingIfNeeded: b)
    return p.evenHalf &+ p.oddHalf
}

/// The Int16 pairs at byte offsets `a`, `b`, `c`, `d` of `r` as one vector
/// `(r[a], r[a + 1], r[b], r[b + 1], …)`: the gather of a horizontal pass, for `madd`.
/// Built from four `SIMD2<Int16>` loads: LLVM makes that 4 `movd` + 3 unpacks (SSE2) or lane
/// loads (NEON). Four `UInt32` loads bitcast to `SIMD8<Int16>` looked the same but LLVM split
/// them into 16-bit halves and repacked them (shifts and `packssdw`, twice the instructions).
@inline(__always)
func gatherPairs(_ r: UnsafeRawPointer, _ a: Int, _ b: Int, _ c: Int, _ d: Int) -> SIMD8<Int16> {
    SIMD8<Int16>(
        lowHalf: SIMD4(lowHalf: r.loadUnaligned(fromByteOffset: a, as: SIMD2<Int16>.self),
                       highHalf: r.loadUnaligned(fromByteOffset: b, as: SIMD2<Int16>.self)),
        highHalf: SIMD4(lowHalf: r.loadUnaligned(fromByteOffset: c, as: SIMD2<Int16>.self),
                        highHalf: r.loadUnaligned(fromByteOffset: d, as: SIMD2<Int16>.self)))
}

@inline(__always)
func widen(_ a: SIMD8<UInt8>) -> SIMD8<Int16> {
    SIMD8<Int16>(truncatingIfNeeded: a)
}

/// (a0, b0, a1, b1, a2, b2, a3, b3)
@inline(__always)
func zipLo(_ a: SIMD8<Int16>, _ b: SIMD8<Int16>) -> SIMD8<Int16> {
    SIMD8<Int16>(a[0], b[0], a[1], b[1], a[2], b[2], a[3], b[3])
}

/// (a4, b4, a5, b5, a6, b6, a7, b7)
@inline(__always)
func zipHi(_ a: SIMD8<Int16>, _ b: SIMD8<Int16>) -> SIMD8<Int16> {
    SIMD8<Int16>(a[4], b[4], a[5], b[5], a[6], b[6], a[7], b[7])
}

/// Repeats an (x, y) pair four times.
@inline(__always)
func pairs(_ x: Int16, _ y: Int16) -> SIMD8<Int16> {
    SIMD8<Int16>(x, y, x, y, x, y, x, y)
}

/// (v0, v0, v1, v1)
@inline(__always)
func dupLo(_ v: SIMD4<Int32>) -> SIMD4<Int32> { SIMD4<Int32>(v[0], v[0], v[1], v[1]) }

/// (v2, v2, v3, v3)
@inline(__always)
func dupHi(_ v: SIMD4<Int32>) -> SIMD4<Int32> { SIMD4<Int32>(v[2], v[2], v[3], v[3]) }

@inline(__always)
func concat(_ a: SIMD4<Int32>, _ b: SIMD4<Int32>, _ c: SIMD4<Int32>, _ d: SIMD4<Int32>)
    -> SIMD16<Int32>
{
    SIMD16<Int32>(lowHalf: SIMD8<Int32>(lowHalf: a, highHalf: b), highHalf: SIMD8<Int32>(lowHalf: c, highHalf: d))
}

/// Clamps 16 Int32 lanes to 0...255 and narrows them to bytes. The lanes must lie in the Int16
/// range (every caller's do: |value| < 600); they are truncated to Int16 first, then clamped
/// with `max(x, 0)` = `x & ~(x >> 15)` and `min(x, 255)` = `x - (t & ~(t >> 15))`, t = x - 255,
/// written with operators because the stdlib's `pointwiseMin`/`pointwiseMax` are not always
/// inlined; LLVM turns this into `pmaxsw`/`pminsw`/`packuswb` (SSE2) or `smax`/`smin`/`xtn` (NEON).
@inline(__always)
func saturateToBytes(_ a: SIMD4<Int32>, _ b: SIMD4<Int32>, _ c: SIMD4<Int32>, _ d: SIMD4<Int32>)
    -> SIMD16<UInt8>
{
    let w = SIMD16<Int16>(
        lowHalf: SIMD8<Int16>(truncatingIfNeeded: SIMD8<Int32>(lowHalf: a, highHalf: b)),
        highHalf: SIMD8<Int16>(truncatingIfNeeded: SIMD8<Int32>(lowHalf: c, highHalf: d)))
    let x = w & ~(w &>> 15)
    let t = x &- 255
    let y = x &- (t & ~(t &>> 15))
    return SIMD16<UInt8>(truncatingIfNeeded: y)
}

/// Clamps Int32 lanes to 0...255 (same operator form as `saturateToBytes`).
@inline(__always)
func clamp255(_ v: SIMD4<Int32>) -> SIMD4<Int32> {
    let x = v & ~(v &>> 31)
    let t = x &- 255
    return x &- (t & ~(t &>> 31))
}

/// Clamps Int16 lanes to 0...255, in the same operator form (`replacing(with:where:)` with a
/// scalar was not inlined: a call per vector): `max(x, 0) = x & ~(x >> 15)`,
/// `min(x, 255) = x - (t & ~(t >> 15))` with t = x - 255.
@inline(__always)
func clamp255(_ v: SIMD8<Int16>) -> SIMD8<Int16> {
    let x = v & ~(v &>> 15)
    let t = x &- 255
    return x &- (t & ~(t &>> 15))
}

/// Interleaves bytes: (a0, b0, a1, b1, ...) as 16-bit lanes `a | b << 8`, low and high halves.
@inline(__always)
func zipBytes(_ a: SIMD16<UInt8>, _ b: SIMD16<UInt8>) -> (SIMD8<UInt16>, SIMD8<UInt16>) {
    let lo = SIMD16<UInt8>(
        a[0], b[0], a[1], b[1], a[2], b[2], a[3], b[3], a[4], b[4], a[5], b[5], a[6], b[6], a[7], b[7])
    let hi = SIMD16<UInt8>(
        a[8], b[8], a[9], b[9], a[10], b[10], a[11], b[11], a[12], b[12], a[13], b[13], a[14], b[14], a[15], b[15])
    return (unsafeBitCast(lo, to: SIMD8<UInt16>.self), unsafeBitCast(hi, to: SIMD8<UInt16>.self))
}

/// Interleaves 16-bit lanes into 32-bit lanes `a | b << 16`, low and high halves.
@inline(__always)
func zipWords(_ a: SIMD8<UInt16>, _ b: SIMD8<UInt16>) -> (SIMD4<UInt32>, SIMD4<UInt32>) {
    let lo = SIMD8<UInt16>(a[0], b[0], a[1], b[1], a[2], b[2], a[3], b[3])
    let hi = SIMD8<UInt16>(a[4], b[4], a[5], b[5], a[6], b[6], a[7], b[7])
    return (unsafeBitCast(lo, to: SIMD4<UInt32>.self), unsafeBitCast(hi, to: SIMD4<UInt32>.self))
}

/// 16 pixels as four vectors of 32-bit words `c0 | c1 << 8 | c2 << 16` (top byte 0).
struct PixelWords {
    var q0: SIMD4<UInt32>
    var q1: SIMD4<UInt32>
    var q2: SIMD4<UInt32>
    var q3: SIMD4<UInt32>

    /// Builds words from three channel vectors with byte/word unpacks.
    @inline(__always)
    init(_ c0: SIMD16<UInt8>, _ c1: SIMD16<UInt8>, _ c2: SIMD16<UInt8>) {
        let (a0, a1) = zipBytes(c0, c1)
        let (b0, b1) = zipBytes(c2, SIMD16<UInt8>())
        (q0, q1) = zipWords(a0, b0)
        (q2, q3) = zipWords(a1, b1)
    }

    @inline(__always)
    init(_ q0: SIMD4<UInt32>, _ q1: SIMD4<UInt32>, _ q2: SIMD4<UInt32>, _ q3: SIMD4<UInt32>) {
        self.q0 = q0
        self.q1 = q1
        self.q2 = q2
        self.q3 = q3
    }

    /// Reads 16 packed 3-byte pixels (48 bytes; the loads touch 50 bytes).
    @inline(__always)
    init(loading p: UnsafeRawPointer) {
        q0 = loadRGB4(p)
        q1 = loadRGB4(p + 12)
        q2 = loadRGB4(p + 24)
        q3 = loadRGB4(p + 36)
    }

    /// Writes 16 packed 3-byte pixels (48 bytes, plus 2 junk bytes after them).
    @inline(__always)
    func store(to p: UnsafeMutableRawPointer) {
        storeRGB4(q0, to: p)
        storeRGB4(q1, to: p + 12)
        storeRGB4(q2, to: p + 24)
        storeRGB4(q3, to: p + 36)
    }

    @inline(__always)
    func map(_ f: (SIMD4<UInt32>) -> SIMD4<UInt32>) -> PixelWords {
        PixelWords(f(q0), f(q1), f(q2), f(q3))
    }
}

/// Reads 4 packed 3-byte pixels (12 bytes; two 8-byte loads touch 14) as words
/// `c0 | c1 << 8 | c2 << 16`.
@inline(__always)
func loadRGB4(_ p: UnsafeRawPointer) -> SIMD4<UInt32> {
    let t = SIMD2<UInt64>(
        p.loadUnaligned(fromByteOffset: 0, as: UInt64.self), p.loadUnaligned(fromByteOffset: 6, as: UInt64.self))
    let e = (t & 0x0000_0000_00FF_FFFF) | ((t &<< 8) & 0x00FF_FFFF_0000_0000)
    return unsafeBitCast(e, to: SIMD4<UInt32>.self)
}

/// Writes 4 pixels held as words as 12 packed bytes; writes 14 bytes (2 junk at the end).
@inline(__always)
func storeRGB4(_ words: SIMD4<UInt32>, to p: UnsafeMutableRawPointer) {
    let q = unsafeBitCast(words, to: SIMD2<UInt64>.self)
    let c = (q & 0x0000_0000_00FF_FFFF) | ((q &>> 8) & 0x0000_FFFF_FF00_0000)
    p.storeBytes(of: c[0], toByteOffset: 0, as: UInt64.self)
    p.storeBytes(of: c[1], toByteOffset: 6, as: UInt64.self)
}

@inline(__always)
func floorToInt(_ f: Float) -> Int {
    let t = Int(f)  // truncates toward zero
    return Float(t) > f ? t - 1 : t
}

/// Round half to even for non-negative values (as `cvRound`/`lrintf` in the default mode),
/// written out so the module calls no libm function.
@inline(__always)
func roundHalfEven(_ f: Float) -> Int {
    let t = Int(f)
    let frac = f - Float(t)
    if frac > 0.5 || (frac == 0.5 && (t & 1) == 1) { return t + 1 }
    return t
}
