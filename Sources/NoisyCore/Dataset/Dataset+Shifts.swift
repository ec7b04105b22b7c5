/// The style shifts of the task suite, applied to every image of a data set (docs/data.md,
/// "The task suite"). Deterministic: none draws random numbers.
extension Dataset {
    /// Strokes thickened by `radius` pixels (grey-level dilation, ``ImageTransforms/dilate``).
    public func dilated(radius: Int) -> Dataset {
        precondition(radius >= 0, "dilation radius must be ≥ 0, got \(radius)")
        return mapPlanes(outHeight: shape.height, outWidth: shape.width) { s, t in
            ImageTransforms.dilate(s, height: shape.height, width: shape.width, into: t, radius: radius)
        }
    }

    /// Gaussian blur of `sigma` pixels (``ImageTransforms/gaussianBlur``).
    public func blurred(sigma: Double) -> Dataset {
        precondition(sigma >= 0 && sigma.isFinite, "blur sigma must be finite and ≥ 0, got \(sigma)")
        return mapPlanes(outHeight: shape.height, outWidth: shape.width) { s, t in
            ImageTransforms.gaussianBlur(s, height: shape.height, width: shape.width, into: t, sigma: sigma)
        }
    }

    /// Every pixel v replaced by 1 − v: dark ink on a light background.
    public func inverted() -> Dataset {
        mapValues { 1 - $0 }
    }

    /// Detail lost to a `factor`-times lower resolution (``ImageTransforms/pixelate``).
    public func pixelated(factor: Int) -> Dataset {
        mapPlanes(outHeight: shape.height, outWidth: shape.width) { s, t in
            ImageTransforms.pixelate(s, height: shape.height, width: shape.width, into: t, factor: factor)
        }
    }

    /// Every image placed in a `frame × frame` canvas as MNIST was made: resized into a `box`-pixel
    /// box inside a zero border, optionally shifted so its centre of mass is the canvas centre
    /// (``ImageTransforms/placeInFrame``).
    public func placedInFrame(box: Int, frame: Int, centreOfMass: Bool) -> Dataset {
        mapPlanes(outHeight: frame, outWidth: frame) { s, t in
            ImageTransforms.placeInFrame(s, height: shape.height, width: shape.width, into: t, box: box, frame: frame,
                                         centreOfMass: centreOfMass)
        }
    }

    /// `body(source plane, target plane)` for each channel plane of each image.
    private func mapPlanes(outHeight: Int, outWidth: Int,
                           _ body: (UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> Void) -> Dataset {
        let newShape = ImageShape(channels: shape.channels, height: outHeight, width: outWidth)
        let inPlane = shape.height * shape.width, outPlane = outHeight * outWidth
        var out = Matrix(rows: count, cols: newShape.count)
        images.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer { target in
                guard let s = source.baseAddress, let t = target.baseAddress else { return }
                for plane in 0..<(count * shape.channels) { body(s + plane * inPlane, t + plane * outPlane) }
            }
        }
        return replacingImages(out, shape: newShape)
    }

    /// Every pixel value mapped by `transform`.
    private func mapValues(_ transform: (Float) -> Float) -> Dataset {
        var out = images
        out.withUnsafeMutableBufferPointer { values in
            for i in values.indices { values[i] = transform(values[i]) }
        }
        return replacingImages(out, shape: shape)
    }
}
