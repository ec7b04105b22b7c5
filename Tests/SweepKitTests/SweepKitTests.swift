import SweepKit
import Testing

@Suite struct SweepKitTests {
    @Test func resultFormatVersionIsPositive() {
        #expect(SweepKit.resultFormatVersion >= 1)
    }
}
