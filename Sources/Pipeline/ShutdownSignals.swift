public import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Turns SIGINT and SIGTERM into a clean shutdown: the first one calls `stop` (the live
/// pipeline drains and flushes its sinks), a second one ends the process at once with status
/// 128 + signal, for when draining hangs. Handlers run on a dispatch queue, not in signal
/// context. Keep the value alive for as long as the handlers should be installed.
public final class ShutdownSignals: @unchecked Sendable {
    private var sources: [any DispatchSourceSignal] = []
    private let lock = NSLock()
    private var received: Int32?

    public init(_ signals: [Int32] = [SIGINT, SIGTERM], stop: @escaping @Sendable (Int32) -> Void) {
        for sig in signals {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [unowned self] in
                let first: Bool = lock.withLock {
                    defer { received = received ?? sig }
                    return received == nil
                }
                if first { stop(sig) } else { _exit(128 + sig) }
            }
            source.resume()
            sources.append(source)
        }
    }

    /// The first signal received, if any.
    public var receivedSignal: Int32? { lock.withLock { received } }

    deinit { for s in sources { s.cancel() } }
}
