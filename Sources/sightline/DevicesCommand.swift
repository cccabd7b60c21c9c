import ArgumentParser
import Capture
import Foundation

struct DevicesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devices",
        abstract: "List V4L2 cameras with their formats, sizes and frame rates.",
        discussion: """
            Opens each /dev/video* node (or the ones given), asks it what it is (VIDIOC_QUERYCAP) and lists the pixel formats it \
            offers (VIDIOC_ENUM_FMT), with the frame sizes (VIDIOC_ENUM_FRAMESIZES) and frame rates (VIDIOC_ENUM_FRAMEINTERVALS) \
            of each. Formats Sightline reads directly are marked with their Sightline name; nodes that are not capture devices \
            are listed with the reason.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Device nodes (default: every /dev/video*).")
    var devices: [String] = []

    @Flag(help: "Only list formats Sightline reads (MJPEG, YUYV, NV12, RGB24, BGR24, GREY).")
    var usable = false

    @Flag(help: "Go through libv4l2, which adds the formats it can convert to (marked 'emulated').")
    var libv4l2 = false

    func run() throws {
        _ = global.bootstrapLogging()
        let nodes = devices.isEmpty ? V4L2Devices.nodes() : devices
        if nodes.isEmpty {
            print("no V4L2 devices (/dev/video*) found")
            return
        }
        var failures = 0
        for node in nodes {
            do {
                let d = try V4L2Devices.describe(node, system: LinuxSystemCalls(conversion: libv4l2))
                print(d.text(usableOnly: usable))
            } catch {
                failures += 1
                print("\(node): \(error)")
            }
        }
        if failures == nodes.count { throw ExitCode(1) }
    }
}
