/// Cyclic coordinate descent for the elastic net on a prepared `Design`,
/// keeping the coefficients, residuals and scratch between solves so that a
/// path warm-starts each fit from the last.
///
/// Works on the unscaled problem ½‖ỹ − X̃β‖² + λ₁‖β‖₁ + ½λ₂‖β‖² with
/// λ₁ = n·α·ρ and λ₂ = n·α·(1 − ρ), which has the same minimizer as the
/// 1/(2n) form and lets the duality gap be compared with tol·‖ỹ‖².
struct CoordinateDescent {
    let design: Design
    var coefficients: [Double]
    /// ỹ − X̃β, updated in place after each coordinate move.
    var residual: [Double]

    struct Result {
        var iterations: Int
        var converged: Bool
        var gap: Double
        var gapTolerance: Double
    }

    init(design: Design) {
        self.design = design
        coefficients = [Double](repeating: 0, count: design.columns)
        residual = design.y
    }

    /// Runs passes from the current coefficients until the stopping rule
    /// holds or `maxIterations` passes are spent.
    mutating func solve(alpha: Double, l1Ratio: Double, tolerance: Double, maxIterations: Int) -> Result {
        let n = design.rows, p = design.columns
        let l1 = alpha * l1Ratio * Double(n)
        let l2 = alpha * (1 - l1Ratio) * Double(n)
        var yNorm2 = 0.0
        for v in design.y { yNorm2 += v * v }
        let gapTolerance = tolerance * yNorm2
        let norms = design.columnNorms
        var iterations = 0
        var converged = false
        var gap = 0.0
        // Work on locals so the buffers can be borrowed together; moving them
        // out of self avoids a copy.
        var w = coefficients, r = residual
        coefficients = []
        residual = []
        design.x.withUnsafeBufferPointer { x in
            design.y.withUnsafeBufferPointer { y in
                w.withUnsafeMutableBufferPointer { w in
                    r.withUnsafeMutableBufferPointer { r in
                        gap = Self.dualityGap(x: x, y: y, w: w, r: r, l1: l1, l2: l2)
                        if gap <= gapTolerance {
                            converged = true
                            return
                        }
                        for pass in 0..<maxIterations {
                            iterations = pass + 1
                            var largest = 0.0, largestChange = 0.0
                            for j in 0..<p where norms[j] != 0 {
                                let base = j * n
                                let old = w[j]
                                var dot = 0.0
                                for i in 0..<n { dot += x[base + i] * r[i] }
                                let rho = dot + old * norms[j]
                                // Soft-thresholding: the exact minimizer along coordinate j.
                                let shrunk = max(abs(rho) - l1, 0)
                                let new = shrunk == 0 ? 0 : (rho < 0 ? -shrunk : shrunk) / (norms[j] + l2)
                                if new != old {
                                    w[j] = new
                                    let delta = old - new
                                    for i in 0..<n { r[i] += delta * x[base + i] }
                                }
                                largestChange = max(largestChange, abs(new - old))
                                largest = max(largest, abs(new))
                            }
                            // The gap costs a pass of its own, so it is checked only
                            // once the coefficients have nearly stopped moving.
                            if largest == 0 || largestChange / largest <= tolerance || pass == maxIterations - 1 {
                                gap = Self.dualityGap(x: x, y: y, w: w, r: r, l1: l1, l2: l2)
                                if gap <= gapTolerance {
                                    converged = true
                                    return
                                }
                            }
                        }
                    }
                }
            }
        }
        coefficients = w
        residual = r
        return Result(iterations: iterations, converged: converged, gap: gap, gapTolerance: gapTolerance)
    }

    /// The duality gap at coefficients `w` with residual `r` (scikit-learn's
    /// formulation: the residual scaled into the dual feasible set when
    /// λ₁ > 0; the ridge dual when λ₁ = 0 < λ₂; the squared gradient norm for
    /// plain least squares, which has no useful dual).
    static func dualityGap(x: UnsafeBufferPointer<Double>, y: UnsafeBufferPointer<Double>, w: UnsafeMutableBufferPointer<Double>,
                           r: UnsafeMutableBufferPointer<Double>, l1: Double, l2: Double) -> Double {
        let n = r.count, p = w.count
        var residualNorm2 = 0.0, residualDotY = 0.0
        for i in 0..<n {
            residualNorm2 += r[i] * r[i]
            residualDotY += r[i] * y[i]
        }
        var coefNorm2 = 0.0, coefNorm1 = 0.0, dualNorm = 0.0, gradientNorm2 = 0.0
        for j in 0..<p {
            var dot = 0.0
            let base = j * n
            for i in 0..<n { dot += x[base + i] * r[i] }
            dualNorm = max(dualNorm, abs(dot - l2 * w[j]))
            gradientNorm2 += dot * dot
            coefNorm2 += w[j] * w[j]
            coefNorm1 += abs(w[j])
        }
        return gap(l1: l1, l2: l2, residualNorm2: residualNorm2, residualDotY: residualDotY,
                   coefNorm1: coefNorm1, coefNorm2: coefNorm2, dualNorm: dualNorm, gradientNorm2: gradientNorm2)
    }

    static func gap(l1: Double, l2: Double, residualNorm2: Double, residualDotY: Double, coefNorm1: Double,
                    coefNorm2: Double, dualNorm: Double, gradientNorm2: Double) -> Double {
        if l1 == 0 {
            if l2 == 0 { return gradientNorm2 }
            return residualNorm2 + 0.5 * l2 * coefNorm2 - residualDotY + gradientNorm2 / (2 * l2)
        }
        let primal = 0.5 * (residualNorm2 + l2 * coefNorm2) + l1 * coefNorm1
        let scale = dualNorm > l1 ? l1 / dualNorm : 1
        let dual = -0.5 * scale * scale * (residualNorm2 + l2 * coefNorm2) + scale * residualDotY
        return primal - dual
    }

    /// The current coefficients as a model on the original scale.
    func model(_ result: Result) -> LinearModel {
        let warning = result.converged ? nil :
            "coordinate descent did not converge in \(result.iterations) passes (duality gap \(result.gap), tolerance \(result.gapTolerance)); raise maxIterations or tolerance, or scale the features"
        return LinearModel(coefficients: coefficients, intercept: design.intercept(for: coefficients),
                           iterations: result.iterations, converged: result.converged, warning: warning)
    }
}
