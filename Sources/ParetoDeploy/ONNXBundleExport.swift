import ParetoCore
import ParetoData
import ParetoEval
import ParetoFeatures
import ParetoLinear
import ParetoTrees

extension ONNXExport {
    /// The ONNX graph of a whole bundle (`pareto optimize`'s `model.pareto`):
    /// its model — any family, or a blend of several over the same inputs —
    /// then its calibration and decision threshold, so the file's
    /// probabilities and labels are `ModelBundle.predict` and `labels`.
    ///
    /// Calibration in standard operators, double precision:
    /// - Platt: `Sigmoid(slope · log(q / (1 − q)) + intercept)`, q the
    ///   probability clamped to [1e-15, 1 − 1e-15];
    /// - beta: `Sigmoid(c + a·log q − b·log(1 − q))`, q clamped to
    ///   [ε, 1 − ε] (ε the double's machine epsilon);
    /// - isotonic: the knots' piecewise-linear curve as a sum of clamped
    ///   segments, `y₀ + Σ slopeᵢ · (min(max(p, xᵢ), xᵢ₊₁) − xᵢ)` (one
    ///   `Min`/`Max` over all segments at once and a `MatMul`);
    /// - temperature: `Softmax(log(max(P, 1e-15)) / T)`.
    /// The label is class 1 when P(class 1) ≥ the bundle's threshold
    /// (binary with a threshold), else the most probable class.
    ///
    /// - Throws: `UsageError` for a constant (prior) model, blend members
    ///   whose classes differ from the bundle's, or anything the single
    ///   families' exports refuse.
    public static func bundle(_ bundle: ModelBundle, layout: ONNXOutputLayout = .tensors) throws -> ONNXModel {
        var g = ONNXGraphBuilder(name: "pareto_bundle")
        let kinds = Dictionary(bundle.inputSchema.map { ($0.name, $0.kind) }, uniquingKeysWith: { a, _ in a })
        var head = try modelHead(bundle.model, classLabels: bundle.classLabels, kinds: kinds, &g)
        head = try calibrated(head, bundle.calibration, &g)
        try finish(&g, head, labels: bundle.classLabels, layout: layout,
                   threshold: bundle.task == .binary ? bundle.threshold?.threshold : nil)
        var doc = "Pareto \(bundle.family) bundle for \"\(bundle.target)\" (\(bundle.task.rawValue))"
        if bundle.calibration != .none { doc += ", \(bundle.calibration.name) calibration" }
        if let threshold = bundle.threshold, bundle.task == .binary { doc += ", threshold \(threshold.threshold)" }
        return ONNXModel(proto: g.model(docString: doc), inputs: g.inputs, outputs: g.outputs)
    }

    /// A bundled model's nodes: one family's head, or the weighted sum of a
    /// blend's members (as probabilities for classes).
    static func modelHead(_ model: BundledModel, classLabels: [String], kinds: [String: ColumnKind],
                          _ g: inout ONNXGraphBuilder) throws -> ONNXHead {
        func linear(_ pipeline: FittedPipeline, _ base: LinearTabularModel) throws -> ONNXHead {
            let names = pipeline.inputColumns
            return try linearHead(featureNames: names, featureKinds: names.map { kinds[$0] ?? .numeric },
                                  pipeline: pipeline, model: base, &g)
        }
        func checkClasses(_ labels: [String]) throws {
            guard labels == classLabels else {
                throw UsageError("a blended model predicts the classes \(labels) but the bundle has \(classLabels)",
                                 hint: "export the members separately")
            }
        }
        switch model {
        case .trees(let trees):
            try checkClasses(trees.classLabels)
            return try treesHead(trees, &g)
        case .linear(let m): return try linear(m.pipeline, m.base)
        case .logistic(let m):
            try checkClasses(m.base.classLabels)
            return try linear(m.pipeline, m.base)
        case .mlp(let mlp):
            try checkClasses(mlp.classLabels)
            return try mlpHead(mlp, &g)
        case .prior:
            throw UsageError("a constant baseline (prior) cannot be exported to ONNX",
                             hint: "rerun pareto optimize; a searched model is exported with its calibration")
        case .blend(let members, let weights):
            guard !members.isEmpty, members.count == weights.count else {
                throw UsageError("a blend needs one weight per member and at least one member")
            }
            var terms: [String] = []
            var regression = false
            for (member, weight) in zip(members, weights) {
                let head = try modelHead(member, classLabels: classLabels, kinds: kinds, &g)
                if case .value = head { regression = true }
                let values = head.probabilities(&g)
                terms.append(g.node("Mul", [values, g.constant("blend_weight", doubles: [weight], shape: [1])]))
            }
            let sum = terms.count == 1 ? terms[0] : g.node("Sum", terms)
            return regression ? .value(sum) : .probabilities(sum)
        }
    }

