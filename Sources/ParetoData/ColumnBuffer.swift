/// The contiguous storage behind one column: a zero-based view of a shared,
/// copy-on-write array.
///
/// Slicing shares the parent's memory (no copy until one side writes), which
/// makes `DataFrame.rows(_:)` on a range cheap. Indexing is always from 0,
/// whatever part of the parent the view covers.
public struct ColumnBuffer<Element: Sendable>: Sendable, RandomAccessCollection {
    @usableFromInline var storage: ArraySlice<Element>

    /// Wraps `elements` without copying.
    @inlinable public init(_ elements: [Element]) { storage = elements[...] }

    /// A buffer of `count` copies of `value`.
    @inlinable public init(repeating value: Element, count: Int) {
        storage = ArraySlice(repeating: value, count: count)
    }

    @inlinable init(slice: ArraySlice<Element>) { storage = slice }

    @inlinable public var startIndex: Int { 0 }
    @inlinable public var endIndex: Int { storage.count }

    /// Element `index`, counted from 0.
    @inlinable public subscript(index: Int) -> Element {
        get { storage[storage.startIndex + index] }
        set { storage[storage.startIndex + index] = newValue }
    }

    /// Calls `body` with the elements as one contiguous buffer (no copy).
    @inlinable
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Element>) throws -> R) rethrows -> R {
        try storage.withUnsafeBufferPointer(body)
    }

    /// The elements in `range` (0-based), sharing this buffer's memory.
    @inlinable public func slice(_ range: Range<Int>) -> ColumnBuffer<Element> {
        let base = storage.startIndex
        return ColumnBuffer(slice: storage[(base + range.lowerBound)..<(base + range.upperBound)])
    }

    /// The elements at `indices`, in that order (a copy).
    @inlinable public func take(_ indices: [Int]) -> ColumnBuffer<Element> {
        storage.withUnsafeBufferPointer { source in
            indices.withUnsafeBufferPointer { rows in
                // One sequential check of the indices, then a plain gather
                // into uninitialized memory, with no per-element bounds checks.
                var outside = false
                for row in rows { outside = outside || UInt(bitPattern: row) >= UInt(source.count) }
                precondition(!outside, "row index out of bounds")
                return ColumnBuffer(Array(unsafeUninitializedCapacity: rows.count) { out, initialized in
                    let base = source.baseAddress!, target = out.baseAddress!
                    for i in 0..<rows.count { (target + i).initialize(to: base[rows[i]]) }
                    initialized = rows.count
                })
            }
        }
    }

    /// The elements as a standalone array (a copy only if this is a slice).
    @inlinable public var array: [Element] { Array(storage) }
}

extension ColumnBuffer: Equatable where Element: Equatable {
    @inlinable public static func == (lhs: ColumnBuffer, rhs: ColumnBuffer) -> Bool {
        lhs.storage.elementsEqual(rhs.storage)
    }
}
