import Actions
import Foundation
import GRDB
import SightlineCore
import SightlineTestSupport
import Testing

/// The webhook sink against a real HTTP server (webhook_server.py) on 127.0.0.1.
@Suite(.serialized) struct WebhookTests {
    @Test func serverDownFirstThenUpDeliversEverythingOnceInOrder() throws {
        let dir = tempDir()
        let port = try freePort()
        let url = URL(string: "http://127.0.0.1:\(port)/hook")!
        let sink = try WebhookSink(url: url, outboxPath: dir + "/outbox.sqlite", retry: fastRetry, requestTimeout: 2)
        let events = (0..<5).map { sampleEvent($0) }
        // Nobody listens: handle still succeeds (the event is safe in the outbox).
        for e in events { try sink.handle(e) }
        #expect(try sink.counts().pending == 5)
        #expect(sink.lastReport.lastError?.contains("POST http://127.0.0.1:\(port)/hook") == true, "\(sink.lastReport)")
        #expect {
            try sink.flush()
        } throws: { error in
            "\(error)".contains("5 event(s) not yet delivered") && "\(error)".contains(dir + "/outbox.sqlite")
        }
        // Handling the same event again while it waits does not queue it twice.
        try sink.handle(events[0])
        #expect(try sink.counts().pending == 5)

        let server = try WebhookServer(port: port, dir: dir)
        defer { server.stop() }
        let report = try sink.drain(timeout: 15)
        #expect(report.pending == 0 && report.delivered == 5, "\(report)")
        let received = try server.received()
        #expect(received.map(\.status) == [200, 200, 200, 200, 200])
        #expect(received.compactMap(\.key) == events.map(\.id))
        #expect(received.compactMap(\.event) == events)
        #expect(received.allSatisfy { $0.contentType == "application/json" })
        try sink.flush()  // nothing left: no error
    }

    @Test func serverErrorsAreRetriedWithBackOffUntilAccepted() throws {
        let dir = tempDir()
        let server = try WebhookServer(failFirst: 2, failStatus: 503, dir: dir)
        defer { server.stop() }
        let sink = try WebhookSink(url: server.url, outboxPath: dir + "/outbox.sqlite", retry: fastRetry, requestTimeout: 2)
        let events = (0..<3).map { sampleEvent($0) }
        for e in events { try sink.handle(e) }
        let report = try sink.drain(timeout: 15)
        #expect(report.pending == 0)
        let received = try server.received()
        // e0 refused twice (503), then e0, e1, e2 accepted: in order, each accepted once, and e1
        // was never sent while e0 was waiting.
        #expect(received.map(\.status) == [503, 503, 200, 200, 200])
        #expect(received.compactMap(\.key) == [events[0].id, events[0].id] + events.map(\.id))
        #expect(try server.accepted() == events.map(\.id))
    }

    @Test func backOffFollowsThePolicyOnTheInjectedClock() throws {
        let dir = tempDir()
        let server = try WebhookServer(failFirst: 1000, failStatus: 500, dir: dir)
        defer { server.stop() }
        let clock = ManualClock(may1)
        let sink = try WebhookSink(
            url: server.url, outboxPath: dir + "/outbox.sqlite",
            retry: RetryPolicy(initialDelay: 1, multiplier: 2, maxDelay: 4, jitter: false), requestTimeout: 2,
            clock: { clock.now })
        try sink.handle(sampleEvent(0))
        #expect(try server.received().count == 1)
        #expect(sink.lastReport.nextAttempt == may1.addingTimeInterval(1))
        #expect(sink.lastReport.lastError?.contains("HTTP 500") == true)
        clock.advance(0.5)
        try sink.handle(sampleEvent(1))  // queued behind e0, which is not due: nothing is sent
        #expect(try server.received().count == 1)
        clock.advance(0.5)
        try sink.deliverDue()  // due: e0 again, refused; next wait 2 s
        #expect(try server.received().count == 2)
        #expect(sink.lastReport.nextAttempt == may1.addingTimeInterval(3))
        for (advance, expectedNext) in [(2.0, 7.0), (4.0, 11.0), (4.0, 15.0)] {  // 4, then capped at 4
            clock.advance(advance)
            try sink.deliverDue()
            #expect(sink.lastReport.nextAttempt == may1.addingTimeInterval(expectedNext))
        }
        #expect(try server.received().map(\.key) == Array(repeating: sampleEvent(0).id, count: 5))
        #expect(try sink.counts().pending == 2)
    }

    @Test func retryPolicyDelays() {
        let p = RetryPolicy(initialDelay: 0.5, multiplier: 2, maxDelay: 30, jitter: false)
        #expect((1...8).map { p.delay(afterFailures: $0) } == [0.5, 1, 2, 4, 8, 16, 30, 30])
        #expect(p.delay(afterFailures: 10_000) == 30)
        let jittered = RetryPolicy(initialDelay: 8, multiplier: 2, maxDelay: 30, jitter: true)
        for _ in 0..<100 { #expect((4...8).contains(jittered.delay(afterFailures: 1))) }
    }

    @Test func aRestartedSinkDeliversWhatAnEarlierRunLeftInTheOutbox() throws {
        let dir = tempDir()
        let port = try freePort()
        let url = URL(string: "http://127.0.0.1:\(port)/hook")!
        let events = (0..<3).map { sampleEvent($0) }
        do {
            let first = try WebhookSink(url: url, outboxPath: dir + "/outbox.sqlite", retry: fastRetry, requestTimeout: 2)
            for e in events { try first.handle(e) }
            #expect(try first.counts().pending == 3)
        }
        let server = try WebhookServer(port: port, dir: dir)
        defer { server.stop() }
        // Opening the sink delivers on start.
        let second = try WebhookSink(url: url, outboxPath: dir + "/outbox.sqlite", retry: fastRetry, requestTimeout: 2)
        #expect(try second.counts().pending == 0)
        #expect(try server.accepted() == events.map(\.id))
    }

    @Test func aProcessKilledWhileTheServerWasDownLosesNoEvent() throws {
        let dir = tempDir()
        let port = try freePort()
        let child = try Child(
            productPath("ActionsTestHelper"), ["outbox", dir + "/outbox.sqlite", "http://127.0.0.1:\(port)/hook", "100000", "5"])
        let lines = child.lines(6)
        child.kill()
        try #require(lines.count == 6, "helper said: \(lines)")
        let queued = lines.map { String($0.split(separator: " ")[1]) }

        let server = try WebhookServer(port: port, dir: dir)
        defer { server.stop() }
        let sink = try WebhookSink(url: server.url, outboxPath: dir + "/outbox.sqlite", retry: fastRetry, requestTimeout: 2)
        // The child backed off for an hour; a new process starts fresh and delivers at once.
        #expect(try sink.counts().pending == 0)
        let accepted = try server.accepted()
        // Every event the child had queued arrived, once, in order (perhaps one more that was
        // committed just before the kill).
        #expect(Array(accepted.prefix(queued.count)) == queued)
        #expect(accepted.count == queued.count || accepted.count == queued.count + 1)
        #expect(Set(accepted).count == accepted.count)
    }

    @Test func aPermanentRefusalIsKeptAsADeadLetterAndTheQueueMovesOn() throws {
        let dir = tempDir()
        let server = try WebhookServer(failFirst: 1, failStatus: 422, dir: dir)
        defer { server.stop() }
        let sink = try WebhookSink(url: server.url, outboxPath: dir + "/outbox.sqlite", retry: fastRetry, requestTimeout: 2)
        let events = (0..<2).map { sampleEvent($0) }
        for e in events { try sink.handle(e) }
        let counts = try sink.counts(), accepted = try server.accepted()
        #expect(counts.pending == 0 && counts.deadLettered == 1, "\(counts) \(sink.lastReport)")
        let statuses = try server.received().map(\.status)
        #expect(accepted == [events[1].id], "\(statuses)")
        let db = try DatabaseQueue(path: dir + "/outbox.sqlite")
        let row = try #require(try db.read { try Row.fetchOne($0, sql: "SELECT eventID, status FROM deadLetter") })
        #expect(row["eventID"] as String == events[0].id)
        #expect(row["status"] as Int == 422)
    }

    @Test func onlyTheChosenKindsAreSent() throws {
        let dir = tempDir()
        let server = try WebhookServer(dir: dir)
        defer { server.stop() }
        let sink = try WebhookSink(
            url: server.url, outboxPath: dir + "/outbox.sqlite", retry: fastRetry, requestTimeout: 2, kinds: [.groceryNeed])
        try sink.handle(sampleEvent(0))
        let wanted = sampleEvent(1, kind: .groceryNeed, grocery: need("Tofu", 1, "pack", key: "t"))
        try sink.handle(wanted)
        let accepted = try server.accepted()
        #expect(accepted == [wanted.id], "\(sink.lastReport)")
    }
}

