public import SightlineCore

/// Why an image could not be decoded, encoded or preprocessed. Every case names its input.
public enum ImagingError: Error, Equatable, CustomStringConvertible {
    /// The input holds no bytes at all.
    case empty(origin: String)
    /// The bytes are not a JPEG; `detail` says what they look like, when we can tell.
    case notJPEG(origin: String, detail: String)
    /// A JPEG whose data is damaged or ends early (libjpeg-turbo's message in `detail`).
    case corruptJPEG(origin: String, detail: String)
    /// A valid JPEG of a kind Sightline does not handle (CMYK, lossless, 12-bit …).
    case unsupportedJPEG(origin: String, detail: String)
    /// The header declares a size of zero or more pixels than the configured limit; refused
    /// before any pixel memory is allocated.
    case badDimensions(origin: String, width: Int, height: Int, limit: Int)
    /// A raw frame that cannot be used as given.
    case invalidFrame(FrameError)
    /// A pixel format this operation does not take.
    case unsupportedFormat(origin: String, format: PixelFormat, operation: String)
    /// libjpeg-turbo failed for a reason that is not the input's fault.
    case codecFailure(origin: String, detail: String)

    public var description: String {
        switch self {
        case let .empty(origin): return "\(origin): empty input (0 bytes)"
        case let .notJPEG(origin, detail): return "\(origin): not a JPEG image (\(detail))"
        case let .corruptJPEG(origin, detail): return "\(origin): corrupt or truncated JPEG: \(detail)"
        case let .unsupportedJPEG(origin, detail): return "\(origin): unsupported JPEG: \(detail)"
        case let .badDimensions(origin, w, h, limit):
            return w <= 0 || h <= 0
                ? "\(origin): invalid image size \(w)x\(h)"
                : "\(origin): image size \(w)x\(h) exceeds the limit of \(limit) pixels; refused before decoding"
        case let .invalidFrame(error): return error.description
        case let .unsupportedFormat(origin, format, operation):
            return "\(origin): pixel format \(format) is not supported by \(operation)"
        case let .codecFailure(origin, detail): return "\(origin): libjpeg-turbo failed: \(detail)"
        }
    }
}
