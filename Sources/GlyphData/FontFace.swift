import CFreeType
import Foundation
import NoisyCore

/// One face of a font file, opened with its own FreeType library instance.
///
/// Not thread-safe (FreeType faces are not): a face is owned by one renderer on one thread and
/// freed in `deinit`. Each face has its own `FT_Library`, so two threads rendering different faces
/// share no FreeType state.
final class FontFace {
    private var library: FT_Library?
    private var face: FT_Face?
    /// The file the face was read from (for messages).
    let path: String

    /// Opens face 0 of the font file at `path` (the first face of a collection) at `emPixels`
    /// pixels per em, unhinted.
    /// - Throws: ``DataError`` `.corrupt` naming the file when FreeType cannot read it.
    init(path: String, emPixels: Int) throws {
        self.path = path
        guard FT_Init_FreeType(&library) == 0, let library else {
            throw DataError(.io, "FreeType could not be initialised", path: path)
        }
        let opened = FT_New_Face(library, path, 0, &face)
        guard opened == 0, let face else {
            FT_Done_FreeType(library)
            self.library = nil
            throw DataError(.corrupt, "FreeType cannot read this font file (error \(opened))", path: path)
        }
        guard FT_Set_Pixel_Sizes(face, 0, FT_UInt(emPixels)) == 0 else {
            throw DataError(.corrupt, "FreeType cannot scale this font to \(emPixels) pixels per em", path: path)
        }
    }

    deinit {
        if let face { FT_Done_Face(face) }
        if let library { FT_Done_FreeType(library) }
    }

    /// The glyph index of `scalar`, nil when the font does not draw it.
    func glyphIndex(_ scalar: Unicode.Scalar) -> UInt32? {
        let index = FT_Get_Char_Index(face, FT_ULong(scalar.value))
        return index == 0 ? nil : UInt32(index)
    }

    /// The scalars of `range` the font draws.
    func covered(_ range: ClosedRange<UInt32>) -> Set<UInt32> {
        Set(range.filter { Unicode.Scalar($0).flatMap(glyphIndex) != nil })
    }

    /// Draws `scalar` into a `side`×`side` grey image (row-major, 0 = background, 255 = ink):
    /// the outline emboldened by `pose.stroke` pixels, its bounding box centred on the origin,
    /// rotated and scaled by `pose`, then moved to the image centre plus `pose`'s shift.
    ///
    /// Integer arithmetic only after `pose` is rounded to FreeType's fixed-point units, so the
    /// same FreeType version gives the same bytes on every machine.
    /// - Throws: ``DataError`` `.invalidArgument` when the font has no outline for `scalar`.
    func render(_ scalar: Unicode.Scalar, pose: GlyphPose, side: Int) throws -> [UInt8] {
        guard let face, let index = glyphIndex(scalar) else {
            throw DataError(.invalidArgument, "the font does not draw U+\(String(scalar.value, radix: 16, uppercase: true))", path: path)
        }
        let loadFlags = FT_Int32(FT_LOAD_NO_BITMAP | FT_LOAD_NO_HINTING)
        guard FT_Load_Glyph(face, index, loadFlags) == 0, let slot = face.pointee.glyph,
              slot.pointee.format == FT_GLYPH_FORMAT_OUTLINE else {
            throw DataError(.corrupt, "FreeType cannot load an outline for U+\(String(scalar.value, radix: 16, uppercase: true))", path: path)
        }
        var pixels = [UInt8](repeating: 0, count: side * side)
        withUnsafeMutablePointer(to: &slot.pointee.outline) { outline in
            let strength = FT_Pos((pose.stroke * 64).rounded())
            if strength != 0 { FT_Outline_Embolden(outline, strength) }
            var box = FT_BBox()
            FT_Outline_Get_CBox(outline, &box)
            FT_Outline_Translate(outline, -(box.xMin + box.xMax) / 2, -(box.yMin + box.yMax) / 2)
            let radians = pose.rotationDegrees * .pi / 180
            func fixed(_ value: Double) -> FT_Fixed { FT_Fixed((value * 65_536).rounded()) }
            var matrix = FT_Matrix(xx: fixed(cos(radians) * pose.scale), xy: fixed(-sin(radians) * pose.scale),
                                   yx: fixed(sin(radians) * pose.scale), yy: fixed(cos(radians) * pose.scale))
            FT_Outline_Transform(outline, &matrix)
            // FreeType's y axis points up and the bitmap's first row is its top: a positive
            // `shiftY` moves the glyph down the image.
            let centre = FT_Pos(side * 32)
            FT_Outline_Translate(outline, centre + FT_Pos((pose.shiftX * 64).rounded()), centre - FT_Pos((pose.shiftY * 64).rounded()))
            pixels.withUnsafeMutableBufferPointer { buffer in
                var bitmap = FT_Bitmap()
                bitmap.rows = UInt32(side)
                bitmap.width = UInt32(side)
                bitmap.pitch = Int32(side)
                bitmap.buffer = buffer.baseAddress
                bitmap.num_grays = 256
                bitmap.pixel_mode = UInt8(FT_PIXEL_MODE_GRAY.rawValue)
                _ = FT_Outline_Get_Bitmap(library, outline, &bitmap)
            }
        }
        return pixels
    }

    /// The FreeType version this process renders with (`major.minor.patch`).
    static var freeTypeVersion: String {
        var library: FT_Library?
        guard FT_Init_FreeType(&library) == 0, let library else { return "unknown" }
        defer { FT_Done_FreeType(library) }
        var major: FT_Int = 0, minor: FT_Int = 0, patch: FT_Int = 0
        FT_Library_Version(library, &major, &minor, &patch)
        return "\(major).\(minor).\(patch)"
    }
}
