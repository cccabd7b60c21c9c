import Actions
import Foundation
import SightlineCore
import Testing

@Suite struct DeviceFileTests {
    /// /dev/null cannot be fsynced (EINVAL): a JSON Lines sink pointed at it, even with
    /// per-line sync, must neither warn nor fail.
    @Test func jsonLinesToDevNullSyncsQuietly() throws {
        let sink = try JSONLinesSink(.file("/dev/null"), sync: true)
        let event = SightlineEvent(
            kind: .conclusion, frame: .init(origin: "t", sequence: 1, captureTime: Timestamp(nanoseconds: 0)),
            time: Date(timeIntervalSince1970: 0), conclusion: "ok")
        try sink.handle(event)
        try sink.flush()
    }
}
