/// A FIFO of cell indices: an array and a head index, compacted when the consumed prefix is more
/// than half of it. Push and pop are amortised O(1); 4 bytes per entry.
struct IndexQueue {
    private var items: [Int32] = []
    private var head = 0

    var isEmpty: Bool { head == items.count }
    var count: Int { items.count - head }
    var first: Int32? { head < items.count ? items[head] : nil }

    mutating func push(_ index: Int32) { items.append(index) }

    mutating func popFirst() -> Int32? {
        guard head < items.count else { return nil }
        let index = items[head]
        head += 1
        if head == items.count {
            items.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 4_096, head * 2 >= items.count {
            items.removeFirst(head)
            head = 0
        }
        return index
    }
}
