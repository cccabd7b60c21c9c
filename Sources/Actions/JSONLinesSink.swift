import Foundation
public import SightlineCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes each event as one line of canonical JSON (see ``SightlineEvent/jsonLine()``).
///
/// Each line goes to the file descriptor in a single `write` as soon as it is handled (there is
/// no user-space buffer), so a crash loses at most the line being written. Files are opened for
/// appending; with `sync: true` every line is also `fsync`ed (survives power loss, costs a disk
/// flush per event).
public final class JSONLinesSink: ActionSink, @unchecked Sendable {
    public enum Destination: Sendable, Equatable {
        case standardOutput
        /// Appended to; created with mode 0644 if missing (its folder must exist).
        case file(String)
    }

    public let destination: Destination
    public let sync: Bool
    public var name: String { "jsonl" }

    private let file: FileDescriptor
    private let ownsFile: Bool
    private let lock = NSLock()

    public init(_ destination: Destination, sync: Bool = false) throws(FileError) {
        self.destination = destination
        self.sync = sync
        switch destination {
        case .standardOutput:
            file = .standardOutput
            ownsFile = false
        case .file(let path):
            file = try FileDescriptor.open(path, .writeOnly, options: [.create, .append], operation: "open for appending")
            ownsFile = true
        }
    }

    deinit { if ownsFile { try? file.close() } }

    public func handle(_ event: SightlineEvent) throws {
        var line = try event.jsonLine()
        line.append(0x0A)
        lock.lock()
        defer { lock.unlock() }
        // Text printed with print() sits in stdio's buffer; let it out first so lines keep order.
        if destination == .standardOutput { fflush(nil) }
        try file.writeAll(line, operation: "write an event")
        if sync, ownsFile { try file.sync(unsyncable: .ignored) }
    }

    /// Nothing is buffered; with a file, makes sure what was written reached the disk (a
    /// character device or pipe such as `/dev/null` has nothing to make durable).
    public func flush() throws {
        lock.lock()
        defer { lock.unlock() }
        if ownsFile { try file.sync(unsyncable: .ignored) }
    }
}
