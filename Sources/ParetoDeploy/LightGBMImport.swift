import ParetoCore
import ParetoData
import ParetoTrees

/// Reads LightGBM's text model format (`booster.save_model("model.txt")`)
/// into a Pareto model that predicts the same raw scores.
///
/// ```swift
/// let imported = try LightGBMModel(text: String(decoding: bytes, as: UTF8.self), path: "model.txt")
/// let model = try imported.tabularModel(target: "y")
/// ```
///
/// Supported: numeric splits with every missing-value rule (NaN missing,
/// none — NaN compares as 0 —, and zero-as-missing where the default side is
/// where 0 falls anyway), categorical splits (bitsets over non-negative
/// integer categories; negative, missing and unseen categories go right, as
/// in LightGBM), objectives binary (sigmoid 1), regression (L2), L1, Huber,
/// quantile, Poisson and multiclass (softmax), and random-forest models
/// (`average_output`). Refused with a clear error: linear trees, one-vs-all
/// multiclass, cross-entropy, zero-as-missing splits whose default side
/// differs from 0's, more than 65,534 thresholds or categories on a feature.
///
/// How it maps: a numeric feature's bins are the distinct thresholds its
/// splits use (bin k holds values up to the k-th threshold), so every split
/// is exactly "bin ≤ k"; a categorical feature's levels are "0", "1", …, the
/// largest category any split names, category v in bin v + 2 (bin 0 is
/// missing or unseen). Leaf values are LightGBM's (shrinkage included), and
/// the initial score is 0 (LightGBM folds it into the first trees).
///
/// Cost: one pass over the text; O(nodes + thresholds · log thresholds).
public struct LightGBMModel: Sendable {
    /// The trees, with their feature binning and names.
    public var model: GradientBoostedTrees
    /// Each feature's kind: categorical where LightGBM split categorically.
    public var featureKinds: [ColumnKind]
    /// Binary, multiclass or regression, from the objective.
    public var task: TaskKind

    /// Parses `text`; `path` names the source in errors.
    ///
    /// - Throws: `FileError` naming the line and field of malformed input
    ///   or an unsupported feature.
    public init(text: String, path: String) throws {
        var header: [String: String] = [:]
        var trees: [[String: String]] = []
        var current: [String: String]? = nil
        var lineNumber = 0
        func fail(_ message: String, line: Int? = nil, hint: String? = nil) -> FileError {
            FileError(path: path, line.map { "line \($0): " + message } ?? message, hint: hint)
        }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).makeIterator()
        var treeStartLine: [Int] = []
        while let raw = lines.next() {
            lineNumber += 1
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw[...]
            if line == "end of trees" { break }
            if line.isEmpty { continue }
            if line.hasPrefix("Tree=") {
                if let tree = current { trees.append(tree) }
                current = [:]
                treeStartLine.append(lineNumber)
                continue
            }
            guard let equals = line.firstIndex(of: "=") else {
                if lineNumber == 1 && line == "tree" { continue }
                throw fail("expected key=value, found \"\(line.prefix(40))\"", line: lineNumber,
                           hint: "pass a model saved by LightGBM's save_model (text format)")
            }
            let key = String(line[..<equals]), value = String(line[line.index(after: equals)...])
            if current != nil { current![key] = value } else { header[key] = value }
        }
        if let tree = current { trees.append(tree) }
        guard header["version"] != nil, let names = header["feature_names"] else {
            throw fail("this is not a LightGBM text model (no version or feature_names line)",
                       hint: "pass a model saved by LightGBM's save_model (text format)")
        }
        let featureNames = names.split(separator: " ").map(String.init)
        let outputs = Int(header["num_tree_per_iteration"] ?? header["num_class"] ?? "1") ?? 0
        guard outputs >= 1 else { throw fail("num_tree_per_iteration is not a positive whole number") }
        guard !trees.isEmpty else { throw fail("the model has no trees") }
        guard trees.count % outputs == 0 else {
            throw fail("\(trees.count) trees do not divide into rounds of \(outputs) (a truncated file?)")
        }

        // The objective.
        let objectiveText = header["objective"] ?? ""
        let objectiveWords = objectiveText.split(separator: " ").map(String.init)
        func parameter(_ name: String) -> Double? {
            objectiveWords.dropFirst().first { $0.hasPrefix(name + ":") }.flatMap { Double($0.dropFirst(name.count + 1)) }
        }
        let objective: BoostingObjective
        switch objectiveWords.first ?? "" {
        case "binary":
            guard (parameter("sigmoid") ?? 1) == 1 else {
                throw fail("binary objective with sigmoid \(parameter("sigmoid") ?? 1); only sigmoid:1 is supported")
            }
            objective = .binary
        case "regression", "regression_l2", "mean_squared_error", "mse", "l2", "rmse": objective = .regression
        case "regression_l1", "l1", "mae": objective = .l1
        case "huber": objective = .huber(delta: parameter("alpha") ?? 0.9)
        case "quantile": objective = .quantile(alpha: parameter("alpha") ?? 0.9)
        case "poisson": objective = .poisson
        case "multiclass", "softmax": objective = .multiclass(classes: outputs)
        case let other:
            throw fail("objective \"\(objectiveText)\" is not supported",
                       hint: "supported: binary, regression, regression_l1, huber, quantile, poisson, multiclass (\(other))")
        }
        let task: TaskKind = objective == .binary ? .binary : (outputs > 1 ? .multiclass : .regression)

