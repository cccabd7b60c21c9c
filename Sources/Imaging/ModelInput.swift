public import SightlineCore

/// What a detector expects as input: size, how a frame is fitted into it, channel order and
/// normalisation. Detection manifests carry one of these.
public struct ModelInput: Sendable, Hashable, Codable {
    public enum Fit: String, Sendable, Codable, CaseIterable {
        /// Keep the aspect ratio and pad the rest (YOLO-style letterbox).
        case letterbox
        /// Scale each axis independently to fill the input.
        case stretch
    }

    public enum ChannelOrder: String, Sendable, Codable, CaseIterable { case rgb, bgr }

    public enum Interpolation: String, Sendable, Codable, CaseIterable { case bilinear, area }

    public var width: Int
    public var height: Int
    public var fit: Fit
    public var channelOrder: ChannelOrder
    public var interpolation: Interpolation
    /// Per-channel mean and standard deviation applied to values in [0, 1], in the model's
    /// channel order: `value = (pixel / 255 - mean) / std`.
    public var mean: [Float]
    public var std: [Float]
    /// The byte value letterbox padding stands for (before normalisation).
    public var padValue: UInt8

    public init(
        width: Int, height: Int, fit: Fit = .letterbox, channelOrder: ChannelOrder = .rgb,
        interpolation: Interpolation = .bilinear, mean: [Float] = [0, 0, 0], std: [Float] = [1, 1, 1],
        padValue: UInt8 = 128
    ) {
        precondition(width > 0 && height > 0, "model input must have a positive size")
        precondition(mean.count == 3 && std.count == 3 && std.allSatisfy { $0 != 0 }, "mean/std need 3 non-zero values")
        self.width = width
        self.height = height
        self.fit = fit
        self.channelOrder = channelOrder
        self.interpolation = interpolation
        self.mean = mean
        self.std = std
        self.padValue = padValue
    }

    /// A square input of `size` pixels with the other settings at their defaults.
    public static func square(_ size: Int, fit: Fit = .letterbox) -> ModelInput {
        ModelInput(width: size, height: size, fit: fit)
    }

    /// `value = byte * scale + bias` per output channel, derived from mean and std.
    public var scale: SIMD3<Float> {
        SIMD3(1 / (255 * std[0]), 1 / (255 * std[1]), 1 / (255 * std[2]))
    }

    public var bias: SIMD3<Float> {
        SIMD3(-mean[0] / std[0], -mean[1] / std[1], -mean[2] / std[2])
    }

    /// The tensor shape this input fills: [1, 3, height, width].
    public var shape: [Int] { [1, 3, height, width] }
}

/// Where a source frame lands inside the model input, and the way back.
///
/// Detections come out in model-input pixels; ``toSource(_:)`` maps them to the source frame's
/// pixels, undoing the padding and the scale (whatever DCT scaling the decode used in between).
public struct Letterbox: Sendable, Hashable, Codable {
    public var sourceWidth: Int
    public var sourceHeight: Int
    public var inputWidth: Int
    public var inputHeight: Int
    /// The rectangle of the input that holds the picture; the rest is padding.
    public var contentX: Int
    public var contentY: Int
    public var contentWidth: Int
    public var contentHeight: Int

    public init(sourceWidth: Int, sourceHeight: Int, input: ModelInput) {
        self.sourceWidth = sourceWidth
        self.sourceHeight = sourceHeight
        inputWidth = input.width
        inputHeight = input.height
        switch input.fit {
        case .stretch:
            contentX = 0
            contentY = 0
            contentWidth = input.width
            contentHeight = input.height
        case .letterbox:
            let s = min(Double(input.width) / Double(sourceWidth), Double(input.height) / Double(sourceHeight))
            contentWidth = max(1, min(input.width, Int((Double(sourceWidth) * s).rounded())))
            contentHeight = max(1, min(input.height, Int((Double(sourceHeight) * s).rounded())))
            contentX = (input.width - contentWidth) / 2
            contentY = (input.height - contentHeight) / 2
        }
    }

    public var scaleX: Float { Float(contentWidth) / Float(sourceWidth) }
    public var scaleY: Float { Float(contentHeight) / Float(sourceHeight) }

    /// Maps a rectangle in model-input pixels to source-frame pixels, clipped to the frame.
    public func toSource(_ r: Rect) -> Rect {
        Rect(
            x: (r.x - Float(contentX)) / scaleX, y: (r.y - Float(contentY)) / scaleY,
            width: r.width / scaleX, height: r.height / scaleY
        ).clamped(width: Float(sourceWidth), height: Float(sourceHeight))
    }

    /// Maps a rectangle in source-frame pixels to model-input pixels.
    public func toInput(_ r: Rect) -> Rect {
        Rect(
            x: r.x * scaleX + Float(contentX), y: r.y * scaleY + Float(contentY),
            width: r.width * scaleX, height: r.height * scaleY)
    }
}
