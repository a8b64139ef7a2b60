#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Truncated Newton (Newton–CG) for the L2-penalized multinomial objective:
/// every iteration solves H·d = −g approximately by conjugate gradients,
/// using Hessian–vector products (two passes over X each) instead of the
/// (k·p)² Hessian, then backtracks on the true objective.
///
/// Why not block coordinate descent over the classes: with a weak penalty
/// the classes are strongly coupled and block updates converge linearly and
/// slowly (minutes on letter recognition's 26 classes); Newton steps on all
/// classes at once converge quadratically near the optimum, so the
/// parameter-change tolerance is reached in a few iterations.
///
/// Parameters θ: class k's coefficients at `k * columns`, then (with an
/// intercept) the k intercepts at `classes * columns + k`. The intercepts'
/// common shift is a flat direction; the gradient never points along it and
/// conjugate gradients started at zero stay orthogonal to it.
struct MultinomialNewtonCG {
    let x: [Double]        // row-major rows × columns
    let rows: Int
    let columns: Int
    let classes: Int
    let label: [Int]
    let w: [Double]
    let c: Double
    let l2: Double
    let fitIntercept: Bool
    let size: Int
    var theta: [Double]
    // Scratch, allocated once.
    var probabilities: [Double]  // rows × classes
    var gradient: [Double]
    var direction: [Double]
    var residual: [Double]
    var conjugate: [Double]
    var product: [Double]
    var trial: [Double]
    var rowScratch: [Double]     // rows × classes

    init(x: [Double], rows: Int, columns: Int, classes: Int, label: [Int], weights: [Double], c: Double,
         fitIntercept: Bool) {
        self.x = x; self.rows = rows; self.columns = columns; self.classes = classes; self.label = label
        self.w = weights; self.c = c; self.l2 = 1; self.fitIntercept = fitIntercept
        size = classes * columns + (fitIntercept ? classes : 0)
        theta = [Double](repeating: 0, count: size)
        probabilities = [Double](repeating: 0, count: rows * classes)
        gradient = theta; direction = theta; residual = theta; conjugate = theta; product = theta; trial = theta
        rowScratch = probabilities
    }

    /// Per row, the linear predictors of every class at `parameters` into `out`.
    func predictors(_ parameters: [Double], into out: inout [Double]) {
        let k = classes, p = columns, intercepts = fitIntercept
        x.withUnsafeBufferPointer { x in
        parameters.withUnsafeBufferPointer { theta in
        out.withUnsafeMutableBufferPointer { out in
            for i in 0..<rows {
                let row = x.baseAddress! + i * p
                for m in 0..<k {
                    let beta = theta.baseAddress! + m * p
                    var sum = intercepts ? theta[k * p + m] : 0
                    for j in 0..<p { sum += row[j] * beta[j] }
                    out[i * k + m] = sum
                }
            }
        }}}
    }

    /// The objective at `parameters`; leaves the class probabilities in
    /// `probabilities` when `keepProbabilities`.
    mutating func objective(_ parameters: [Double], keepProbabilities: Bool) -> Double {
        predictors(parameters, into: &rowScratch)
        let k = classes
        var loss = 0.0
        for i in 0..<rows {
            var top = -Double.infinity
            for m in 0..<k { top = max(top, rowScratch[i * k + m]) }
            var sum = 0.0
            for m in 0..<k {
                let e = exp(rowScratch[i * k + m] - top)
                if keepProbabilities { probabilities[i * k + m] = e }
                sum += e
            }
            if keepProbabilities { for m in 0..<k { probabilities[i * k + m] /= sum } }
            loss += w[i] * (top + log(sum) - rowScratch[i * k + label[i]])
        }
        var penalty = 0.0
        for j in 0..<(k * columns) { penalty += parameters[j] * parameters[j] }
        return c * loss + 0.5 * l2 * penalty
    }

