import SweepStore
import Testing

@Suite struct SweepStoreTests {
    @Test func moduleLinks() {
        #expect(String(describing: SweepStore.self) == "SweepStore")
    }
}