        // Parse the trees' arrays.
        struct RawTree {
            var leaves = 1
            var splitFeature: [Int] = [], threshold: [Double] = [], decisionType: [Int] = []
            var left: [Int] = [], right: [Int] = [], gain: [Double] = []
            var leafValue: [Double] = [], leafCount: [Int] = []
            var catBoundaries: [Int] = [], catThreshold: [UInt32] = []
        }
        var raw: [RawTree] = []
        for (t, fields) in trees.enumerated() {
            let line = treeStartLine[t]
            func numbers<T>(_ key: String, _ parse: (Substring) -> T?, count: Int?) throws -> [T] {
                guard let text = fields[key] else {
                    if count == 0 { return [] }
                    throw fail("tree \(t) has no \(key)", line: line)
                }
                var out: [T] = []
                for word in text.split(separator: " ") {
                    guard let v = parse(word) else { throw fail("tree \(t): \(key) holds \"\(word)\", not a number", line: line) }
                    out.append(v)
                }
                if let count, out.count != count {
                    throw fail("tree \(t): \(key) has \(out.count) values, expected \(count)", line: line)
                }
                return out
            }
            if fields["is_linear"].map({ $0 != "0" }) ?? false {
                throw fail("tree \(t) is a linear tree (linear_tree=true); those are not supported", line: line)
            }
            var tree = RawTree()
            guard let leaves = fields["num_leaves"].flatMap({ Int($0) }), leaves >= 1 else {
                throw fail("tree \(t): num_leaves is missing or not a positive number", line: line)
            }
            tree.leaves = leaves
            let nodes = leaves - 1
            tree.leafValue = try numbers("leaf_value", { Double($0) }, count: leaves)
            tree.leafCount = (try? numbers("leaf_count", { Int($0) }, count: leaves)) ?? Array(repeating: 0, count: leaves)
            if nodes > 0 {
                tree.splitFeature = try numbers("split_feature", { Int($0) }, count: nodes)
                tree.threshold = try numbers("threshold", { Double($0) }, count: nodes)
                tree.decisionType = try numbers("decision_type", { Int($0) }, count: nodes)
                tree.left = try numbers("left_child", { Int($0) }, count: nodes)
                tree.right = try numbers("right_child", { Int($0) }, count: nodes)
                tree.gain = (try? numbers("split_gain", { Double($0) }, count: nodes)) ?? Array(repeating: 0, count: nodes)
                let categorical = tree.decisionType.filter { $0 & 1 != 0 }.count
                if categorical > 0 {
                    tree.catBoundaries = try numbers("cat_boundaries", { Int($0) }, count: nil)
                    tree.catThreshold = try numbers("cat_threshold", { UInt32($0) }, count: nil)
                }
                for f in tree.splitFeature where f < 0 || f >= featureNames.count {
                    throw fail("tree \(t): split feature \(f) is out of range (\(featureNames.count) features)", line: line)
                }
            }
            raw.append(tree)
        }

        // Feature kinds and bins.
        let featureCount = featureNames.count
        var categorical = [Bool](repeating: false, count: featureCount)
        var thresholds = [[Double]](repeating: [], count: featureCount)
        var largestCategory = [Int](repeating: -1, count: featureCount)
        for tree in raw {
            for node in tree.splitFeature.indices {
                let f = tree.splitFeature[node]
                if tree.decisionType[node] & 1 != 0 {
                    categorical[f] = true
                    let index = Int(tree.threshold[node])
                    guard index >= 0, index + 1 < tree.catBoundaries.count,
                          tree.catBoundaries[index + 1] <= tree.catThreshold.count else {
                        throw fail("a categorical split on \"\(featureNames[f])\" points outside cat_threshold")
                    }
                    for w in tree.catBoundaries[index]..<tree.catBoundaries[index + 1] {
                        let word = tree.catThreshold[w]
                        for bit in 0..<32 where word & (1 << UInt32(bit)) != 0 {
                            largestCategory[f] = max(largestCategory[f], (w - tree.catBoundaries[index]) * 32 + bit)
                        }
                    }
                } else {
                    thresholds[f].append(tree.threshold[node])
                }
            }
        }
        var binning: [FeatureBinning] = []
        var boundsIndex: [[Double: Int]] = []
        for f in 0..<featureCount {
            if categorical[f] {
                guard thresholds[f].isEmpty else {
                    throw fail("feature \"\(featureNames[f])\" has both numeric and categorical splits")
                }
                guard largestCategory[f] + 2 < 65_535 else {
                    throw fail("feature \"\(featureNames[f])\" names category \(largestCategory[f]); at most 65,532 are supported")
                }
                let levels = (0...max(0, largestCategory[f])).map { String($0) }
                binning.append(.categorical(levels: levels, binOfLevel: levels.indices.map { UInt16($0 + 2) }))
                boundsIndex.append([:])
            } else {
                let distinct = Array(Set(thresholds[f])).sorted()
                guard distinct.count < 65_535 else {
                    throw fail("feature \"\(featureNames[f])\" uses \(distinct.count) thresholds; at most 65,534 are supported")
                }
                guard distinct.allSatisfy(\.isFinite) else {
                    throw fail("feature \"\(featureNames[f])\" has a non-finite split threshold")
                }
                binning.append(.numeric(upperBounds: distinct + [.infinity]))
                var index: [Double: Int] = [:]
                for (k, v) in distinct.enumerated() { index[v] = k + 1 }
                boundsIndex.append(index)
            }
        }

