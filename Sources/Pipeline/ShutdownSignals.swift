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
            sources.append(
                SignalListener.source(sig) { [unowned self] in
                    let first: Bool = lock.withLock {
                        defer { received = received ?? sig }
                        return received == nil
                    }
                    if first { stop(sig) } else { _exit(128 + sig) }
                })
        }
    }

    /// The first signal received, if any.
    public var receivedSignal: Int32? { lock.withLock { received } }

    deinit { for s in sources { s.cancel() } }
}

/// Calls `handler` on a dispatch queue each time `signal` arrives (a service reloads on
/// SIGHUP). The signal's default action is turned off while the value lives.
public final class SignalListener: @unchecked Sendable {
    private let source: any DispatchSourceSignal

    public init(_ signal: Int32, handler: @escaping @Sendable () -> Void) {
        source = Self.source(signal, handler)
    }

    deinit { source.cancel() }

    /// A started dispatch source for `sig`, which no longer reaches its default action.
    static func source(_ sig: Int32, _ handler: @escaping @Sendable () -> Void) -> any DispatchSourceSignal {
        signal(sig, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
        source.setEventHandler(handler: handler)
        source.resume()
        return source
    }
}
