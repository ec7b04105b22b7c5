import NoisyCore
import Testing
import StudyData

/// The real data sets and the task suite. These run when the default data folder holds the
/// pinned data (`make test` fetches it first through `make data`); otherwise they are skipped,
/// saying why.
@Suite(.enabled(if: RealData.available, RealData.skipReason))
struct DataTaskTests {
    let directory = RealData.directory

    @Test func fashionMNISTBothParts() throws {
        let train = try Dataset.fashionMNIST(.train, dataDirectory: directory)
        let test = try Dataset.fashionMNIST(.test, dataDirectory: directory)
        #expect(train.count == 60_000 && test.count == 10_000)
        #expect(train.shape == ImageShape(height: 28, width: 28) && train.classCount == 10)
        #expect(train.classCounts == [Int](repeating: 6_000, count: 10))
        #expect(test.classCounts == [Int](repeating: 1_000, count: 10))
        // First test label (documented by Zalando's README): ankle boot; pixels in [0, 1], some ink.
        #expect(test.labels[0] == 9)
        let values = test.images.elements
        #expect(values.allSatisfy { $0 >= 0 && $0 <= 1 } && values.contains(1))
    }

    @Test func mnist5kHasItsLabelInTheLastColumn() throws {
        let d = try Dataset.mnist5k(dataDirectory: directory)
        #expect(d.count == 5_000 && d.classCounts == [Int](repeating: 500, count: 10))
        #expect(d.shape == ImageShape(height: 28, width: 28))
        // MNIST digits sit in a 20×20 box centred in the 28×28 frame: the first row is blank.
        #expect((0..<d.count).allSatisfy { i in (0..<28).allSatisfy { d.images[i, $0] == 0 } })
    }

    @Test func digitsSitInMNISTsBoxInsideAFourPixelBorder() throws {
        let boxed = try Dataset.digits(dataDirectory: directory, centreOfMass: false)
        let massed = try Dataset.digits(dataDirectory: directory)
        #expect(boxed.shape == ImageShape(height: 28, width: 28) && massed.labels == boxed.labels)
        for i in 0..<boxed.count {
            for y in 0..<28 {
                for x in 0..<28 where !(4..<24).contains(y) || !(4..<24).contains(x) {
                    guard boxed.images[i, y * 28 + x] == 0 else {
                        Issue.record("digit \(i): ink at (\(y), \(x)) outside the 20×20 box")
                        return
                    }
                }
            }
        }
        // Mass-centred: every digit's centre of mass within half a pixel of the frame's centre, no ink lost.
        for i in 0..<massed.count {
            var mass: Float = 0, mx: Float = 0, my: Float = 0
            for y in 0..<28 {
                for x in 0..<28 {
                    let v = massed.images[i, y * 28 + x]
                    mass += v; mx += v * Float(x); my += v * Float(y)
                }
            }
            #expect(abs(mx / mass - 13.5) <= 0.501 && abs(my / mass - 13.5) <= 0.501, "digit \(i)")
        }
        #expect(abs(massed.images.elements.reduce(0, +) - boxed.images.elements.reduce(0, +)) < 1)
    }

    @Test func digitsAreUpscaledAndRescaled() throws {
        let small = try Dataset.digits(dataDirectory: directory, side: 8)
        #expect(small.count == 1_797)
        #expect(small.classCounts == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180])
        // First digit of the file (a 0): row 0 is 0,0,5,13,9,1,0,0 of 16.
        let firstRow: [Float] = [0, 0, 5, 13, 9, 1, 0, 0].map { $0 / 16 }
        #expect(Array(small.images.row(0)[0..<8]) == firstRow)
        #expect(small.images.elements.max() == 1)
        let big = try Dataset.digits(dataDirectory: directory)
        #expect(big.shape == ImageShape(height: 28, width: 28) && big.labels == small.labels)
    }

    @Test func everyTaskHasTheSuiteShapes() throws {
        var expected: [DownstreamTask: (train: Int, test: Int, classes: Int, kind: TaskKind)] = [
            .fmnist: (8_000, 2_000, 10, .id), .fmnistCoarse: (8_000, 2_000, 4, .id),
            .mnist5k: (4_000, 1_000, 10, .id), .digits: (1_438, 359, 10, .id),
            .mnist5kToDigits: (4_000, 359, 10, .ood), .digitsToMnist5k: (1_438, 1_000, 10, .ood),
            .fmnistRotated: (8_000, 2_000, 10, .ood), .fmnistNoisy: (8_000, 2_000, 10, .ood),
        ]
        for task in DownstreamTask.allCases where task.digitShift != nil { expected[task] = (4_000, 1_000, 10, task.kind) }
        for task in DownstreamTask.allCases {
            let data = try makeTask(task.name, dataDirectory: directory, seed: 1)
            let want = try #require(expected[task])
            #expect(data.train.count == want.train && data.test.count == want.test, "\(task.name)")
            #expect(data.classCount == want.classes && data.test.classCount == want.classes && data.kind == want.kind, "\(task.name)")
            #expect(data.train.shape == ImageShape(height: 28, width: 28) && data.test.shape == data.train.shape, "\(task.name)")
            #expect(data.train.classCounts.allSatisfy { $0 > 0 } && data.test.classCounts.allSatisfy { $0 > 0 }, "\(task.name)")
        }
    }