    /// ∇f at θ from `probabilities` (which must be θ's).
    mutating func formGradient() {
        let k = classes, p = columns
        for j in 0..<size { gradient[j] = j < k * p ? l2 * theta[j] : 0 }
        x.withUnsafeBufferPointer { x in
        gradient.withUnsafeMutableBufferPointer { g in
            for i in 0..<rows {
                let row = x.baseAddress! + i * p
                for m in 0..<k {
                    let r = c * w[i] * (probabilities[i * k + m] - (label[i] == m ? 1 : 0))
                    if r == 0 { continue }
                    let out = g.baseAddress! + m * p
                    for j in 0..<p { out[j] += r * row[j] }
                    if fitIntercept { g[k * p + m] += r }
                }
            }
        }}
    }

    /// H·v at θ (from `probabilities`) into `product`.
    mutating func hessianTimes(_ v: [Double]) {
        let k = classes, p = columns
        predictors(v, into: &rowScratch)  // aᵢₘ = xᵢ·vₘ (+ vₘ's intercept)
        for i in 0..<rows {
            // tᵢₘ = C·wᵢ·pᵢₘ(aᵢₘ − Σₘ' pᵢₘ' aᵢₘ')
            var mean = 0.0
            for m in 0..<k { mean += probabilities[i * k + m] * rowScratch[i * k + m] }
            let scale = c * w[i]
            for m in 0..<k { rowScratch[i * k + m] = scale * probabilities[i * k + m] * (rowScratch[i * k + m] - mean) }
        }
        for j in 0..<size { product[j] = j < k * p ? l2 * v[j] : 0 }
        x.withUnsafeBufferPointer { x in
        rowScratch.withUnsafeBufferPointer { t in
        product.withUnsafeMutableBufferPointer { out in
            for i in 0..<rows {
                let row = x.baseAddress! + i * p
                for m in 0..<k {
                    let r = t[i * k + m]
                    let target = out.baseAddress! + m * p
                    for j in 0..<p { target[j] += r * row[j] }
                    if fitIntercept { out[k * p + m] += r }
                }
            }
        }}}
    }

    mutating func solve(tolerance: Double, maxIterations: Int) -> (Int, Bool) {
        var current = objective(theta, keepProbabilities: true)
        for iteration in 1...maxIterations {
            formGradient()
            var gradientNorm = 0.0
            for v in gradient { gradientNorm += v * v }
            gradientNorm = gradientNorm.squareRoot()
            // Conjugate gradients on H·d = −g to a relative residual that
            // tightens as g shrinks (superlinear convergence).
            let forcing = min(0.5, gradientNorm.squareRoot())
            for j in 0..<size { direction[j] = 0; residual[j] = -gradient[j]; conjugate[j] = residual[j] }
            var rr = gradientNorm * gradientNorm
            for _ in 0..<max(50, 2 * size) {
                if rr.squareRoot() <= forcing * gradientNorm { break }
                hessianTimes(conjugate)
                var curvature = 0.0
                for j in 0..<size { curvature += conjugate[j] * product[j] }
                guard curvature > 0 else { break }
                let alpha = rr / curvature
                var next = 0.0
                for j in 0..<size {
                    direction[j] += alpha * conjugate[j]
                    residual[j] -= alpha * product[j]
                    next += residual[j] * residual[j]
                }
                let beta = next / rr
                rr = next
                for j in 0..<size { conjugate[j] = residual[j] + beta * conjugate[j] }
            }
            var slope = 0.0
            for j in 0..<size { slope += gradient[j] * direction[j] }
            if !(slope < 0) {
                // Not a descent direction (numerically flat): fall back to −g.
                for j in 0..<size { direction[j] = -gradient[j] }
                slope = -gradientNorm * gradientNorm
            }
            var s = 1.0
            var value = current
            while s > 1e-10 {
                for j in 0..<size { trial[j] = theta[j] + s * direction[j] }
                value = objective(trial, keepProbabilities: false)
                if value <= current + 1e-4 * s * slope { break }
                s *= 0.5
            }
            var change = 0.0, scale = 1.0
            for j in 0..<size {
                let delta = s * direction[j]
                change = max(change, abs(delta))
                theta[j] += delta
                scale = max(scale, abs(theta[j]))
            }
            current = objective(theta, keepProbabilities: true)
            if change <= tolerance * scale { return (iteration, true) }
        }
        return (maxIterations, false)
    }
}
