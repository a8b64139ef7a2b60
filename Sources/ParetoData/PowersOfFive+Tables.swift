/// The generated tables of `PowersOfFive` copied once into raw memory, so
/// the number parser reads them without bounds checks in its hot path.
extension PowersOfFive {
    struct Tables: @unchecked Sendable {
        let high: UnsafePointer<UInt64>
        let low: UnsafePointer<UInt64>
        let exponent: UnsafePointer<Int16>
    }

    /// Built on first use and kept for the life of the process.
    static let tables: Tables = {
        func copy<T>(_ values: [T]) -> UnsafePointer<T> {
            let memory = UnsafeMutablePointer<T>.allocate(capacity: values.count)
            memory.initialize(from: values, count: values.count)
            return UnsafePointer(memory)
        }
        return Tables(high: copy(high), low: copy(low), exponent: copy(binaryExponent))
    }()
}
