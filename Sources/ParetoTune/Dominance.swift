/// Pareto dominance between objective vectors, all to be minimized: the
/// building blocks of multi-objective TPE, NSGA-II and `ParetoFront`.
///
/// Flip the sign of maximized objectives first (`Dominance.minimizing`).
public enum Dominance {
    /// Whether `a` dominates `b`: no worse in every objective, better in one.
    public static func dominates(_ a: [Double], _ b: [Double]) -> Bool {
        var better = false
        for i in a.indices {
            if a[i] > b[i] { return false }
            if a[i] < b[i] { better = true }
        }
        return better
    }

    /// `values` with maximized objectives negated, so that smaller is better everywhere.
    public static func minimizing(_ values: [Double], _ directions: [StudyDirection]) -> [Double] {
        zip(values, directions).map { $1 == .minimize ? $0 : -$0 }
    }

    /// The non-domination rank of each point: 0 for the Pareto front, 1 for
    /// the front once rank 0 is removed, and so on (Deb's fast non-dominated sort).
    ///
    /// Cost: O(objectives × points²).
    public static func ranks(_ points: [[Double]]) -> [Int] {
        let n = points.count
        var dominatedBy = [Int](repeating: 0, count: n)   // how many points dominate i
        var dominates = [[Int]](repeating: [], count: n)  // which points i dominates
        for i in 0..<n {
            for j in (i + 1)..<max(n, i + 1) {
                if Dominance.dominates(points[i], points[j]) {
                    dominates[i].append(j)
                    dominatedBy[j] += 1
                } else if Dominance.dominates(points[j], points[i]) {
                    dominates[j].append(i)
                    dominatedBy[i] += 1
                }
            }
        }
        var rank = [Int](repeating: 0, count: n)
        var front = (0..<n).filter { dominatedBy[$0] == 0 }
        var level = 0
        while !front.isEmpty {
            var next: [Int] = []
            for i in front {
                rank[i] = level
                for j in dominates[i] {
                    dominatedBy[j] -= 1
                    if dominatedBy[j] == 0 { next.append(j) }
                }
            }
            front = next.sorted()
            level += 1
        }
        return rank
    }

    /// The crowding distance of each point within one front: the sum over
    /// objectives of the gap between its two neighbours, divided by the
    /// objective's range; the extreme points of each objective get infinity.
    ///
    /// Cost: O(objectives × n log n).
    public static func crowdingDistances(_ points: [[Double]]) -> [Double] {
        let n = points.count
        guard n > 2 else { return [Double](repeating: .infinity, count: n) }
        var distance = [Double](repeating: 0, count: n)
        for m in points[0].indices {
            let order = (0..<n).sorted { (points[$0][m], $0) < (points[$1][m], $1) }
            let low = points[order[0]][m], high = points[order[n - 1]][m]
            distance[order[0]] = .infinity
            distance[order[n - 1]] = .infinity
            let range = high - low
            guard range > 0, range.isFinite else { continue }
            for r in 1..<(n - 1) {
                distance[order[r]] += (points[order[r + 1]][m] - points[order[r - 1]][m]) / range
            }
        }
        return distance
    }

    /// The indices of the `count` best points: whole fronts in rank order,
    /// the last front cut by largest crowding distance (ties by index).
    public static func best(_ points: [[Double]], count: Int) -> [Int] {
        let rank = ranks(points)
        var chosen: [Int] = []
        var level = 0
        while chosen.count < min(count, points.count) {
            let front = points.indices.filter { rank[$0] == level }
            if chosen.count + front.count <= count {
                chosen += front
            } else {
                let crowding = crowdingDistances(front.map { points[$0] })
                let order = front.indices.sorted { (crowding[$0], -front[$0]) > (crowding[$1], -front[$1]) }
                chosen += order.prefix(count - chosen.count).map { front[$0] }
            }
            level += 1
        }
        return chosen
    }
}
