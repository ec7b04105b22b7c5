import Foundation
public import NoisyCore
import StudyData

/// A rendered glyph set: labelled 8-bit grey images in parts (train, test), with one canonical
/// byte form whose SHA-256 names the set.
///
/// Byte form (little-endian): `NMGLYPH1`, then u32 class count, u32 side, u32 part count P, P ×
/// u32 images per part, then every label (u16) and every image (side² bytes, row-major, 0 =
/// background), parts in order.
public struct GlyphSet: Sendable, Equatable {
    public let classCount: Int
    public let side: Int
    /// Images in each part, in order.
    public let partCounts: [Int]
    /// One label per image, parts in order.
    public let labels: [UInt16]
    /// `side`² bytes per image.
    public let pixels: [UInt8]

    static let magic = Array("NMGLYPH1".utf8)

    /// The canonical bytes (what ``sha256`` hashes).
    public var bytes: [UInt8] {
        var out = Self.magic
        func u32(_ value: Int) { withUnsafeBytes(of: UInt32(value).littleEndian) { out += $0 } }
        u32(classCount)
        u32(side)
        u32(partCounts.count)
        partCounts.forEach(u32)
        out.reserveCapacity(out.count + labels.count * 2 + pixels.count)
        for label in labels { withUnsafeBytes(of: label.littleEndian) { out += $0 } }
        out += pixels
        return out
    }

    /// SHA-256 of ``bytes``, lowercase hex.
    public var sha256: String { SHA256.hash(bytes).hex }

    /// Part `index` as a data set of pixels in [0, 1] (byte / 255), named `name`.
    public func dataset(part index: Int, name: String) throws -> Dataset {
        let start = partCounts[..<index].reduce(0, +), count = partCounts[index], area = side * side
        var images = Matrix(rows: count, cols: area)
        pixels.withUnsafeBufferPointer { source in
            images.withUnsafeMutableBufferPointer { target in
                for i in 0..<count * area { target[i] = Float(source[start * area + i]) / 255 }
            }
        }
        return try Dataset(name: name, images: images, labels: labels[start..<start + count].map(Int.init),
                           classCount: classCount, shape: ImageShape(height: side, width: side))
    }
}
