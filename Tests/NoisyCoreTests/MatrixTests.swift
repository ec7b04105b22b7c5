import NoisyCore
import Testing

@Suite struct MatrixTests {
    @Test func copyOnWriteKeepsValueSemantics() {
        var a = Matrix(rows: 2, cols: 3, elements: [1, 2, 3, 4, 5, 6])
        let b = a
        a[1, 2] = 60
        #expect(b[1, 2] == 6)
        #expect(a[1, 2] == 60)
    }

    @Test func transposeAndViewsAddressTheRightElements() {
        let a = Matrix(rows: 3, cols: 4) { r, c in Float(10 * r + c) }
        let t = a.transposed
        #expect(t.rows == 4 && t.cols == 3 && t[3, 2] == 23)
        a.withView { v in
            let block = v.rows(1..<3).cols(2..<4)
            #expect(block.rows == 2 && block.cols == 2)
            #expect(block[0, 0] == 12 && block[1, 1] == 23)
            #expect(block.copy() == Matrix(rows: 2, cols: 2, elements: [12, 13, 22, 23]))
        }
    }

    @Test func storageIsCacheLineAligned() {
        for n in [1, 3, 17, 1000] {
            let m = Matrix(rows: n, cols: 1)
            m.withUnsafeBufferPointer { #expect(Int(bitPattern: $0.baseAddress) % 64 == 0) }
        }
    }
}
