/// The channels, height and width of one image, flattened NCHW into a matrix row.
public struct ImageShape: Sendable, Hashable, CustomStringConvertible {
    public var channels: Int
    public var height: Int
    public var width: Int

    public init(channels: Int, height: Int, width: Int) {
        precondition(channels > 0 && height > 0 && width > 0, "ImageShape needs positive sizes, got \(channels)×\(height)×\(width)")
        self.channels = channels
        self.height = height
        self.width = width
    }

    /// `channels · height · width`: the length of one row.
    public var count: Int { channels * height * width }

    /// Pixels per channel, `height · width`.
    public var planeSize: Int { height * width }

    public var description: String { "\(channels)×\(height)×\(width)" }
}
