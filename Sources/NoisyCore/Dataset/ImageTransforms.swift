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

/// Per-image pixel-neighbourhood transforms that make the study's style shifts (docs/data.md,
/// "The task suite"). Each works on one `height × width` plane, treats what lies outside the image
/// as 0 (background), and is a pure function of its inputs.
extension ImageTransforms {
    /// Grey-level dilation: each output pixel is the maximum over the (2r+1)×(2r+1) square around
    /// it, which thickens strokes by r pixels on every side. Cost O(h·w·(2r+1)) (separable).
    public static func dilate(
        _ source: UnsafePointer<Float>, height: Int, width: Int,
        into target: UnsafeMutablePointer<Float>, radius: Int
    ) {
        var rows = [Float](repeating: 0, count: height * width)
        for y in 0..<height {
            for x in 0..<width {
                var m: Float = 0
                for dx in max(0, x - radius)...min(width - 1, x + radius) { m = max(m, source[y * width + dx]) }
                rows[y * width + x] = m
            }
        }
        for y in 0..<height {
            for x in 0..<width {
                var m: Float = 0
                for dy in max(0, y - radius)...min(height - 1, y + radius) { m = max(m, rows[dy * width + x]) }
                target[y * width + x] = m
            }
        }
    }

    /// Gaussian blur with standard deviation `sigma` pixels: a separable kernel of radius
    /// ⌈3σ⌉, normalised to sum 1, zero outside the image (the background), so ink spreads and
    /// fades. `sigma` 0 copies. Cost O(h·w·(2⌈3σ⌉+1)).
    public static func gaussianBlur(
        _ source: UnsafePointer<Float>, height: Int, width: Int,
        into target: UnsafeMutablePointer<Float>, sigma: Double
    ) {
        guard sigma > 0 else {
            target.update(from: source, count: height * width)
            return
        }
        let radius = Int((3 * sigma).rounded(.up))
        var kernel = (-radius...radius).map { Float(exp(-Double($0 * $0) / (2 * sigma * sigma))) }
        let total = kernel.reduce(0, +)
        kernel = kernel.map { $0 / total }
        var rows = [Float](repeating: 0, count: height * width)
        for y in 0..<height {
            for x in 0..<width {
                var s: Float = 0
                for k in -radius...radius where x + k >= 0 && x + k < width { s += kernel[k + radius] * source[y * width + x + k] }
                rows[y * width + x] = s
            }
        }
        for y in 0..<height {
            for x in 0..<width {
                var s: Float = 0
                for k in -radius...radius where y + k >= 0 && y + k < height { s += kernel[k + radius] * rows[(y + k) * width + x] }
                target[y * width + x] = s
            }
        }
    }

    /// Resolution loss: each `factor × factor` block replaced by its mean (area downsampling to
    /// (h/factor)×(w/factor)), then resized back bilinearly (``resizeBilinear``), so the image keeps
    /// its size and loses detail. `height` and `width` must be multiples of `factor`.
    public static func pixelate(
        _ source: UnsafePointer<Float>, height: Int, width: Int,
        into target: UnsafeMutablePointer<Float>, factor: Int
    ) {
        precondition(factor >= 1 && height % factor == 0 && width % factor == 0, "pixelate \(height)×\(width) by \(factor)")
        let h = height / factor, w = width / factor
        var small = [Float](repeating: 0, count: h * w)
        let scale = 1 / Float(factor * factor)
        for y in 0..<h {
            for x in 0..<w {
                var s: Float = 0
                for dy in 0..<factor {
                    for dx in 0..<factor { s += source[(y * factor + dy) * width + x * factor + dx] }
                }
                small[y * w + x] = s * scale
            }
        }
        small.withUnsafeBufferPointer { resizeBilinear($0.baseAddress!, height: h, width: w, into: target, height: height, width: width) }
    }

    /// Places a `height × width` image into an `outSide × outSide` frame as MNIST's digits were
    /// made: resized bilinearly (aspect kept) so its longer side is `box` pixels, pasted in the
    /// middle of a zero frame; with `centreOfMass`, then shifted by whole pixels so the ink's centre
    /// of mass sits at the frame's centre, to within half a pixel (MNIST: 20×20 box, 28×28 frame,
    /// mass-centred). A shift never moves ink out of the frame: it is limited so that every inked
    /// pixel stays inside (only then is the centre of mass off by more than half a pixel).
    public static func placeInFrame(
        _ source: UnsafePointer<Float>, height: Int, width: Int,
        into target: UnsafeMutablePointer<Float>, box: Int, frame outSide: Int, centreOfMass: Bool
    ) {
        precondition(box >= 1 && box <= outSide, "box \(box) must fit the \(outSide)-pixel frame")
        let scale = Double(box) / Double(max(height, width))
        let bh = max(1, Int((Double(height) * scale).rounded())), bw = max(1, Int((Double(width) * scale).rounded()))
        var resized = [Float](repeating: 0, count: bh * bw)
        resized.withUnsafeMutableBufferPointer { resizeBilinear(source, height: height, width: width, into: $0.baseAddress!, height: bh, width: bw) }
        var top = (outSide - bh) / 2, left = (outSide - bw) / 2
        if centreOfMass {
            var mass: Double = 0, my: Double = 0, mx: Double = 0
            var inkTop = bh, inkBottom = -1, inkLeft = bw, inkRight = -1
            for y in 0..<bh {
                for x in 0..<bw {
                    let v = Double(resized[y * bw + x])
                    guard v != 0 else { continue }
                    mass += v
                    my += v * Double(y)
                    mx += v * Double(x)
                    inkTop = min(inkTop, y); inkBottom = max(inkBottom, y)
                    inkLeft = min(inkLeft, x); inkRight = max(inkRight, x)
                }
            }
            if mass > 0 {
                let centre = Double(outSide - 1) / 2
                let wantTop = Int((centre - my / mass).rounded()), wantLeft = Int((centre - mx / mass).rounded())
                // Clamped so that every inked pixel stays inside the frame.
                top = min(max(wantTop, -inkTop), outSide - 1 - inkBottom)
                left = min(max(wantLeft, -inkLeft), outSide - 1 - inkRight)
            }
        }
        target.update(repeating: 0, count: outSide * outSide)
        for y in 0..<bh where top + y >= 0 && top + y < outSide {
            for x in 0..<bw where left + x >= 0 && left + x < outSide {
                target[(top + y) * outSide + left + x] = resized[y * bw + x]
            }
        }
    }
}
