import Foundation

/// Per-image geometric transforms on single-channel planes of `Float` pixels.
///
/// Both use bilinear interpolation with pixel centres at integer coordinates, and are pure
/// functions of their inputs: no randomness, so callers decide the angle or size.
public enum ImageTransforms {
    /// Resizes an `inHeight × inWidth` plane to `outHeight × outWidth`, bilinearly.
    ///
    /// Half-pixel-centre convention (as PIL, OpenCV and `torch…interpolate(align_corners=False)`):
    /// output pixel x samples the input at (x + 0.5)·inWidth/outWidth − 0.5, clamped to the
    /// image, so a constant image stays constant and edges repeat. No anti-aliasing (meant for
    /// upscaling). Cost O(outHeight · outWidth).
    public static func resizeBilinear(
        _ source: UnsafePointer<Float>, height inHeight: Int, width inWidth: Int,
        into target: UnsafeMutablePointer<Float>, height outHeight: Int, width outWidth: Int
    ) {
        let scaleY = Double(inHeight) / Double(outHeight)
        let scaleX = Double(inWidth) / Double(outWidth)
        for y in 0..<outHeight {
            let sy = min(max((Double(y) + 0.5) * scaleY - 0.5, 0), Double(inHeight - 1))
            let y0 = Int(sy), y1 = min(y0 + 1, inHeight - 1)
            let fy = Float(sy - Double(y0))
            for x in 0..<outWidth {
                let sx = min(max((Double(x) + 0.5) * scaleX - 0.5, 0), Double(inWidth - 1))
                let x0 = Int(sx), x1 = min(x0 + 1, inWidth - 1)
                let fx = Float(sx - Double(x0))
                let top = source[y0 * inWidth + x0] * (1 - fx) + source[y0 * inWidth + x1] * fx
                let bottom = source[y1 * inWidth + x0] * (1 - fx) + source[y1 * inWidth + x1] * fx
                target[y * outWidth + x] = top * (1 - fy) + bottom * fy
            }
        }
    }

    /// Rotates a `height × width` plane by `degrees` counter-clockwise (as the image is viewed,
    /// row 0 at the top) about its centre ((width − 1)/2, (height − 1)/2), bilinearly, filling
    /// what comes from outside the image with 0.
    ///
    /// Source coordinates within 1e-9 of an integer are snapped to it, so rotations by multiples
    /// of 90° move pixels exactly. Cost O(height · width).
    public static func rotateBilinear(
        _ source: UnsafePointer<Float>, height: Int, width: Int,
        into target: UnsafeMutablePointer<Float>, degrees: Double
    ) {
        let radians = degrees * Double.pi / 180
        let c = cos(radians), s = sin(radians)
        let cx = Double(width - 1) / 2, cy = Double(height - 1) / 2
        @inline(__always) func pixel(_ x: Int, _ y: Int) -> Float {
            x >= 0 && x < width && y >= 0 && y < height ? source[y * width + x] : 0
        }
        @inline(__always) func snap(_ v: Double) -> Double {
            let r = v.rounded()
            return abs(v - r) < 1e-9 ? r : v
        }
        for y in 0..<height {
            for x in 0..<width {
                // Output point in "up is positive" coordinates, rotated back by −θ to its source.
                let u = Double(x) - cx, v = cy - Double(y)
                let su = c * u + s * v
                let sv = -s * u + c * v
                let sx = snap(cx + su), sy = snap(cy - sv)
                let x0 = Int(sx.rounded(.down)), y0 = Int(sy.rounded(.down))
                let fx = Float(sx - Double(x0)), fy = Float(sy - Double(y0))
                let top = pixel(x0, y0) * (1 - fx) + pixel(x0 + 1, y0) * fx
                let bottom = pixel(x0, y0 + 1) * (1 - fx) + pixel(x0 + 1, y0 + 1) * fx
                target[y * width + x] = top * (1 - fy) + bottom * fy
            }
        }
    }
}
