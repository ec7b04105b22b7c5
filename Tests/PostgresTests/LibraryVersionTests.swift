import Postgres
import Testing

@Suite struct LibraryVersionTests {
    @Test func libpqIsVersion15OrNewer() throws {
        let major = try #require(Int(Postgres.libraryVersion.split(separator: ".").first ?? ""))
        #expect(major >= 15)
    }
}
