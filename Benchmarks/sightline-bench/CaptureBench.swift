import Capture
import Foundation
import SightlineCore

// sightline-bench capture: a camera's capture thread against two yardsticks measured in the
// same run, one cheap system call and one frame-sized copy.
//
//   sightline-bench capture [--device /dev/video0] [--frames 300] [--size 640x480] [--copy]

/// A real system call every time (glibc caches nothing for getppid).
@inline(never) func syscallGetppid() -> pid_t { getppid() }

/// Thread CPU seconds of one cheap system call (getppid) and of copying `bytes` bytes, medians
/// over a few runs: the yardsticks capture-thread CPU time is read against.
func captureYardsticks(bytes: Int) -> (syscall: Double, copy: Double) {
    func cpu() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
    func median(_ runs: Int, _ body: () -> Void) -> Double {
        var v: [Double] = []
        for _ in 0..<runs {
            let t0 = cpu()
            body()
            v.append(cpu() - t0)
        }
        return v.sorted()[runs / 2]
    }
    let calls = 200
    let syscall = median(9) { for _ in 0..<calls { _ = syscallGetppid() } } / Double(calls)
    let src = UnsafeMutableRawPointer.allocate(byteCount: max(bytes, 1), alignment: 64)
    let dst = UnsafeMutableRawPointer.allocate(byteCount: max(bytes, 1), alignment: 64)
    memset(src, 1, bytes)
    memset(dst, 0, bytes)
    defer {
        src.deallocate()
        dst.deallocate()
    }
    let copy = median(21) { dst.copyMemory(from: src, byteCount: bytes) }
    return (syscall, copy)
}

/// Streams `--frames` frames from a camera and prints its capture thread's CPU per frame as
/// system calls and frame copies.
func captureBenchmark(arguments: [String]) throws {
    func value(_ flag: String) -> String? { arguments.firstIndex(of: flag).flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil } }
    let device = value("--device") ?? "/dev/video0"
    let frames = Int(value("--frames") ?? "") ?? 300
    let size = FrameSize(value("--size") ?? "640x480") ?? FrameSize(width: 640, height: 480)
    let camera = V4L2Camera(
        device: device, request: CaptureRequest(size: size), options: .init(delivery: arguments.contains("--copy") ? .copy : .zeroCopy))
    let format = try camera.start()
    print("sightline-bench capture: \(device), \(format), \(frames) frames, \(camera.options.delivery.rawValue) delivery")
    var taken = 0
    while taken < frames, try camera.next() != nil { taken += 1 }
    camera.stop()
    let s = camera.captureStatistics
    let (syscall, copy) = captureYardsticks(bytes: format.sizeImage)
    print(
        String(
            format: "capture thread CPU: %.1f us/frame over %d frames (%d dropped by the driver, %d replaced)", s.cpuSecondsPerFrame * 1e6,
            s.framesCaptured, s.driverDrops, s.framesReplaced))
    print(
        String(
            format:
                "reference, same process: one system call %.1f us, copying one %d-byte frame %.1f us; capture thread = %.1f system calls or %.2f frame copies per frame",
            syscall * 1e6, format.sizeImage, copy * 1e6, s.cpuSecondsPerFrame / syscall, s.cpuSecondsPerFrame / copy))
}
