/// The channels, height and width of one image, flattened NCHW into a matrix row.
public struct ImageShape: Sendable, Hashable, Codable, CustomStringConvertible {
    public var channels: Int
    public var height: Int
    public var width: Int

    /// Sizes are not checked here (data readers build shapes from file headers and report bad
    /// ones as data errors); layers check that their input shape is positive.
    public init(channels: Int = 1, height: Int, width: Int) {
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
