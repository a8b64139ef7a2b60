#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Weighted logistic regression on one or two features plus an intercept,
/// fitted by Newton's method: the engine of Platt and beta calibration.
///
/// Minimizes Σᵢ wᵢ·[ln(1 + e^ηᵢ) − tᵢ·ηᵢ] + ridge/2 · ‖coefficients‖² with
/// ηᵢ = θ·xᵢ + intercept and soft targets tᵢ ∈ [0, 1]. The objective is
/// convex, so Newton's method with a backtracking line search converges from
/// anywhere, and quadratically near the optimum; it is iterated until the
/// step is at rounding level, which pins the parameters far tighter than the
/// 1e-6 that a quasi-Newton reference reaches. Each iteration is one pass
/// over the rows, with the parameters in SIMD lanes (features first, the
/// intercept in lane `featureCount`), so nothing is allocated per row.
struct SmallLogisticRegression {
    /// Row-major features, `featureCount` (1 or 2) per row.
    let features: [Double]
    let featureCount: Int
    /// Soft targets in [0, 1].
    let targets: [Double]
    /// Positive row weights.
    let weights: [Double]
    /// L2 penalty on the coefficients (never on the intercept).
    let ridge: Double

    private var unknowns: Int { featureCount + 1 }

    /// The parameters at the optimum: coefficients in lanes `0..<featureCount`,
    /// the intercept in lane `featureCount`.
    func fit(start: SIMD4<Double>) -> SIMD4<Double> {
        var theta = start
        var current = evaluate(theta)
        var previousSize = Double.infinity
        for _ in 0..<500 {
            let step = newtonStep(current)
            let size = maxMagnitude(step)
            let scale = 1 + maxMagnitude(theta)
            // Stop at rounding level: a step that is tiny, or small and no
            // longer shrinking (Newton's steps shrink quadratically until the
            // gradient is rounding noise).
            if !(size > 1e-15 * scale) || (size <= 1e-10 * scale && size >= 0.5 * previousSize) {
                if size.isFinite { theta += step }
                break
            }
            previousSize = size
            let slope = (current.gradient * step).sum()
            var alpha = 1.0
            var accepted = false
            while alpha * size > 1e-300 {
                let trial = theta + alpha * step
                let next = evaluate(trial)
                // Armijo's sufficient decrease; or, once the step is so small
                // that the loss cannot resolve it, Newton's step on trust.
                if next.loss <= current.loss + 1e-4 * alpha * slope || alpha * size <= 1e-8 * scale {
                    theta = trial
                    current = next
                    accepted = true
                    break
                }
                alpha *= 0.5
            }
            if !accepted { break }
        }
        return theta
    }

    private func maxMagnitude(_ v: SIMD4<Double>) -> Double {
        var m = 0.0
        for j in 0..<unknowns {
            if v[j].isNaN { return .nan }
            m = max(m, abs(v[j]))
        }
        return m
    }

    private struct Evaluation {
        var loss: Double
        var gradient: SIMD4<Double>
        /// Rows of the (symmetric) Hessian.
        var hessian: (SIMD4<Double>, SIMD4<Double>, SIMD4<Double>)
    }

    /// The loss, its gradient and Hessian at `theta`, in one pass.
    private func evaluate(_ theta: SIMD4<Double>) -> Evaluation {
        let d = featureCount
        var loss = 0.0
        var gradient = SIMD4<Double>(repeating: 0)
        var h0 = SIMD4<Double>(repeating: 0), h1 = h0, h2 = h0
        features.withUnsafeBufferPointer { f in
            targets.withUnsafeBufferPointer { t in
                weights.withUnsafeBufferPointer { w in
                    for i in 0..<t.count {
                        var x = SIMD4<Double>(repeating: 0)
                        x[0] = f[i * d]
                        if d == 2 { x[1] = f[i * d + 1] }
                        x[d] = 1
                        let eta = (theta * x).sum()
                        // One exponential serves both the loss and the probability.
                        let e = exp(-abs(eta))
                        let probability = eta >= 0 ? 1 / (1 + e) : e / (1 + e)
                        loss += w[i] * (max(eta, 0) + log1p(e) - t[i] * eta)
                        gradient += (w[i] * (probability - t[i])) * x
                        let curvature = w[i] * probability * (1 - probability)
                        h0 += (curvature * x[0]) * x
                        h1 += (curvature * x[1]) * x
                        h2 += (curvature * x[2]) * x
                    }
                }
            }
        }
        for j in 0..<d {
            loss += 0.5 * ridge * theta[j] * theta[j]
            gradient[j] += ridge * theta[j]
        }
        h0[0] += ridge
        if d == 2 { h1[1] += ridge }
        return Evaluation(loss: loss, gradient: gradient, hessian: (h0, h1, h2))
    }

    /// Solves H·step = −gradient by LDLᵀ. A direction whose pivot vanishes
    /// (a feature constant over the rows, say) gets no step rather than an
    /// enormous one.
    private func newtonStep(_ at: Evaluation) -> SIMD4<Double> {
        let m = unknowns
        let a = [at.hessian.0, at.hessian.1, at.hessian.2]
        var l = [SIMD4<Double>](repeating: .zero, count: 3)
        var diagonal = SIMD4<Double>(repeating: 0)
        for j in 0..<m {
            var dj = a[j][j]
            for k in 0..<j { dj -= l[j][k] * l[j][k] * diagonal[k] }
            diagonal[j] = dj > 1e-12 * a[j][j] ? dj : 0
            l[j][j] = 1
            for i in (j + 1)..<m {
                var v = a[i][j]
                for k in 0..<j { v -= l[i][k] * l[j][k] * diagonal[k] }
                l[i][j] = diagonal[j] > 0 ? v / diagonal[j] : 0
            }
        }
        var y = SIMD4<Double>(repeating: 0)
        for i in 0..<m {
            var v = -at.gradient[i]
            for k in 0..<i { v -= l[i][k] * y[k] }
            y[i] = v
        }
        var step = SIMD4<Double>(repeating: 0)
        for i in stride(from: m - 1, through: 0, by: -1) {
            var v = diagonal[i] > 0 ? y[i] / diagonal[i] : 0
            for k in (i + 1)..<m { v -= l[k][i] * step[k] }
            step[i] = v
        }
        return step
    }
}
