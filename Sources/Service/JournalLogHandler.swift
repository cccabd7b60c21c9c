public import Foundation
public import Logging

/// Log lines for systemd's journal: one line per message on standard error, starting with the
/// syslog priority as `<N>` (sd-daemon's prefixes: journald reads them and stores the line at
/// that priority, so `journalctl -p warning` shows the warnings), then the message and its
/// metadata as `key=value`. No time stamp: the journal adds its own.
public struct JournalLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public let label: String

    public init(label: String, level: Logger.Level = .info) {
        self.label = label
        logLevel = level
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// syslog's priorities (sd-daemon.h: SD_DEBUG 7 … SD_CRIT 2).
    public static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: return 7
        case .info: return 6
        case .notice: return 5
        case .warning: return 4
        case .error: return 3
        case .critical: return 2
        }
    }

    /// The line written for one message (without its newline).
    public func line(_ level: Logger.Level, _ message: String, _ extra: Logger.Metadata? = nil) -> String {
        var all = metadata
        if let provided = metadataProvider?.get() { all.merge(provided) { $1 } }
        if let extra { all.merge(extra) { $1 } }
        let fields = all.sorted { $0.key < $1.key }.map { " \($0.key)=\($0.value)" }.joined()
        // The journal splits on newlines: keep a message on its line, so it keeps its priority.
        return "<\(Self.priority(level))>\(label): " + message.replacingOccurrences(of: "\n", with: " | ") + fields
    }

    public func log(event: LogEvent) {
        let text = line(event.level, event.message.description, event.metadata) + "\n"
        // One write per line, so lines of several threads do not interleave.
        _ = text.utf8CString.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count - 1) }
    }

    /// Whether standard error goes to the journal: systemd sets `JOURNAL_STREAM` to the
    /// device and inode of the stream it connected, which must be standard error's own.
    public static func standardErrorIsJournal(environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        guard let value = environment["JOURNAL_STREAM"] else { return false }
        let parts = value.split(separator: ":")
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]) else { return false }
        var info = stat()
        guard fstat(2, &info) == 0 else { return false }
        return UInt64(info.st_dev) == device && UInt64(info.st_ino) == inode
    }
}

/// Sets up swift-log for a command: journald's format when standard error is the journal
/// (or `format: journal`), else swift-log's plain stream format.
public enum ServiceLogging {
    /// Bootstraps swift-log once per process; returns the command's logger.
    public static func bootstrap(_ settings: LoggingSettings, verbose: Bool = false) -> Logger {
        let level: Logger.Level = verbose ? min(.debug, settings.level) : settings.level
        let journal = settings.format == .journal || (settings.format == .auto && JournalLogHandler.standardErrorIsJournal())
        LoggingSystem.bootstrap { label in
            if journal { return JournalLogHandler(label: label, level: level) }
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        return Logger(label: "sightline")
    }
}
