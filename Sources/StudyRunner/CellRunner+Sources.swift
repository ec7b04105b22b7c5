import GlyphData
import NoisyCore
import StudyData

extension CellRunner {
    /// The pre-training data of `spec`: Fashion-MNIST train and test, or the rendered glyph set
    /// the spec names (checked against its SHA-256).
    func sourceData(_ spec: PretrainSpec) throws -> (train: Dataset, test: Dataset) {
        if let glyphs = spec.glyphs { return try GlyphSource.load(glyphs, dataDirectory: dataDirectory) }
        return (try Dataset.fashionMNIST(.train, dataDirectory: dataDirectory), try Dataset.fashionMNIST(.test, dataDirectory: dataDirectory))
    }

    /// The train and test splits of task `name`: a glyph task's (GlyphData) or one of StudyData's.
    func taskSplits(_ name: String, seed: UInt64, parameters: TaskParameters) throws -> (train: Dataset, test: Dataset) {
        if let task = GlyphTask.named(name) {
            if let problem = parameters.problem { throw DataError(.invalidArgument, "task parameters: \(problem)") }
            return try task.data(dataDirectory: dataDirectory, seed: seed, trainFraction: parameters.trainFraction)
        }
        let data = try makeTask(name, dataDirectory: dataDirectory, seed: seed, parameters: parameters)
        return (data.train, data.test)
    }
}