/// Hostile answers and addresses (issue 16): nothing counted as delivered unless it was POSTed
/// and accepted, and URLs that could never be delivered to are refused up front.
@Suite(.serialized) struct WebhookHostileTests {
    /// A 302: the redirect is not followed (URLSession would repeat the POST as a GET without its
    /// body, get 200 and drop the event); the event is dead-lettered, kept with where the server
    /// pointed, and the server saw one POST and no GET.
    @Test func aRedirectIsNotFollowedAndTheEventIsKept() throws {
        let dir = tempDir()
        let server = try WebhookServer(failFirst: 1, failStatus: 302, dir: dir)
        defer { server.stop() }
        let sink = try WebhookSink(url: server.url, outboxPath: dir + "/outbox.sqlite", retry: fastRetry, requestTimeout: 5)
        try sink.handle(sampleEvent(1))
        #expect(sink.lastReport.delivered == 0, "\(sink.lastReport)")
        #expect(sink.lastReport.deadLettered == 1, "\(sink.lastReport)")
        let counts = try sink.counts()
        #expect(counts.pending == 0 && counts.deadLettered == 1)
        let received = try server.received()
        #expect(received.map(\.status) == [302], "the server saw \(received.map(\.status))")
        let text = (try? String(contentsOfFile: server.record, encoding: .utf8)) ?? ""
        #expect(!text.contains("\"GET\""), "the redirect was followed: \(text)")
        let dbq = try DatabaseQueue(path: dir + "/outbox.sqlite")
        let response = try dbq.read { try String.fetchOne($0, sql: "SELECT response FROM deadLetter") }
        #expect(response?.contains("redirected to /elsewhere") == true, "\(response ?? "nil")")
    }

    @Test(arguments: ["notaurl", "ftp://example.org/hook", "file:///tmp/hook", "http://127.0.0.1:99999/hook", "http:///hook"])
    func aURLThatCannotBeDeliveredToIsRefused(_ text: String) throws {
        #expect(WebhookSink.problem(with: text) != nil, "\(text) accepted")
        let dir = tempDir()
        #expect(throws: StoreError.self) {
            _ = try WebhookSink(url: URL(string: text) ?? URL(fileURLWithPath: text), outboxPath: dir + "/o.sqlite")
        }
    }

    @Test func usableURLsAreAccepted() {
        for text in ["http://127.0.0.1:8080/hook", "https://example.org/hook", "HTTP://example.org"] {
            #expect(WebhookSink.problem(with: text) == nil, "\(text)")
        }
    }
}
