// A child process for the Actions tests: it writes through a sink in a loop, printing a line
// after each write has returned (and so is durable), until the test kills it with SIGKILL.
//
//   ActionsTestHelper grocery DB COUNT DELAY_MS
//   ActionsTestHelper outbox OUTBOX URL COUNT DELAY_MS
//   ActionsTestHelper mqtt OUTBOX BROKER_URL DEVICE COUNT DELAY_MS
import Actions
import Foundation
import SightlineCore

/// Writes a line straight to the descriptor (no stdio buffer), so the test sees it at once.
func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }
let args = CommandLine.arguments
func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("ActionsTestHelper: \(message)\n".utf8))
    exit(2)
}
guard args.count >= 2 else {
    fail("usage: grocery DB COUNT DELAY_MS | outbox OUTBOX URL COUNT DELAY_MS | mqtt OUTBOX BROKER_URL DEVICE COUNT DELAY_MS")
}
let base = Date(timeIntervalSince1970: 1_714_564_800)  // 2024-05-01T12:00:00Z

func event(_ i: Int) -> SightlineEvent {
    SightlineEvent(
        kind: .groceryNeed,
        frame: .init(origin: "helper", sequence: UInt64(i), captureTime: Timestamp(nanoseconds: UInt64(i) * 1_000_000)),
        time: base.addingTimeInterval(Double(i)), conclusion: "need \(i)",
        grocery: GroceryNeed(item: "item \(i)", quantity: Double(i + 1), unit: "g", reason: "reason \(i)", needKey: "need-\(i)"))
}

do {
    switch args[1] {
    case "grocery" where args.count == 5:
        let list = try GroceryList(path: args[2])
        let sink = GroceryListSink(list: list)
        for i in 0..<Int(args[3])! {
            try sink.handle(event(i))
            say("added \(i)")
            usleep(useconds_t(Int(args[4])! * 1000))
        }
    case "outbox" where args.count == 6:
        // A long back-off: the child tries each event once at most, then only queues.
        let sink = try WebhookSink(
            url: URL(string: args[3])!, outboxPath: args[2], retry: RetryPolicy(initialDelay: 3600, jitter: false),
            requestTimeout: 1, deliverOnStart: false)
        for i in 0..<Int(args[4])! {
            let e = event(i)
            try sink.handle(e)
            say("queued \(e.id)")
            usleep(useconds_t(Int(args[5])! * 1000))
        }
    case "mqtt" where args.count == 7:
        let sink = try MQTTSink(
            broker: try MQTTBroker(url: args[3]), settings: MQTTSettings(device: args[4]), outboxPath: args[2],
            retry: RetryPolicy(initialDelay: 3600, jitter: false))
        for i in 0..<Int(args[5])! {
            let e = event(i)
            try sink.handle(e)
            say("published \(e.id) pending \(sink.backlog ?? -1)")
            usleep(useconds_t(Int(args[6])! * 1000))
        }
    default:
        fail("bad arguments: \(args.dropFirst().joined(separator: " "))")
    }
} catch {
    fail("\(error)")
}
