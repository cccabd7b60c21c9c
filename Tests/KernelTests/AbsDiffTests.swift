import SightlineKernels
import Testing

// The change gate's kernel: |a - b| per byte. Bit-identical SIMD and scalar, padding untouched,
// and the reference values themselves (0 and 255 extremes, both orders).
@Suite("SIMD equals scalar: absolute difference")
struct AbsDiffTests {
    @Test("absDiff", arguments: imageCases)
    func absDiff(_ c: (Int, Int, Int)) {
        let (w, h, pad) = c
        var rng = SplitMix64(seed: UInt64(w * 1000 + h) ^ 0xAD)
        let a = Image(width: w, height: h, bytesPerPixel: 1, padding: pad, random: &rng)
        let b = Image(width: w, height: h, bytesPerPixel: 1, padding: pad + 3, random: &rng)
        let original = Image(width: w, height: h, bytesPerPixel: 1, padding: pad, random: &rng)
        let (s, v) = onBothFamilies { k in
            let out = original.copy()
            k.absDiff(
                a: a.pointer, aStride: a.stride, b: b.pointer, bStride: b.stride, dst: out.pointer, dstStride: out.stride,
                width: w, height: h)
            return out
        }
        #expect(s.bytes == v.bytes)
        #expect(v.paddingEquals(original))
        for y in [0, h - 1] {
            for x in [0, w / 2, w - 1] {
                let d = Int(a[x, y, 0]) - Int(b[x, y, 0])
                #expect(Int(v[x, y, 0]) == abs(d))
            }
        }
    }

    @Test func extremesAndInPlace() {
        let a: [UInt8] = (0..<37).map { $0 % 2 == 0 ? 0 : 255 }
        var b: [UInt8] = (0..<37).map { $0 % 2 == 0 ? 255 : 0 }
        b[36] = 7
        var out = [UInt8](repeating: 1, count: 37)
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeMutableBufferPointer { pb in
                SIMDKernels.absDiff(
                    a: pa.baseAddress!, aStride: 37, b: pb.baseAddress!, bStride: 37, dst: &out, dstStride: 37, width: 37,
                    height: 1)
                // In place into b.
                SIMDKernels.absDiff(
                    a: pa.baseAddress!, aStride: 37, b: pb.baseAddress!, bStride: 37, dst: pb.baseAddress!, dstStride: 37,
                    width: 37, height: 1)
            }
        }
        #expect(out.prefix(36).allSatisfy { $0 == 255 })
        #expect(out[36] == 7)
        #expect(b == out)
    }
}
