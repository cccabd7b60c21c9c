internal import CV4L2
public import SightlineCore

#if canImport(Glibc)
    import Glibc
#endif

/// The system calls a V4L2 camera makes, as one substitutable interface.
///
/// Like swift-system's `FileDescriptor` and swift-nio's `System.swift`, every call Capture
/// makes on a device goes through this protocol and then through one funnel
/// (``SyscallFunnel``) that retries `EINTR` and turns a failure into a ``SystemCallError``
/// naming the call and the device. Implementations return the `errno` rather than setting it,
/// so a fake driver in a test target can script any error (`ENODEV` mid-stream, `EAGAIN`,
/// `EINTR`) without a kernel.
///
/// The product implementation is ``LinuxSystemCalls``.
public protocol SystemCalls: Sendable {
    /// `open(2)`; returns the new descriptor.
    func open(_ path: String, flags: Int32) -> Result<Int32, Errno>
    /// `close(2)`.
    func close(_ fd: Int32) -> Result<Void, Errno>
    /// `ioctl(2)` with a pointer argument; returns the call's non-negative result.
    func ioctl(_ fd: Int32, request: UInt, argument: UnsafeMutableRawPointer) -> Result<Int32, Errno>
    /// `poll(2)` on one descriptor; returns `revents` (0 when the timeout passed).
    func poll(_ fd: Int32, events: Int16, timeoutMilliseconds: Int32) -> Result<Int16, Errno>
    /// `mmap(2)` of `length` bytes of `fd` at `offset`, shared, readable and writable.
    func mmap(length: Int, fd: Int32, offset: Int) -> Result<UnsafeMutableRawPointer, Errno>
    /// `munmap(2)`.
    func munmap(_ address: UnsafeMutableRawPointer, length: Int) -> Result<Void, Errno>
}

/// The real system calls: plain Linux calls, or libv4l2's `v4l2_*` variants.
///
/// With `conversion` on, `open`, `ioctl`, `mmap`, `munmap` and `close` go through libv4l2
/// (`v4l2_open`, `v4l2_ioctl` …), which adds emulated formats (flagged
/// `V4L2_FMT_FLAG_EMULATED`) that it converts in user space for devices that lack them.
/// Note that libv4lconvert's YUV→RGB does not expand limited range, so prefer a native YUV
/// format and Sightline's own conversion when colours matter.
public struct LinuxSystemCalls: SystemCalls {
    /// True when calls go through libv4l2.
    public let conversion: Bool

    public init(conversion: Bool = false) { self.conversion = conversion }

    public func open(_ path: String, flags: Int32) -> Result<Int32, Errno> {
        let fd = conversion ? sl_v4l2_open(path, flags) : sl_open(path, flags)
        return fd >= 0 ? .success(fd) : .failure(Errno(errno))
    }

    public func close(_ fd: Int32) -> Result<Void, Errno> {
        let rc = conversion ? v4l2_close(fd) : Glibc.close(fd)
        return rc == 0 ? .success(()) : .failure(Errno(errno))
    }

    public func ioctl(_ fd: Int32, request: UInt, argument: UnsafeMutableRawPointer) -> Result<Int32, Errno> {
        let rc = conversion ? sl_v4l2_ioctl(fd, request, argument) : sl_ioctl(fd, request, argument)
        return rc >= 0 ? .success(rc) : .failure(Errno(errno))
    }

    public func poll(_ fd: Int32, events: Int16, timeoutMilliseconds: Int32) -> Result<Int16, Errno> {
        var p = pollfd(fd: fd, events: events, revents: 0)
        let rc = Glibc.poll(&p, 1, timeoutMilliseconds)
        if rc < 0 { return .failure(Errno(errno)) }
        return .success(rc == 0 ? 0 : p.revents)
    }

    public func mmap(length: Int, fd: Int32, offset: Int) -> Result<UnsafeMutableRawPointer, Errno> {
        let prot = PROT_READ | PROT_WRITE
        let p =
            conversion
            ? v4l2_mmap(nil, length, prot, MAP_SHARED, fd, Int64(offset))
            : Glibc.mmap(nil, length, prot, MAP_SHARED, fd, off_t(offset))
        guard let p, sl_is_map_failed(p) == 0 else { return .failure(Errno(errno)) }
        return .success(p)
    }

