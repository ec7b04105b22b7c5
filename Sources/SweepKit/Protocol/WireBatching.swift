/// How a list-carrying message (assign, result) is split so that every frame fits the caps a
/// receiver checks: at most `maxCount` elements, and the whole frame (header, count, elements)
/// at most ``WireFormat/maxFrameBytes``, the receiver's `ZMQ_MAXMSGSIZE`.
///
/// Senders never wait for a batch to fill: they send what is ready, split only where a cap says so.
public enum WireBatching {
    /// The bytes a list message spends besides its elements: the header and the u32 count.
    public static let listOverheadBytes = WireFormat.headerBytes + 4

    /// Consecutive ranges of `sizes` (each element's encoded bytes, in sending order), each a
    /// frame's worth under the caps; an element too large for any frame gets a range of its own
    /// (its encoder then refuses it by name).
    ///
    /// Cost: O(count).
    public static func frames(sizes: some Collection<Int>, maxCount: Int) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var start = 0
        var count = 0
        var bytes = listOverheadBytes
        for size in sizes {
            if count > 0, count == maxCount || bytes + size > WireFormat.maxFrameBytes {
                ranges.append(start..<(start + count))
                start += count
                count = 0
                bytes = listOverheadBytes
            }
            count += 1
            bytes += size
        }
        if count > 0 { ranges.append(start..<(start + count)) }
        return ranges
    }
}
