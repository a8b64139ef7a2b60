#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The rows of X with their nonzero entries only (compressed sparse rows),
/// plus an implicit last column of ones for the intercept when fitted.
///
/// One-hot designs are mostly zeros (adult: 14 nonzeros in 108 columns), so
/// products over the nonzeros are several times cheaper than dense ones;
/// dense data loses little (one index per value).
struct SparseRows {
    let rows: Int
    /// Columns of X, the intercept's not counted.
    let columns: Int
    /// Row i's entries are `start[i] ..< start[i + 1]`, in column order.
    var start: [Int]
    var column: [Int32]
    var value: [Double]

    /// From a row-major dense matrix.
    init(x: [Double], rows: Int, columns: Int) {
        self.rows = rows
        self.columns = columns
        var start = [Int](repeating: 0, count: rows + 1)
        var column: [Int32] = []
        var value: [Double] = []
        for i in 0..<rows {
            for j in 0..<columns where x[i * columns + j] != 0 {
                column.append(Int32(j))
                value.append(x[i * columns + j])
            }
            start[i + 1] = column.count
        }
        self.start = start
        self.column = column
        self.value = value
    }

    /// Σᵢ nnzᵢ²/2: the multiply-adds of one weighted Gram matrix.
    var gramCost: Int {
        var total = 0
        for i in 0..<rows {
            let n = start[i + 1] - start[i] + 1
            total += n * (n + 1) / 2
        }
        return total
    }
}

/// Newton's method on the full Hessian for binary logistic regression,
/// for designs whose weighted Gram matrix XᵀHX is cheap to form (few
/// columns, or few nonzeros per row).
///
/// Each outer iteration forms the gradient and XᵀHX (intercept included as
/// a last unpenalized coordinate) in one pass over the nonzeros, then
/// minimizes the quadratic model plus the penalty: by a Cholesky solve for
/// a pure L2 penalty (an exact Newton step: quadratic convergence whatever
/// the conditioning, where coordinate descent on the data crawls along
/// nearly collinear one-hot columns), or by coordinate descent on the Gram
/// matrix (O(columns) per coordinate, not O(rows)) when there is an L1
/// part. A backtracking line search on the true objective follows.
struct GramNewtonSolver {
    let data: SparseRows
    let y: [Double]
    let w: [Double]
    let c: Double
    let l1: Double
    let l2: Double
    let fitIntercept: Bool
    /// Coordinates: the columns, then the intercept (when fitted).
    let size: Int
    var beta: [Double]
    var intercept = 0.0
    var eta: [Double]
    var u: [Double]
    var trial: [Double]
    var gram: [Double]     // size × size, upper triangle filled, then mirrored
    var gradient: [Double]
    var factor: [Double]   // Cholesky factor scratch
    var r: [Double]        // G·(trial − current), for coordinate descent

    init(data: SparseRows, y: [Double], weights: [Double], c: Double, l1Ratio: Double, fitIntercept: Bool) {
        self.data = data; self.y = y; self.w = weights; self.c = c
        l1 = l1Ratio; l2 = 1 - l1Ratio; self.fitIntercept = fitIntercept
        size = data.columns + (fitIntercept ? 1 : 0)
        beta = [Double](repeating: 0, count: data.columns)
        eta = [Double](repeating: 0, count: data.rows)
        u = eta
        trial = [Double](repeating: 0, count: size)
        gram = [Double](repeating: 0, count: size * size)
        gradient = trial
        factor = gram
        r = trial
    }

    /// The penalized objective at the current point moved by s·(trial − current).
    func objective(step s: Double) -> Double {
        var loss = 0.0
        for i in 0..<data.rows {
            let t = eta[i] + s * u[i]
            loss += w[i] * (softplus(t) - y[i] * t)
        }
        var penalty = 0.0
        for j in 0..<data.columns {
            let b = beta[j] + s * (trial[j] - beta[j])
            penalty += l1 * abs(b) + 0.5 * l2 * b * b
        }
        return c * loss + penalty
    }

    /// Gradient of the loss part and XᵀHX at the current point.
    mutating func formQuadraticModel() {
        let p = data.columns
        for k in 0..<gram.count { gram[k] = 0 }
        for k in 0..<size { gradient[k] = 0 }
        data.start.withUnsafeBufferPointer { start in
        data.column.withUnsafeBufferPointer { column in
        data.value.withUnsafeBufferPointer { value in
        gram.withUnsafeMutableBufferPointer { gram in
        gradient.withUnsafeMutableBufferPointer { gradient in
            let size = self.size
            for i in 0..<data.rows {
                let prob = sigmoid(eta[i])
                let h = max(c * w[i] * prob * (1 - prob), 1e-300)
                let g = c * w[i] * (prob - y[i])
                let lo = start[i], hi = start[i + 1]
                for a in lo..<hi {
                    let j = Int(column[a])
                    let hx = h * value[a]
                    gradient[j] += g * value[a]
                    let rowBase = j * size
                    for b in a..<hi { gram[rowBase + Int(column[b])] += hx * value[b] }
                    if fitIntercept { gram[rowBase + p] += hx }
                }
                if fitIntercept {
                    gradient[p] += g
                    gram[p * size + p] += h
                }
            }
        }}}}}
        for j in 0..<size { for k in (j + 1)..<size { gram[k * size + j] = gram[j * size + k] } }
    }

