import NoisyCore

/// Where and how one glyph is drawn: the seeded jitter of a rendered image.
struct GlyphPose: Hashable, Sendable {
    /// Shift from the image centre, pixels (x right, y down).
    var shiftX: Double
    var shiftY: Double
    /// Multiplier of the font's size.
    var scale: Double
    /// Counter-clockwise rotation, degrees.
    var rotationDegrees: Double
    /// Pixels added to the stroke width (FreeType's emboldening; 0 = the font's own).
    var stroke: Double

    /// The pose of no jitter.
    static let upright = GlyphPose(shiftX: 0, shiftY: 0, scale: 1, rotationDegrees: 0, stroke: 0)
}

/// The ranges a pose is drawn from, uniform and independent (docs/data.md, "Glyphs").
struct GlyphJitter: Hashable, Sendable {
    /// Shift in ± this many pixels on each axis.
    var maxShift: Double
    /// Scale uniform in this range.
    var scale: ClosedRange<Double>
    /// Rotation in ± this many degrees.
    var maxRotationDegrees: Double
    /// Added stroke width uniform in this range, pixels.
    var stroke: ClosedRange<Double>

    /// A pose drawn from `random` (five draws, in the order of ``GlyphPose``'s fields).
    func pose(_ random: inout RandomStream) -> GlyphPose {
        func uniform(_ lower: Double, _ upper: Double) -> Double { lower + (upper - lower) * random.nextDouble() }
        return GlyphPose(shiftX: uniform(-maxShift, maxShift), shiftY: uniform(-maxShift, maxShift),
                         scale: uniform(scale.lowerBound, scale.upperBound),
                         rotationDegrees: uniform(-maxRotationDegrees, maxRotationDegrees),
                         stroke: uniform(stroke.lowerBound, stroke.upperBound))
    }
}
