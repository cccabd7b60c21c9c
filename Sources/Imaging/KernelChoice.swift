internal import SightlineKernels

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Which implementation of the pixel kernels runs: the SIMD kernels, or their scalar
/// references (the specification they are tested against).
///
/// Like libjpeg-turbo's `JSIMD_FORCENONE`, the environment variable `SIGHTLINE_SIMD=scalar`
/// forces the scalar path for a whole process, so both paths can be exercised on any machine;
/// code can also pick one explicitly.
public enum KernelChoice: String, Sendable, CaseIterable, CustomStringConvertible {
    case simd
    case scalar

    /// The environment variable that selects the default.
    public static let environmentVariable = "SIGHTLINE_SIMD"

    /// `scalar` when `SIGHTLINE_SIMD` is `scalar`, `none`, `off` or `0`; `simd` otherwise.
    public static let fromEnvironment: KernelChoice = {
        guard let raw = getenv(environmentVariable) else { return .simd }
        switch String(cString: raw).lowercased() {
        case "scalar", "none", "off", "0", "false": return .scalar
        default: return .simd
        }
    }()

    public var description: String { rawValue }

    /// The kernel family this choice selects: the one dispatch point of Imaging.
    var family: any PixelKernels.Type {
        switch self {
        case .simd: return SIMDKernels.self
        case .scalar: return ScalarKernels.self
        }
    }
}