    /// Solves (G + l2·I on the penalized coordinates)·δ = −(gradient + l2·β)
    /// into `trial` (as β + δ). Returns false when the factorization fails.
    mutating func newtonStep() -> Bool {
        let p = data.columns, n = size
        for k in 0..<gram.count { factor[k] = gram[k] }
        for j in 0..<p { factor[j * n + j] += l2 }
        // Right-hand side in trial.
        for j in 0..<p { trial[j] = -(gradient[j] + l2 * beta[j]) }
        if fitIntercept { trial[p] = -gradient[p] }
        // Cholesky: factor = L·Lᵀ, L in the lower triangle.
        for j in 0..<n {
            var d = factor[j * n + j]
            for k in 0..<j { d -= factor[j * n + k] * factor[j * n + k] }
            guard d > 0, d.isFinite else { return false }
            let root = d.squareRoot()
            factor[j * n + j] = root
            for i in (j + 1)..<n {
                var s = factor[i * n + j]
                for k in 0..<j { s -= factor[i * n + k] * factor[j * n + k] }
                factor[i * n + j] = s / root
            }
        }
        for i in 0..<n {
            var s = trial[i]
            for k in 0..<i { s -= factor[i * n + k] * trial[k] }
            trial[i] = s / factor[i * n + i]
        }
        for i in stride(from: n - 1, through: 0, by: -1) {
            var s = trial[i]
            for k in (i + 1)..<n { s -= factor[k * n + i] * trial[k] }
            trial[i] = s / factor[i * n + i]
        }
        for j in 0..<p { trial[j] += beta[j] }
        if fitIntercept { trial[p] += intercept }
        return true
    }

    /// Coordinate descent on the quadratic model plus the elastic-net
    /// penalty, using the Gram matrix; leaves the minimizer in `trial`.
    mutating func coordinateDescentStep(scale: Double) {
        let p = data.columns, n = size
        for j in 0..<p { trial[j] = beta[j] }
        if fitIntercept { trial[p] = intercept }
        for k in 0..<n { r[k] = 0 }
        for _ in 0..<10_000 {
            var largest = 0.0
            for j in 0..<n {
                let a = gram[j * n + j]
                let grad = gradient[j] + r[j]
                let new: Double
                if j == p {
                    new = a > 0 ? trial[j] - grad / a : trial[j]
                } else {
                    let z = a * trial[j] - grad
                    let shrunk = z > l1 ? z - l1 : (z < -l1 ? z + l1 : 0)
                    new = a + l2 > 0 ? shrunk / (a + l2) : 0
                }
                let delta = new - trial[j]
                if delta != 0 {
                    for k in 0..<n { r[k] += delta * gram[k * n + j] }
                    trial[j] = new
                    largest = max(largest, abs(delta))
                }
            }
            if largest <= 1e-13 * scale { break }
        }
    }

    mutating func solve(tolerance: Double, maxIterations: Int) -> (Int, Bool) {
        let p = data.columns
        for iteration in 1...maxIterations {
            formQuadraticModel()
            var scale = 1.0
            for j in 0..<p { scale = max(scale, abs(beta[j])) }
            scale = max(scale, abs(intercept))
            if l1 > 0 || !newtonStep() { coordinateDescentStep(scale: scale) }
            // u = X·(trial − β) + (trial intercept − intercept).
            let db = fitIntercept ? trial[p] - intercept : 0
            for i in 0..<data.rows {
                var sum = db
                for a in data.start[i]..<data.start[i + 1] {
                    let j = Int(data.column[a])
                    sum += data.value[a] * (trial[j] - beta[j])
                }
                u[i] = sum
            }
            let current = objective(step: 0)
            var s = 1.0
            while s > 1e-10 && objective(step: s) > current + 1e-12 * abs(current) { s *= 0.5 }
            var change = 0.0
            for j in 0..<p {
                let delta = s * (trial[j] - beta[j])
                change = max(change, abs(delta))
                beta[j] = s == 1 ? trial[j] : beta[j] + delta
            }
            change = max(change, abs(s * db))
            intercept = s == 1 && fitIntercept ? trial[p] : intercept + s * db
            for i in 0..<data.rows { eta[i] += s * u[i] }
            scale = 1.0
            for j in 0..<p { scale = max(scale, abs(beta[j])) }
            scale = max(scale, abs(intercept))
            if change <= tolerance * scale { return (iteration, true) }
        }
        return (maxIterations, false)
    }
}
