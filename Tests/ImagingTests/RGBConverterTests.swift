import Imaging
import SightlineCore
import SightlineKernels
import Testing

/// The one frame → RGB conversion (preprocessor, overlay, recording): raw formats through the
/// selected kernel family, equal to the scalar reference; packed RGB and BGR used where they lie
/// unless a writable RGB copy is asked for.
@Suite struct RGBConverterTests {
    @Test(arguments: [PixelFormat.yuyv, .nv12, .grey], KernelChoice.allCases)
    func rawFormatsMatchTheScalarReference(format: PixelFormat, kernels: KernelChoice) throws {
        let (w, h) = (37, 21)
        let frame = try makeFrame(format: format, width: w, height: h)
        let buffer = ImageBuffer()
        let converted = try RGBConverter(kernels: kernels).convert(frame, into: buffer)
        #expect(converted.order == .rgb && converted.width == w && converted.height == h)
        let got = (0..<h).flatMap { row in Array(UnsafeBufferPointer(start: converted.pixels + row * converted.stride, count: w * 3)) }

        var expected = [UInt8](repeating: 0, count: w * h * 3)
        let src = frame.bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
        expected.withUnsafeMutableBufferPointer { dst in
            switch format {
            case .yuyv:
                ScalarKernels.yuyvToRGB(
                    src: src, srcStride: frame.stride, dst: dst.baseAddress!, dstStride: w * 3, width: w, height: h, range: .limited,
                    swapRB: false)
            case .nv12:
                ScalarKernels.nv12ToRGB(
                    y: src, yStride: frame.stride, uv: src + frame.stride * h, uvStride: frame.stride, dst: dst.baseAddress!,
                    dstStride: w * 3, width: w, height: h, range: .limited, swapRB: false)
            default:
                ScalarKernels.greyToRGB(src: src, srcStride: frame.stride, dst: dst.baseAddress!, dstStride: w * 3, width: w, height: h)
            }
        }
        withExtendedLifetime(buffer) {}
        #expect(got == expected, "\(format), \(kernels): \(zip(got, expected).filter { $0 != $1 }.count) bytes differ")
    }

    @Test func packedFramesStayInPlaceUnlessAWritableCopyIsAskedFor() throws {
        let bgr = try makeFrame(format: .bgr24, width: 8, height: 5)
        let converter = RGBConverter()
        let buffer = ImageBuffer()
        let inPlace = try converter.convert(bgr, into: buffer)
        #expect(inPlace.order == .bgr)
        #expect(UnsafeRawPointer(inPlace.pixels) == bgr.bytes.baseAddress)

        let copy = try converter.convert(bgr, into: buffer, placement: .writableRGB)
        #expect(copy.order == .rgb)
        #expect(UnsafeRawPointer(copy.pixels) == UnsafeRawPointer(buffer.pointer))
        let source = bgr.bytes.bindMemory(to: UInt8.self)
        for i in stride(from: 0, to: 8 * 5 * 3, by: 3) {
            #expect(copy.pixels[i] == source[i + 2] && copy.pixels[i + 1] == source[i + 1] && copy.pixels[i + 2] == source[i])
        }
    }
}
