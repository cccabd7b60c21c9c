import Foundation
public import Pipeline

/// How the pipeline is doing, as the service reports it (retained on MQTT's health topic,
/// logged when it changes): `running`, `degraded` (with the problems) or `stopped`, and the
/// figures behind it.
public struct PipelineHealth: Sendable, Codable, Equatable {
    public enum State: String, Sendable, Codable {
        case running, degraded, stopped
    }

    public var state: State
    /// What makes it degraded (empty when running well).
    public var problems: [String]
    /// Frames per second from the source since the previous report (over the run, the first time).
    public var framesPerSecond: Double
    public var framesCaptured: Int
    public var framesAnalysed: Int
    /// Frames dropped by any stage (latest-wins hand-offs, the camera).
    public var framesDropped: Int
    public var errors: Int
    public var sinkFailures: Int
    /// Events waiting in outboxes (a broker or web service that is down).
    public var sinkBacklog: Int
    public var uptimeSeconds: Double
    public var residentMegabytes: Double

    /// The health in `report`, compared with the `previous` report (to tell a stalled source).
    public init(report: LiveReport, previous: LiveReport?, backlog: Int, running: Bool, residentBytes: Int) {
        let captured = report.stages.first?.framesIn ?? 0
        let before = previous?.stages.first?.framesIn ?? 0
        let seconds = report.wallSeconds - (previous?.wallSeconds ?? 0)
        framesPerSecond = seconds > 0 ? (Double(captured - before) / seconds * 10).rounded() / 10 : 0
        framesCaptured = captured
        framesAnalysed = report.stages.count > 2 ? report.stages[2].framesOut : 0
        framesDropped = report.stages.reduce(0) { $0 + $1.dropped }
        errors = report.errorCount
        sinkFailures = report.sinkFailures.count
        sinkBacklog = backlog
        uptimeSeconds = (report.wallSeconds * 10).rounded() / 10
        residentMegabytes = (Double(residentBytes) / 104_857.6).rounded() / 10
        var problems: [String] = []
        if running, let previous, captured == previous.stages.first?.framesIn {
            problems.append("no frames from \(report.source) in the last \(Int(seconds.rounded())) s")
        }
        if report.errorCount > (previous?.errorCount ?? 0) {
            problems.append("\(report.errorCount - (previous?.errorCount ?? 0)) new error(s): \(report.errors.last ?? "")")
        }
        if report.sinkFailures.count > (previous?.sinkFailures.count ?? 0) {
            problems.append("sink failures: \(report.sinkFailures.last ?? "")")
        }
        if backlog > 0 { problems.append("\(backlog) event(s) waiting in an outbox") }
        self.problems = problems
        state = !running ? .stopped : problems.isEmpty ? .running : .degraded
    }

    /// JSON with sorted keys (the health topic's payload).
    public var json: [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return [UInt8]((try? encoder.encode(self)) ?? Data())
    }
}