    public func munmap(_ address: UnsafeMutableRawPointer, length: Int) -> Result<Void, Errno> {
        let rc = conversion ? v4l2_munmap(address, length) : Glibc.munmap(address, length)
        return rc == 0 ? .success(()) : .failure(Errno(errno))
    }
}

/// The one place Capture's system calls pass through: retries `EINTR`, and turns any other
/// failure into a ``SystemCallError`` that names the call and the device.
public struct SyscallFunnel: Sendable {
    public let system: any SystemCalls
    /// The device (or file) name errors carry.
    public let device: String

    public init(system: any SystemCalls, device: String) {
        self.system = system
        self.device = device
    }

    /// Runs `body` until it does not fail with `EINTR`.
    @inline(__always)
    public func call<T>(_ name: StaticString, _ body: () -> Result<T, Errno>) throws(SystemCallError) -> T {
        while true {
            switch body() {
            case .success(let value): return value
            case .failure(let e) where e.code == EINTR: continue
            case .failure(let e): throw SystemCallError(call: "\(name)", device: device, errno: e.code)
            }
        }
    }

    /// Like ``call(_:_:)`` but returns nil for `EAGAIN` (a non-blocking call with nothing to do).
    @inline(__always)
    public func callUnlessAgain<T>(_ name: StaticString, _ body: () -> Result<T, Errno>) throws(SystemCallError) -> T? {
        while true {
            switch body() {
            case .success(let value): return value
            case .failure(let e) where e.code == EINTR: continue
            case .failure(let e) where e.code == EAGAIN: return nil
            case .failure(let e): throw SystemCallError(call: "\(name)", device: device, errno: e.code)
            }
        }
    }

    public func open(flags: Int32) throws(SystemCallError) -> Int32 {
        try call("open") { system.open(device, flags: flags) }
    }

    /// Closes `fd`. `EINTR` is not retried: on Linux the descriptor is already gone.
    public func close(_ fd: Int32) throws(SystemCallError) {
        switch system.close(fd) {
        case .success, .failure(Errno(EINTR)): return
        case .failure(let e): throw SystemCallError(call: "close", device: device, errno: e.code)
        }
    }

    /// An ioctl with a typed argument, named after its request (`"VIDIOC_S_FMT"`).
    @discardableResult
    public func ioctl<T>(_ fd: Int32, _ name: StaticString, _ request: UInt, _ argument: inout T) throws(SystemCallError) -> Int32 {
        try withUnsafeMutablePointer(to: &argument) { (p) throws(SystemCallError) -> Int32 in
            try call(name) { system.ioctl(fd, request: request, argument: UnsafeMutableRawPointer(p)) }
        }
    }

    /// Like ``ioctl(_:_:_:_:)`` but returns false for `EAGAIN`.
    public func ioctlUnlessAgain<T>(_ fd: Int32, _ name: StaticString, _ request: UInt, _ argument: inout T) throws(SystemCallError) -> Bool
    {
        try withUnsafeMutablePointer(to: &argument) { (p) throws(SystemCallError) -> Bool in
            try callUnlessAgain(name) { system.ioctl(fd, request: request, argument: UnsafeMutableRawPointer(p)) } != nil
        }
    }

    public func poll(_ fd: Int32, events: Int16, timeoutMilliseconds: Int32) throws(SystemCallError) -> Int16 {
        try call("poll") { system.poll(fd, events: events, timeoutMilliseconds: timeoutMilliseconds) }
    }

    public func mmap(length: Int, fd: Int32, offset: Int) throws(SystemCallError) -> UnsafeMutableRawPointer {
        try call("mmap") { system.mmap(length: length, fd: fd, offset: offset) }
    }

    public func munmap(_ address: UnsafeMutableRawPointer, length: Int) throws(SystemCallError) {
        try call("munmap") { system.munmap(address, length: length) }
    }
}
