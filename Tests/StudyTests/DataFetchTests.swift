import NoisyCore
import Testing
import StudyData

@Suite struct DataFetchTests {
    static let sample = Array("pinned bytes\n".utf8)

    /// A spec of a file from a Debian package path (the fetcher copies it from there).
    static func spec(_ name: String, sha256: String, path: String = "/nonexistent/file") -> DataFileSpec {
        DataFileSpec(name: name, sha256: sha256, size: 0, source: .debianPackage(package: "nmsweep-test-none", path: path))
    }

    @Test func verifyNamesMissingAndChangedFilesWithBothHashes() throws {
        let directory = try TestFiles.directory()
        let good = SHA256.hash(Self.sample).hex
        let files = [
            Self.spec("a.bin", sha256: good),
            Self.spec("b.bin", sha256: good),
            Self.spec("c.bin", sha256: good),
        ]
        try FileBytes.write(Self.sample, to: directory + "/a.bin")
        try FileBytes.write(Self.sample + [0], to: directory + "/b.bin")
        let statuses = DataStore.check(directory, files: files)
        let changed = SHA256.hash(Self.sample + [0]).hex
        #expect(statuses.map(\.state) == [.verified, .mismatch(actual: changed), .missing])
        do {
            try DataStore.verify(directory, files: files)
            Issue.record("verify accepted a changed and a missing file")
        } catch let error as DataError {
            #expect(error.code == .hashMismatch)
            #expect(error.message.contains("\(directory)/b.bin has SHA-256 \(changed), expected \(good)"))
            #expect(error.message.contains("\(directory)/c.bin is missing"))
            #expect(!error.message.contains("a.bin"))
        }
    }

    @Test func manifestIsSha256sumFormat() throws {
        let text = DataStore.manifest()
        let parsed = try DataStore.parseManifest(text)
        #expect(parsed.count == DataCatalog.files.count)
        for spec in DataCatalog.files { #expect(parsed[spec.name] == spec.sha256) }
        #expect(throws: DataError.self) { try DataStore.parseManifest("nothex  file\n") }
    }

    @Test func pinnedCatalogueIsWellFormed() {
        #expect(Set(DataCatalog.files.map(\.name)).count == DataCatalog.files.count)
        #expect(DataCatalog.files.allSatisfy { SHA256Digest(hex: $0.sha256)?.hex == $0.sha256 })
        #expect(DataCatalog.defaultDirectory(environment: ["NMSWEEP_DATA_DIR": "/d", "HOME": "/h"]) == "/d")
        #expect(DataCatalog.defaultDirectory(environment: ["XDG_CACHE_HOME": "/c", "HOME": "/h"]) == "/c/nmsweep/data")
        #expect(DataCatalog.defaultDirectory(environment: ["NMSWEEP_DATA_DIR": "", "HOME": "/h"]) == "/h/.cache/nmsweep/data")
    }

    /// A Debian-sourced file is copied, verified and recorded; a second run does nothing; a file
    /// changed on disk is fetched again; a wrong pin is a hash-mismatch error naming both hashes.
    @Test(.enabled(if: FileBytes.isFile(DataCatalog.fashionMNISTDirectory + "/t10k-labels-idx1-ubyte.gz"), "dataset-fashion-mnist is not installed"))
    func fetchCopiesVerifiesAndIsIdempotent() throws {
        let source = DataCatalog.fashionMNISTDirectory + "/t10k-labels-idx1-ubyte.gz"
        let pinned = try #require(DataCatalog.spec(named: DataCatalog.FileName.fashionTestLabels))
        let directory = try TestFiles.directory() + "/nested/data"
        let fetcher = DataFetcher(directory: directory, files: [pinned])
        #expect(try fetcher.fetch().map(\.action) == [.fetched])
        #expect(try FileBytes.read(directory + "/" + pinned.name) == FileBytes.read(source))
        #expect(try DataStore.parseManifest(String(decoding: FileBytes.read(directory + "/MANIFEST.sha256"), as: UTF8.self)) == [pinned.name: pinned.sha256])
        #expect(try fetcher.fetch().map(\.action) == [.present])
        try FileBytes.write([1, 2, 3], to: directory + "/" + pinned.name)
        #expect(try fetcher.fetch().map(\.action) == [.fetched])
        try DataStore.verify(directory, files: [pinned])

        let wrongPin = Self.spec("labels.gz", sha256: String(repeating: "0", count: 64), path: source)
        do {
            try DataFetcher(directory: directory, files: [wrongPin]).fetch()
            Issue.record("a file with the wrong pin was accepted")
        } catch let error as DataError {
            #expect(error.code == .hashMismatch)
            #expect(error.message.contains(pinned.sha256) && error.message.contains(String(repeating: "0", count: 64)))
        }
    }

    @Test(.enabled(if: RealData.available, RealData.skipReason))
    func secondFetchOfTheRealDataOnlyVerifies() throws {
        let results = try DataFetcher(directory: RealData.directory).fetch()
        #expect(results.count == DataCatalog.files.count && results.allSatisfy { $0.action == .present })
    }
}
