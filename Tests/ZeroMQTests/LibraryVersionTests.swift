import Testing
import ZeroMQ

@Suite struct ZeroMQLibraryVersionTests {
    @Test func libzmqIsVersion4() {
        #expect(ZeroMQ.libraryVersion.hasPrefix("4."))
    }
}
