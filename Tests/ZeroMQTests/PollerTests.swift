import Foundation
import Testing
import ZeroMQ

@Suite struct PollerTests {
    @Test func idlePollTimesOutWithNothingReady() throws {
        let context = try Context()
        let (router, _) = try boundRouter(context)
        let poller = Poller()
        try poller.register(router)
        let start = Date()
        #expect(try poller.poll(timeout: 50).isEmpty)
        #expect(Date().timeIntervalSince(start) >= 0.045)
        #expect(try poller.poll(timeout: 0).isEmpty)
    }

    @Test func reportsWhichSocketsAreReadableAndWritable() throws {
        let context = try Context()
        let (router, endpoint) = try boundRouter(context)
        let quiet = try Socket(context, type: .pull)
        try quiet.bind("inproc://quiet")
        let dealer = try connectedDealer(context, to: endpoint, id: "p")
        let poller = Poller()
        let routerIndex = try poller.register(router)
        let quietIndex = try poller.register(quiet)
        let dealerIndex = try poller.register(dealer, for: .writable)
        try dealer.send([Array("ping".utf8)])
        // The dealer is writable at once, so poll until the router's message is there too.
        var ready: [Poller.Ready] = []
        let deadline = Date().addingTimeInterval(5)
        while !ready.contains(where: { $0.index == routerIndex }) && Date() < deadline {
            ready = try poller.poll(timeout: 100)
        }
        #expect(ready.contains(Poller.Ready(index: routerIndex, events: .readable)))
        #expect(ready.contains(Poller.Ready(index: dealerIndex, events: .writable)))
        #expect(!ready.contains { $0.index == quietIndex })
        poller.setEvents([], at: dealerIndex)
        #expect(try !poller.poll(timeout: 0).contains { $0.index == dealerIndex })
    }
}
