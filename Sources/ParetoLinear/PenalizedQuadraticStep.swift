/// One proximal Newton step's inner problem, shared by the binary and the
/// multinomial solver: minimizes the quadratic model of the loss,
/// Σᵢ gᵢuᵢ + ½hᵢuᵢ², plus the elastic-net penalty l1·|β'|₁ + ½·l2·|β'|², by
/// cyclic coordinate descent (soft-thresholding gives exact zeros), where
/// u = X·(β' − β) + (b' − b) is updated in place.
///
/// Cost: per sweep, two passes over each column of `x` (column j at
/// `x[j * rows ..< (j + 1) * rows]`); no allocation. Stops when no
/// coordinate moves more than 1e-13 × `scale`, or after 10,000 sweeps.
func penalizedQuadraticStep(x: [Double], rows: Int, columns: Int, g: [Double], h: [Double], curvature: [Double],
                            hSum: Double, l1: Double, l2: Double, fitIntercept: Bool, scale: Double,
                            u: inout [Double], trial: inout [Double], intercept trialIntercept: inout Double) {
    for _ in 0..<10_000 {
        var largest = 0.0
        for j in 0..<columns {
            var grad = 0.0
            for i in 0..<rows { grad += x[j * rows + i] * (g[i] + h[i] * u[i]) }
            let a = curvature[j]
            let z = a * trial[j] - grad
            let shrunk = z > l1 ? z - l1 : (z < -l1 ? z + l1 : 0)
            let new = a + l2 > 0 ? shrunk / (a + l2) : 0
            let delta = new - trial[j]
            if delta != 0 {
                for i in 0..<rows { u[i] += delta * x[j * rows + i] }
                trial[j] = new
                largest = max(largest, abs(delta))
            }
        }
        if fitIntercept {
            var grad = 0.0
            for i in 0..<rows { grad += g[i] + h[i] * u[i] }
            let delta = -grad / hSum
            if delta != 0 {
                for i in 0..<rows { u[i] += delta }
                trialIntercept += delta
                largest = max(largest, abs(delta))
            }
        }
        if largest <= 1e-13 * scale { break }
    }
}