    /// `head` followed by `calibration` (classifiers only).
    static func calibrated(_ head: ONNXHead, _ calibration: BundleCalibration,
                           _ g: inout ONNXGraphBuilder) throws -> ONNXHead {
        if case .value = head { return head }
        func clamp(_ x: String, _ low: Double, _ high: Double) -> String {
            g.node("Min", [g.node("Max", [x, g.constant("low", doubles: [low], shape: [1])]),
                           g.constant("high", doubles: [high], shape: [1])])
        }
        func scaled(_ x: String, _ factor: Double) -> String {
            g.node("Mul", [x, g.constant("factor", doubles: [factor], shape: [1])])
        }
        func plus(_ x: String, _ constant: Double) -> String {
            g.node("Add", [x, g.constant("offset", doubles: [constant], shape: [1])])
        }
        func oneMinus(_ x: String) -> String { g.node("Sub", [g.constant("one", doubles: [1], shape: [1]), x]) }
        switch calibration {
        case .none:
            return head
        case .platt(let c):
            let q = clamp(head.positive(&g), 1e-15, 1 - 1e-15)
            let logOdds = g.node("Log", [g.node("Div", [q, oneMinus(q)])])
            return .positive(g.node("Sigmoid", [plus(scaled(logOdds, c.slope), c.intercept)]))
        case .beta(let c):
            let q = clamp(head.positive(&g), Double.ulpOfOne, 1 - Double.ulpOfOne)
            var z = plus(scaled(q, 0), c.c)  // the constant c, per row
            if c.a != 0 { z = g.node("Add", [z, scaled(g.node("Log", [q]), c.a)]) }
            if c.b != 0 { z = g.node("Add", [z, scaled(g.node("Log", [oneMinus(q)]), -c.b)]) }
            return .positive(g.node("Sigmoid", [z]))
        case .isotonic(let c):
            let p = head.positive(&g)
            let xs = c.knotScores, ys = c.knotProbabilities
            guard xs.count > 1 else { return .positive(plus(scaled(p, 0), ys.first ?? 0)) }
            let segments = xs.count - 1
            let lower = Array(xs.dropLast()), upper = Array(xs.dropFirst())
            var slopes: [Double] = []
            for i in 0..<segments {
                let run: Double = xs[i + 1] - xs[i]
                let rise: Double = ys[i + 1] - ys[i]
                slopes.append(run > 0 ? rise / run : 0)
            }
            let lowerName = g.constant("knots_low", doubles: lower, shape: [segments])
            let within = g.node("Max", [g.node("Min", [p, g.constant("knots_high", doubles: upper, shape: [segments])]),
                                        lowerName])
            let steps = g.node("MatMul", [g.node("Sub", [within, lowerName]),
                                          g.constant("slopes", doubles: slopes, shape: [segments, 1])])
            return .positive(plus(steps, ys[0]))
        case .temperature(let c):
            let p = head.probabilities(&g)
            let logits = g.node("Log", [g.node("Max", [p, g.constant("floor", doubles: [1e-15], shape: [1])])])
            return .probabilities(g.node("Softmax", [scaled(logits, 1 / c.temperature)],
                                         [ONNXGraphBuilder.attribute("axis", int: 1)]))
        }
    }
}
