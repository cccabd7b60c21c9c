import ArgumentParser
import Capture
import Foundation
import Imaging
import SightlineCore

extension ModelInput.Fit: ExpressibleByArgument {}
extension ModelInput.ChannelOrder: ExpressibleByArgument {}
extension ModelInput.Interpolation: ExpressibleByArgument {}
extension KernelChoice: ExpressibleByArgument {}
extension PixelFormat: ExpressibleByArgument {}
extension DCTScaling: ExpressibleByArgument {}
extension JPEGDecodePath: ExpressibleByArgument {}

struct PrepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prep",
        abstract: "Decode and preprocess images into a detector's input tensor, and say how.",
        discussion: """
            For each image, prints the source size and kind, the DCT scale the JPEG was decoded at (the smallest that still \
            covers what the model sees), where the picture lands in the model input, the tensor's shape and the time each stage \
            took.

            Raw frames (as a V4L2 camera gives them) are read with --raw FORMAT --raw-size WxH.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "JPEG files (or raw frames with --raw).")
    var images: [String]

    @Option(help: "Square model input size in pixels.") var size: Int = 416
    @Option(help: "How the frame fits the input: letterbox (keep aspect, pad) or stretch.") var fit: ModelInput.Fit = .letterbox
    @Option(help: "Channel order of the tensor: rgb or bgr.") var order: ModelInput.ChannelOrder = .rgb
    @Option(help: "Resampling: bilinear or area.") var interpolation: ModelInput.Interpolation = .bilinear
    @Option(help: "Pixel kernels: simd or scalar (default: SIGHTLINE_SIMD, else simd).") var kernels: KernelChoice?
    @Option(help: "JPEG DCT scaling: fastest (smallest covering 1/8, 1/4, 1/2 or 1), smallest, or off.")
    var dctScaling: DCTScaling = .fastest

    @Option(help: "JPEG decode path: auto (YUV planes for YCbCr JPEGs), yuv-planes, or rgb.") var jpegPath: JPEGDecodePath = .auto
    @Option(help: "Read the inputs as raw frames of this format: yuyv, nv12, grey, rgb24 or bgr24.") var raw: PixelFormat?
    @Option(help: "Size of raw frames, WIDTHxHEIGHT.") var rawSize: String?
    @Option(help: "Write the tensor to this file (.npy for NumPy, otherwise raw float32). One image only.") var out: String?
    @Option(name: .customLong("repeat"), help: "Preprocess each image this many times and report the median time per stage.")
    var repetitions: Int = 1

    func validate() throws {
        guard size > 0, size <= 4096 else { throw ValidationError("--size must be between 1 and 4096") }
        guard repetitions >= 1 else { throw ValidationError("--repeat must be at least 1") }
        if out != nil, images.count != 1 { throw ValidationError("--out takes exactly one input image") }
        if let raw {
            guard raw != .mjpeg else { throw ValidationError("--raw takes an uncompressed format") }
            if case .failure(let p) = FrameSize.parse(rawSize ?? "") { throw ValidationError("--raw-size \(p)") }
        }
    }

    func run() throws {
        _ = global.bootstrapLogging()
        let input = ModelInput(width: size, height: size, fit: fit, channelOrder: order, interpolation: interpolation)
        let pre = Preprocessor(input: input, kernels: kernels ?? .fromEnvironment)
        pre.dctScaling = dctScaling
        pre.jpegPath = jpegPath
        let tensor = Tensor()
        var failures = 0
        let rawSize = rawSize.flatMap { FrameSize($0) }.map { ($0.width, $0.height) } ?? (0, 0)
        for path in images {
            do {
                print(try pre.prepCommand(path: path, raw: raw, rawSize: rawSize, repetitions: repetitions, out: out, into: tensor))
            } catch {
                failures += 1
                _ = fail(error)
            }
        }
        if failures > 0 { throw ExitCode(1) }
    }
}
