import Foundation

/// A first-in first-out queue between threads: producers ``push(_:)`` and never wait; a consumer
/// either blocks in ``pop()`` until an element arrives or takes everything queued at once with
/// ``popAll()``. The worker's slot threads take their jobs from one and hand their outcomes back
/// through another.
///
/// Cost: push and pop are O(1) amortised (the storage is compacted once the consumed prefix is
/// half of it); ``popAll()`` is O(elements taken).
///
/// `@unchecked Sendable`: the storage is touched only under `condition`'s lock.
public final class BlockingQueue<Element: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var elements: [Element] = []
    private var head = 0

    public init() {}

    /// Elements queued now.
    public var count: Int {
        condition.lock()
        defer { condition.unlock() }
        return elements.count - head
    }

    /// Appends `element` and wakes one waiting ``pop()``.
    public func push(_ element: Element) {
        condition.lock()
        elements.append(element)
        condition.signal()
        condition.unlock()
    }

    /// The oldest element, waiting for one while the queue is empty.
    public func pop() -> Element {
        condition.lock()
        defer { condition.unlock() }
        while head == elements.count { condition.wait() }
        let element = elements[head]
        head += 1
        if head == elements.count {
            elements.removeAll(keepingCapacity: true)
            head = 0
        } else if head * 2 >= elements.count {
            elements.removeFirst(head)
            head = 0
        }
        return element
    }

    /// Everything queued, oldest first, without waiting (empty when nothing is queued).
    public func popAll() -> [Element] {
        condition.lock()
        defer { condition.unlock() }
        let taken = Array(elements[head...])
        elements.removeAll(keepingCapacity: true)
        head = 0
        return taken
    }
}