    @Test func tasksShareSplitsAndDifferOnlyWhereTheyShould() throws {
        let fine = try makeTask(.fmnist, dataDirectory: directory, seed: 4)
        let coarse = try makeTask(.fmnistCoarse, dataDirectory: directory, seed: 4)
        let rotated = try makeTask(.fmnistRotated, dataDirectory: directory, seed: 4)
        let noisy = try makeTask(.fmnistNoisy, dataDirectory: directory, seed: 4, parameters: TaskParameters(noiseStandardDeviation: 0.3))
        #expect(coarse.train.images == fine.train.images && coarse.test.images == fine.test.images)
        #expect(coarse.test.labels == fine.test.labels.map { fashionMNISTCoarseMapping[$0] })
        #expect(coarse.test.classCounts == [800, 400, 600, 200])
        #expect(rotated.train.images == fine.train.images && rotated.test.labels == fine.test.labels)
        #expect(rotated.test.images != fine.test.images)
        #expect(noisy.test.labels == fine.test.labels && noisy.test.images != fine.test.images)
        // OOD tasks test on the target's ID test split.
        let digits = try makeTask(.digits, dataDirectory: directory, seed: 4)
        let crossed = try makeTask(.mnist5kToDigits, dataDirectory: directory, seed: 4)
        #expect(crossed.test.images == digits.test.images && crossed.test.labels == digits.test.labels)
        // Fixed by the seed.
        #expect(try makeTask(.fmnistRotated, dataDirectory: directory, seed: 4).test.images == rotated.test.images)
        #expect(try makeTask(.fmnist, dataDirectory: directory, seed: 5).test.labels != fine.test.labels)
        // The MNIST-5k shifts: an ID shift transforms both splits, an OOD one only the test split,
        // and both test on the same shifted images (deterministic shifts) with mnist5k's labels.
        let mnist = try makeTask(.mnist5k, dataDirectory: directory, seed: 4)
        for shift in DigitShift.allCases {
            let id = try makeTask(DownstreamTask(name: "mnist5k-\(shift.rawValue)"), dataDirectory: directory, seed: 4)
            let ood = try makeTask(DownstreamTask(name: "mnist5k->mnist5k-\(shift.rawValue)"), dataDirectory: directory, seed: 4)
            #expect(id.train.labels == mnist.train.labels && id.test.labels == mnist.test.labels, "\(shift)")
            #expect(id.train.images != mnist.train.images && id.test.images != mnist.test.images, "\(shift)")
            #expect(ood.train.images == mnist.train.images && ood.test.labels == mnist.test.labels, "\(shift)")
            #expect(ood.test.images != mnist.test.images, "\(shift)")
            if shift != .rotated && shift != .noisy { #expect(ood.test.images == id.test.images, "\(shift)") }
            #expect(id.test.images.elements.allSatisfy { $0 >= 0 && $0 <= 1 }, "\(shift)")
            #expect(id.domain == .transfer && ood.kind == .ood)
        }
        // Splits of the same seed are disjoint: no test image of fmnist is a train image.
        let trainRows = Set((0..<fine.train.count).map { fine.train.images.row($0) })
        #expect((0..<fine.test.count).filter { trainRows.contains(fine.test.images.row($0)) }.count <= 2,
                "Fashion-MNIST test has a few duplicate images, no more")
    }

    @Test func unknownTaskNamesListTheValidOnes() {
        #expect(throws: DataError(.unknownName, "unknown task 'cifar10'; the tasks are: " + DownstreamTask.allCases.map(\.name).joined(separator: ", "))) {
            try makeTask("cifar10", dataDirectory: directory, seed: 0)
        }
    }
}

@Suite struct DataTaskNameTests {
    @Test func namesAndKinds() throws {
        #expect(try DownstreamTask(name: "digits->mnist5k") == .digitsToMnist5k)
        #expect(DownstreamTask.allCases.filter { $0.kind == .id && $0.domain == .source }.map(\.name) == ["fmnist", "fmnist-coarse"])
        #expect(DownstreamTask.allCases.filter { $0.kind == .ood && $0.domain == .source }.map(\.name)
                == ["fmnist->fmnist-rotated", "fmnist->fmnist-noisy"])
        #expect(DownstreamTask.allCases.filter { $0.kind == .id && $0.domain == .transfer }.count == 8)
        #expect(DownstreamTask.allCases.filter { $0.kind == .ood && $0.domain == .transfer }.count == 8)
        #expect(DownstreamTask.mnist5kToBlur.digitShift == .blur && DownstreamTask.digitsToMnist5k.digitShift == nil)
        #expect(throws: DataError.self) { try DownstreamTask(name: "fmnist-rotated") }
        let missing = try TestFiles.directory()
        #expect(throws: DataError(.missingFile, "data file is missing; run `nmsweep data fetch --data-dir \(missing)`",
                                  path: missing + "/" + DataCatalog.FileName.digits)) {
            try makeTask("digits", dataDirectory: missing, seed: 0)
        }
    }
}

/// The default data folder, and whether it holds the pinned data.
enum RealData {
    static let directory = DataCatalog.defaultDirectory()
    static let available: Bool = (try? DataStore.verify(directory)) != nil
    static var skipReason: Comment {
        "no verified data in \(directory): run `make data` (or `nmsweep data fetch`) to run these tests"
    }
}