        // The trees in Pareto's layout.
        let averaged = header["average_output"] != nil || text.contains("\naverage_output\n")
        let rounds = Double(raw.count / outputs)
        var converted: [DecisionTree] = []
        for (t, tree) in raw.enumerated() {
            var out = DecisionTree(leafValue: 0, count: 0)
            out.leafValue = averaged ? tree.leafValue.map { $0 / rounds } : tree.leafValue
            out.leafCount = tree.leafCount
            for node in tree.splitFeature.indices {
                let f = tree.splitFeature[node], type = tree.decisionType[node]
                out.splitFeature.append(Int32(f))
                out.leftChild.append(Int32(tree.left[node]))
                out.rightChild.append(Int32(tree.right[node]))
                out.splitGain.append(tree.gain[node])
                if type & 1 != 0 {
                    let index = Int(tree.threshold[node])
                    var words = [UInt64](repeating: 0, count: (largestCategory[f] + 2) / 64 + 1)
                    for w in tree.catBoundaries[index]..<tree.catBoundaries[index + 1] {
                        let word = tree.catThreshold[w]
                        for bit in 0..<32 where word & (1 << UInt32(bit)) != 0 {
                            let bin = (w - tree.catBoundaries[index]) * 32 + bit + 2
                            words[bin >> 6] |= 1 << UInt64(bin & 63)
                        }
                    }
                    out.categoryStart.append(Int32(out.categoryWords.count))
                    out.categoryWordCount.append(Int32(words.count))
                    out.categoryWords.append(contentsOf: words)
                    out.thresholdBin.append(0)
                    out.threshold.append(.nan)
                    out.defaultLeft.append(false)
                } else {
                    let threshold = tree.threshold[node]
                    let defaultLeftFlag = type & 2 != 0
                    let missingType = (type >> 2) & 3
                    let zeroGoesLeft = 0 <= threshold
                    let defaultLeft: Bool
                    switch missingType {
                    case 2: defaultLeft = defaultLeftFlag                // NaN is missing
                    case 0: defaultLeft = zeroGoesLeft                   // NaN compares as 0
                    default:
                        // Zero is missing: exact only when 0 goes to the default side anyway.
                        guard defaultLeftFlag == zeroGoesLeft else {
                            throw fail("tree \(t): a zero-as-missing split on \"\(featureNames[f])\" sends 0 "
                                       + "\(defaultLeftFlag ? "left" : "right") but the threshold \(threshold) sends it "
                                       + "\(zeroGoesLeft ? "left" : "right"); such splits are not supported",
                                       hint: "retrain with zero_as_missing=false")
                        }
                        defaultLeft = defaultLeftFlag
                    }
                    out.categoryStart.append(-1)
                    out.categoryWordCount.append(0)
                    out.thresholdBin.append(UInt16(boundsIndex[f][threshold]!))
                    out.threshold.append(threshold)
                    out.defaultLeft.append(defaultLeft)
                }
            }
            converted.append(out)
        }
        do {
            model = try GradientBoostedTrees(trees: converted, objective: objective, outputCount: outputs,
                                             initialScores: Array(repeating: 0, count: outputs), binning: binning,
                                             featureNames: featureNames)
        } catch let error as UsageError {
            throw fail("the trees do not form a valid model: \(error.message)")
        }
        featureKinds = categorical.map { $0 ? .categorical : .numeric }
        self.task = task
    }

    /// The model with a table schema, as `pareto train` would save it:
    /// classes are named "0", "1", … (LightGBM's label values) unless
    /// `classLabels` are given.
    ///
    /// - Throws: `UsageError` when `classLabels` do not match the classes.
    public func tabularModel(target: String, classLabels: [String]? = nil) throws -> TabularTreeModel {
        let labels: [String]
        switch task {
        case .regression: labels = []
        case .binary: labels = classLabels ?? ["0", "1"]
        case .multiclass: labels = classLabels ?? (0..<model.outputCount).map(String.init)
        }
        return try TabularTreeModel(importing: model, target: target, task: task, classLabels: labels,
                                    featureKinds: featureKinds)
    }
}
