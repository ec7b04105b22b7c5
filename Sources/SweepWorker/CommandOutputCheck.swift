import Foundation
import NoisyCore
import StudyData
import SweepKit

/// The checks a command's output folder passes before it becomes an artifact: for every task,
/// the four NPY files of ``SweepKit/CommandSpec/outputFiles(task:)`` exist and are well formed —
/// features float32/float64 of shape (N, D) with N ≥ 1, labels an integer type of shape (N,) or
/// (N, 1) with class indices ≥ 0, the same N for a split's features and labels, the same D for
/// train and test. A failure names the file and what is wrong with it.
enum CommandOutputCheck {
    static func check(folder: String, tasks: [String]) throws {
        for task in tasks {
            let files = CommandSpec.outputFiles(task: task)
            var dimension: Int?
            for (featuresFile, labelsFile) in [(files.trainFeatures, files.trainLabels), (files.testFeatures, files.testLabels)] {
                let features = try read(folder, featuresFile, task: task)
                guard features.dtype.isFloat, features.shape.count == 2, features.shape[0] >= 1, features.shape[1] >= 1 else {
                    throw CommandOutputError(message: "\(featuresFile): features must be float32 or float64 of shape (N, D) with N, D ≥ 1, found \(features.dtype) \(features.shape)")
                }
                let labels = try read(folder, labelsFile, task: task)
                do {
                    _ = try labels.labels()
                } catch {
                    throw CommandOutputError(message: "\(labelsFile): \(error)")
                }
                guard labels.shape[0] == features.shape[0] else {
                    throw CommandOutputError(message: "\(labelsFile) has \(labels.shape[0]) labels, \(featuresFile) has \(features.shape[0]) rows")
                }
                if let dimension, dimension != features.shape[1] {
                    throw CommandOutputError(message: "\(featuresFile) has \(features.shape[1]) columns, the train features of '\(task)' have \(dimension)")
                }
                dimension = features.shape[1]
            }
        }
    }

    private static func read(_ folder: String, _ file: String, task: String) throws -> NPYArray {
        let path = folder + "/" + file
        guard FileManager.default.fileExists(atPath: path) else {
            throw CommandOutputError(message: "\(file) is missing (every task writes <task>/{train,test}_{features,labels}.npy under {out}; task '\(task)')")
        }
        do {
            return try NPYArray.read(path)
        } catch {
            throw CommandOutputError(message: "\(file) is not a readable NPY file: \(error)")
        }
    }
}

/// A command's output folder that fails ``CommandOutputCheck``.
struct CommandOutputError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
