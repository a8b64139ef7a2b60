import ParetoCore

/// Class weights for imbalanced classification: the alternative to
/// resampling that keeps every row and reweights them instead.
public enum ClassWeights {
    /// scikit-learn's `"balanced"` weights, n / (classes × n_c) per class, so
    /// that every class carries the same total weight; a class with no rows
    /// gets 0.
    ///
    /// Cost: one pass over `labels`.
    /// - Parameters:
    ///   - labels: class indices `0..<classCount` (as whole `Double`s).
    /// - Precondition: every label is in `0..<classCount`.
    public static func balanced(labels: [Double], classCount: Int) -> [Double] {
        var counts = [Double](repeating: 0, count: classCount)
        for y in labels { counts[Int(y)] += 1 }
        return counts.map { $0 > 0 ? Double(labels.count) / (Double(classCount) * $0) : 0 }
    }

    /// One weight per row of `frame`: the balanced weight of its class in
    /// column `target` (0 for rows whose target is missing).
    ///
    /// - Throws: `UsageError` for an unknown column or a target with fewer than 2 classes.
    public static func balancedRowWeights(_ frame: DataFrame, target: String) throws -> [Double] {
        let classes = try frame.classEncoding(target)
        guard classes.labels.count >= 2 else {
            throw UsageError("the target \"\(target)\" has \(classes.labels.count) class(es); class weights need 2 or more")
        }
        let present = classes.codes.filter { $0 >= 0 }.map(Double.init)
        let perClass = balanced(labels: present, classCount: classes.labels.count)
        return classes.codes.map { $0 >= 0 ? perClass[$0] : 0 }
    }
}
