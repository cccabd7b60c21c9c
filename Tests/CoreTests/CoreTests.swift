import Foundation
import SightlineCore
import Testing

@Suite struct PixelFormatTests {
    @Test(arguments: [
        (PixelFormat.rgb24, 5, 3, 15, 45), (.bgr24, 1, 1, 3, 3), (.grey, 7, 2, 8, 15),
        (.yuyv, 3, 2, 8, 16), (.yuyv, 4, 1, 8, 8), (.nv12, 5, 3, 5, 5 * 3 + 5 + 6),
    ])
    func minimumSizes(format: PixelFormat, width: Int, height: Int, stride: Int, bytes: Int) {
        #expect(format.minimumByteCount(width: width, height: height, stride: stride) == bytes)
    }

    @Test func compressedHasNoStride() {
        #expect(PixelFormat.mjpeg.minimumStride(width: 10) == nil)
        #expect(PixelFormat.mjpeg.isCompressed)
    }
}

@Suite struct FrameTests {
    @Test func acceptsAnUnpaddedLastRow() throws {
        // 4x2 RGB with a 16-byte stride: 16 + 12 bytes is enough.
        let frame = try Frame(format: .rgb24, width: 4, height: 2, stride: 16, origin: "t", storage: ImageBuffer(capacity: 28))
        #expect(frame.stride == 16)
        #expect(frame.bytes.count == 28)
    }

    @Test func refusesAShortBuffer() {
        #expect(throws: FrameError.bufferTooSmall(origin: "cam#3", needed: 640 * 480 * 2, available: 1000)) {
            try Frame(format: .yuyv, width: 640, height: 480, origin: "cam#3", storage: ImageBuffer(capacity: 1000))
        }
    }

    @Test func refusesAShortStrideAndEmptySizes() {
        #expect(throws: FrameError.strideTooSmall(origin: "f", stride: 5, minimum: 6)) {
            try Frame(format: .rgb24, width: 2, height: 2, stride: 5, origin: "f", storage: ImageBuffer(capacity: 64))
        }
        #expect(throws: FrameError.invalidDimensions(origin: "f", width: 0, height: 0)) {
            try Frame(format: .grey, width: 0, height: 0, origin: "f", storage: ImageBuffer(capacity: 64))
        }
        #expect(throws: FrameError.empty(origin: "f")) {
            try Frame(format: .mjpeg, width: 0, height: 0, origin: "f", storage: ImageBuffer(capacity: 64), byteCount: 0)
        }
    }

    @Test func errorMessagesNameTheInput() {
        let e = FrameError.bufferTooSmall(origin: "/dev/video0 frame 12", needed: 10, available: 4)
        #expect(e.description.contains("/dev/video0 frame 12"))
        #expect(e.description.contains("10"))
    }
}

@Suite struct BufferTests {
    @Test func reuseDoesNotReallocate() {
        let b = ImageBuffer()
        b.reserve(1000)
        let after = b.allocationCount
        let p = b.pointer
        b.reserve(1000)
        b.reserve(10)
        #expect(b.allocationCount == after)
        #expect(b.pointer == p)
        b.reserve(1001)
        #expect(b.allocationCount == after + 1)
        #expect(Int(bitPattern: b.pointer) % ImageBuffer.alignment == 0)
    }

    /// Frames whose size creeps up by a few bytes (JPEGs) make a buffer grow with headroom, not
    /// to every new maximum: 1,000 sizes from 300,000 to 399,900 bytes cost at most two
    /// reallocations (growing exactly would cost 999), and the buffer stays well under twice
    /// the largest size. Small buffers are sized exactly.
    @Test func creepingSizesReallocateRarely() {
        let b = ImageBuffer()
        b.reserve(300_000)
        #expect(b.capacity >= 300_000 && b.capacity < 300_000 + 65_536)
        let after = b.allocationCount
        for i in 0..<1000 {
            b.reserve(300_000 + i * 100)
            #expect(b.capacity >= 300_000 + i * 100)
        }
        #expect(b.allocationCount - after <= 2)
        #expect(b.capacity < 2 * 399_900)
        let small = ImageBuffer()
        small.reserve(64 * 48)
        #expect(small.capacity == 64 * 48)
    }

    @Test func tensorReshapeToSameShapeKeepsStorage() {
        let t = Tensor()
        t.reshape(n: 1, c: 3, h: 8, w: 8)
        let count = t.allocationCount
        t.reshape(n: 1, c: 3, h: 8, w: 8)
        t.reshape(n: 1, c: 3, h: 4, w: 4)
        #expect(t.allocationCount == count)
        #expect(t.shape == [1, 3, 4, 4])
        #expect(t.count == 48)
    }

    @Test func npyHeaderIsWhatNumPyReads() {
        let t = Tensor(shape: [1, 3, 2, 2])
        for i in 0..<t.count { t.elements[i] = Float(i) }
        let bytes = t.npyBytes()
        #expect(Array(bytes[0..<6]) == [0x93] + Array("NUMPY".utf8))
        let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        #expect((10 + headerLength) % 64 == 0)
        let header = String(decoding: bytes[10..<(10 + headerLength)], as: UTF8.self)
        #expect(header.contains("'shape': (1, 3, 2, 2)"))
        #expect(header.hasSuffix("\n"))
        #expect(bytes.count == 10 + headerLength + 12 * 4)
        // The last float is 11.0 little-endian.
        #expect(Array(bytes.suffix(4)) == [0, 0, 0x30, 0x41])
    }
}

@Suite struct GeometryTests {
    @Test func iou() {
        let a = Rect(x: 0, y: 0, width: 10, height: 10)
        #expect(a.iou(a) == 1)
        #expect(a.iou(Rect(x: 5, y: 0, width: 10, height: 10)) == Float(50) / Float(150))
        #expect(a.iou(Rect(x: 20, y: 20, width: 1, height: 1)) == 0)
        #expect(Rect(x: -5, y: 2, width: 10, height: 20).clamped(width: 8, height: 8) == Rect(x: 0, y: 2, width: 5, height: 6))
    }

    @Test func timestampArithmetic() {
        let a = Timestamp(seconds: 2, microseconds: 500)
        let b = Timestamp(nanoseconds: 1_000_000_000)
        #expect(a.seconds(since: b) == 1.0005)
        #expect(b.seconds(since: a) == -1.0005)
        #expect(a.description == "2.000500")
        #expect(Timestamp.now() > Timestamp(nanoseconds: 0))
    }
}

@Suite struct FileIOTests {
    let dir: String = {
        let d = NSTemporaryDirectory() + "sightline-core-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }()

    @Test func roundTrip() throws {
        let path = dir + "/a.bin"
        try FileIO.writeAtomically(path, [1, 2, 3, 4])
        let b = ImageBuffer()
        #expect(try FileIO.read(path, into: b) == 4)
        #expect(Array(b.bytes.prefix(4)) == [1, 2, 3, 4])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["a.bin"])
    }

    @Test func failedWriteLeavesNothing() {
        let path = dir + "/missing-dir/out.npy"
        #expect(throws: FileError.self) { try FileIO.writeAtomically(path, [1, 2, 3]) }
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect((try? FileManager.default.contentsOfDirectory(atPath: dir))?.isEmpty ?? true)
    }

    @Test func readErrorsNameThePath() {
        let path = dir + "/nope.jpg"
        do {
            try FileIO.read(path, into: ImageBuffer())
            Issue.record("expected an error")
        } catch {
            #expect(error.description.contains(path))
            #expect(error.description.contains("No such file"))
        }
        #expect(throws: FileError.self) { try FileIO.read(dir, into: ImageBuffer()) }
    }

    /// A directory's names, of every length up to the system's limit, read back exactly: each
    /// one in place up to its NUL. Copying `d_name` out whole read past the last (short) entry of
    /// readdir's buffer: a heap-buffer-overflow under AddressSanitizer (`scripts/sanitize
    /// address`), found replaying a recorded folder.
    @Test func directoryNamesOfEveryLength() throws {
        let folder = dir + "/names"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var expected: [String] = []
        for length in 1...255 {
            let name = String(repeating: "n", count: length - 1) + String(length % 10)
            try Data().write(to: URL(fileURLWithPath: folder + "/" + name))
            expected.append(name)
        }
        #expect(try FileIO.names(in: folder).sorted() == expected.sorted())
        #expect(throws: FileError(path: dir + "/absent", operation: "open directory", errno: ENOENT)) {
            try FileIO.names(in: dir + "/absent")
        }
    }

    /// A full disk is a write error naming the file, the write and the errno; appending keeps
    /// what was there; a descriptor reads back exactly what it wrote.
    @Test func descriptorWritesReadsAndReportsAFullDisk() throws {
        let full = try FileDescriptor.open("/dev/full", .writeOnly)
        defer { try? full.close() }
        #expect(throws: FileError(path: "/dev/full", operation: "write an event", errno: ENOSPC)) {
            try full.writeAll([1, 2, 3], operation: "write an event")
        }
        #expect(FileError(path: "/dev/full", operation: "write", errno: ENOSPC).description.hasSuffix("(ENOSPC)"))

        let path = dir + "/log.txt"
        for chunk in [[UInt8](repeating: 7, count: 3), [8, 9]] {
            let fd = try FileDescriptor.open(path, .writeOnly, options: [.create, .append])
            try fd.writeAll(chunk)
            try fd.sync()
            try fd.close()
        }
        let reader = try FileDescriptor.open(path, .readOnly)
        defer { try? reader.close() }
        let b = ImageBuffer()
        #expect(try reader.readAll(into: b) == 5)
        #expect(Array(b.bytes.prefix(5)) == [7, 7, 7, 8, 9])
        #expect(throws: FileError.self) { try FileDescriptor.open(path, .writeOnly, options: .exclusiveCreate) }
    }
}
