import Foundation
import Testing
import ParetoCore
@testable import ParetoData

// MARK: Helpers

/// Random labels for `n` rows over `classes` classes with uneven shares,
/// drawn from a seeded generator so every run sees the same sets.
private func randomLabels(_ n: Int, classes: Int, rng: inout Xoshiro256) -> [Int] {
    // Class c has weight c + 1, so the largest class is about `classes` times the smallest.
    let weights = (0..<classes).map { $0 + 1 }
    let total = weights.reduce(0, +)
    return (0..<n).map { _ in
        var draw = rng.uniformInt(below: total)
        for (c, w) in weights.enumerated() {
            if draw < w { return c * 10 - 7 }  // arbitrary, non-contiguous, partly negative codes
            draw -= w
        }
        fatalError("unreachable")
    }
}

/// Every row in exactly one of `parts`, and each part sorted.
private func expectPartition(_ parts: [[Int]], rowCount n: Int, _ comment: String = "",
                             sourceLocation: SourceLocation = #_sourceLocation) {
    let all = parts.flatMap { $0 }
    #expect(all.sorted() == Array(0..<n), "not a partition \(comment)", sourceLocation: sourceLocation)
    for part in parts {
        #expect(part == part.sorted(), "part not sorted \(comment)", sourceLocation: sourceLocation)
    }
}

/// Checks folds: each fold's train and validation partition the rows, and
/// the validation parts partition the rows across folds.
private func expectFolds(_ folds: [Fold], rowCount n: Int, k: Int, _ comment: String = "",
                         sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(folds.count == k, "\(comment)", sourceLocation: sourceLocation)
    for fold in folds {
        expectPartition([fold.train, fold.validation], rowCount: n, comment, sourceLocation: sourceLocation)
        #expect(!fold.validation.isEmpty, "\(comment)", sourceLocation: sourceLocation)
    }
    expectPartition(folds.map(\.validation), rowCount: n, comment, sourceLocation: sourceLocation)
}

/// Asserts that `body` throws a `UsageError`.
private func expectUsageError(_ comment: String = "", sourceLocation: SourceLocation = #_sourceLocation,
                              _ body: () throws -> Any) {
    #expect(throws: UsageError.self, "\(comment)", sourceLocation: sourceLocation) { _ = try body() }
}

/// Rows per class code.
private func countByClass(_ rows: [Int], _ labels: [Int]) -> [Int: Int] {
    var counts: [Int: Int] = [:]
    for row in rows { counts[labels[row], default: 0] += 1 }
    return counts
}

// MARK: Holdout

@Suite("HoldoutSplitter")
struct HoldoutSplitterTests {
    @Test("random: disjoint, covering, exact sizes round(n × fraction)")
    func randomSizes() throws {
        for n in [2, 3, 7, 10, 25, 99, 100, 1001] {
            for (test, validation) in [(0.2, 0.0), (0.25, 0.1), (0.5, 0.0), (0.05, 0.3), (0.45, 0.45)] {
                let label = "n \(n) test \(test) validation \(validation)"
                let testCount = Int((Double(n) * test).rounded())
                let validationCount = Int((Double(n) * validation).rounded())
                guard testCount >= 1, n - testCount - validationCount >= 1 else { continue }
                let split = try HoldoutSplitter(testFraction: test, validationFraction: validation, seed: 3)
                    .split(rowCount: n)
                expectPartition([split.train, split.validation, split.test], rowCount: n, label)
                #expect(split.test.count == testCount, "\(label)")
                #expect(split.validation.count == validationCount, "\(label)")
            }
        }
        // Rounds half away from zero: 10 × 0.25 = 2.5 → 3; 10 × 0.15 = 1.5 → 2.
        let split = try HoldoutSplitter(testFraction: 0.25, validationFraction: 0.15).split(rowCount: 10)
        #expect(split.test.count == 3)
        #expect(split.validation.count == 2)
        #expect(split.train.count == 5)
    }

    @Test("random: the same seed gives the same split, different seeds differ")
    func randomDeterminism() throws {
        let a = try HoldoutSplitter(testFraction: 0.3, validationFraction: 0.2, seed: 1).split(rowCount: 200)
        let b = try HoldoutSplitter(testFraction: 0.3, validationFraction: 0.2, seed: 1).split(rowCount: 200)
        let c = try HoldoutSplitter(testFraction: 0.3, validationFraction: 0.2, seed: 2).split(rowCount: 200)
        #expect(a == b)
        #expect(a.test != c.test)
        #expect(a.validation != c.validation)
    }

    @Test("random: every row is equally likely to land in the test part")
    func randomUniformity() throws {
        // 400 seeds × 10 rows with test fraction 0.3: each row is in the test part
        // with probability 0.3, so about 120 ± 9.2 (binomial sd) times.
        var counts = [Int](repeating: 0, count: 10)
        for seed in 0..<400 {
            for row in try HoldoutSplitter(testFraction: 0.3, seed: UInt64(seed)).split(rowCount: 10).test {
                counts[row] += 1
            }
        }
        #expect(counts.allSatisfy { abs($0 - 120) <= 40 }, "\(counts)")
    }

    @Test("stratified: each class's test count is within one row of n_c × fraction")
    func stratified() throws {
        var rng = Xoshiro256(seed: 99)
        for trial in 0..<200 {
            let n = 20 + rng.uniformInt(below: 300)
            let labels = randomLabels(n, classes: 1 + rng.uniformInt(below: 5), rng: &rng)
            let testFraction = [0.1, 0.2, 0.25, 1.0 / 3.0, 0.5][trial % 5]
            let label = "trial \(trial): n \(n), test fraction \(testFraction)"
            let split = try HoldoutSplitter(testFraction: testFraction, strategy: .stratified(labels: labels),
                                            seed: UInt64(trial)).split(rowCount: n)
            expectPartition([split.train, split.validation, split.test], rowCount: n, label)
            #expect(split.validation.isEmpty)
            #expect(split.test.count == Int((Double(n) * testFraction).rounded()), "\(label)")
            let classSizes = countByClass(Array(0..<n), labels)
            let testCounts = countByClass(split.test, labels)
            for (c, size) in classSizes {
                let exact = Double(size) * testFraction
                #expect(abs(Double(testCounts[c, default: 0]) - exact) < 1, "\(label): class \(c)")
            }
        }
    }

    @Test("stratified with validation: parts have round(n × fraction) rows, classes within one row")
    func stratifiedWithValidation() throws {
        var rng = Xoshiro256(seed: 7)
        for trial in 0..<100 {
            let n = 50 + rng.uniformInt(below: 300)
            let labels = randomLabels(n, classes: 2 + rng.uniformInt(below: 4), rng: &rng)
            let label = "trial \(trial): n \(n)"
            let split = try HoldoutSplitter(testFraction: 0.2, validationFraction: 0.15,
                                            strategy: .stratified(labels: labels), seed: UInt64(trial))
                .split(rowCount: n)
            expectPartition([split.train, split.validation, split.test], rowCount: n, label)
            #expect(split.test.count == Int((Double(n) * 0.2).rounded()), "\(label)")
            #expect(split.validation.count == Int((Double(n) * 0.15).rounded()), "\(label)")
            let classSizes = countByClass(Array(0..<n), labels)
            let validationCounts = countByClass(split.validation, labels)
            for (c, size) in classSizes {
                #expect(abs(Double(validationCounts[c, default: 0]) - Double(size) * 0.15) < 1, "\(label): class \(c)")
            }
        }
    }

    @Test("stratified with validation keeps the documented part sizes when classes are small")
    func stratifiedSmallClasses() throws {
        // 10 classes of 3 rows; test 0.4 and validation 0.4 of 30 rows = 12 rows each.
        // Exact shares per class are 1.2 and 1.2, so each class can give 1 or 2 rows
        // to each part and still fit in its 3 rows (e.g. 2 + 1 or 1 + 2 or 1 + 1).
        let labels = (0..<30).map { $0 % 10 }
        let split = try HoldoutSplitter(testFraction: 0.4, validationFraction: 0.4,
                                        strategy: .stratified(labels: labels), seed: 1).split(rowCount: 30)
        expectPartition([split.train, split.validation, split.test], rowCount: 30)
        #expect(split.test.count == 12)
        // Validation shares are allocated within what each class has left after
        // the test part (a regression test: they once ignored it and came out short).
        #expect(split.validation.count == 12)
        #expect(split.train.count == 6)
        let tiny = try HoldoutSplitter(testFraction: 0.3, validationFraction: 0.3,
                                       strategy: .stratified(labels: Array(0..<10)), seed: 1).split(rowCount: 10)
        #expect(tiny.test.count == 3 && tiny.validation.count == 3 && tiny.train.count == 4)
        let classSizes = countByClass(Array(0..<30), labels)
        for part in [split.test, split.validation] {
            let counts = countByClass(part, labels)
            for c in classSizes.keys { #expect((1...2).contains(counts[c, default: 0]), "class \(c)") }
        }
    }

    @Test("stratified: same seed same split, different seeds differ")
    func stratifiedDeterminism() throws {
        let labels = (0..<120).map { $0 % 3 }
        let make = { (seed: UInt64) in
            try HoldoutSplitter(testFraction: 0.25, strategy: .stratified(labels: labels), seed: seed)
                .split(rowCount: 120)
        }
        #expect(try make(4) == make(4))
        #expect(try make(4).test != make(5).test)
        // 40 rows per class × 0.25 = exactly 10 of each class in the test part.
        #expect(countByClass(try make(4).test, labels) == [0: 10, 1: 10, 2: 10])
    }

    @Test("grouped: no group on both sides, test part reaches its share")
    func grouped() throws {
        var rng = Xoshiro256(seed: 5)
        for trial in 0..<100 {
            let n = 30 + rng.uniformInt(below: 200)
            let groupCount = 3 + rng.uniformInt(below: 20)
            let groups = (0..<n).map { _ in rng.uniformInt(below: groupCount) * 3 }
            let validationFraction = trial % 2 == 0 ? 0.0 : 0.15
            let label = "trial \(trial)"
            let split = try HoldoutSplitter(testFraction: 0.2, validationFraction: validationFraction,
                                            strategy: .grouped(groups: groups), seed: UInt64(trial))
                .split(rowCount: n)
            expectPartition([split.train, split.validation, split.test], rowCount: n, label)
            let trainGroups = Set(split.train.map { groups[$0] })
            let validationGroups = Set(split.validation.map { groups[$0] })
            let testGroups = Set(split.test.map { groups[$0] })
            #expect(trainGroups.isDisjoint(with: testGroups), "\(label)")
            #expect(trainGroups.isDisjoint(with: validationGroups), "\(label)")
            #expect(validationGroups.isDisjoint(with: testGroups), "\(label)")
            // Whole groups until the share is reached (one group at least stays in train).
            let distinct = Set(groups).count
            if testGroups.count + validationGroups.count < distinct - 1 {
                #expect(split.test.count >= Int((Double(n) * 0.2).rounded()), "\(label)")
            }
            // ... and stops once it is: the last group added (at most the largest
            // test group) started below the share.
            let sizes = countByClass(Array(0..<n), groups)
            let largestTestGroup = testGroups.map { sizes[$0]! }.max()!
            #expect(split.test.count - largestTestGroup < Int((Double(n) * 0.2).rounded()), "\(label)")
        }
    }

    @Test("grouped: same seed same split, different seeds differ")
    func groupedDeterminism() throws {
        let groups = (0..<200).map { $0 / 5 }  // 40 groups of 5
        let make = { (seed: UInt64) in
            try HoldoutSplitter(testFraction: 0.2, strategy: .grouped(groups: groups), seed: seed).split(rowCount: 200)
        }
        #expect(try make(1) == make(1))
        #expect(try make(1).test != make(2).test)
        // Groups of 5 reach 40 test rows exactly.
        #expect(try make(1).test.count == 40)
    }

    @Test("time-ordered: every train time precedes every test time, gap rows left out")
    func timeOrdered() throws {
        // Times in scrambled row order: row i has time times[i].
        let times: [Double] = [5, 0, 9, 3, 7, 1, 8, 2, 6, 4, 11, 10]
        let frame = try DataFrame([.numeric("t", times)])
        let order = try frame.rowOrder(by: "t")
        #expect(order.map { times[$0] } == (0..<12).map(Double.init))

        // 12 rows, test 0.25 → 3 test rows, gap 2: train is times 0...6, test 9...11.
        let split = try HoldoutSplitter(testFraction: 0.25, strategy: .timeOrdered(order: order, gap: 2))
            .split(rowCount: 12)
        #expect(split.test.map { times[$0] }.sorted() == [9, 10, 11])
        #expect(split.train.map { times[$0] }.sorted() == [0, 1, 2, 3, 4, 5, 6])
        #expect(split.validation.isEmpty)
        #expect(split.train.map { times[$0] }.max()! < split.test.map { times[$0] }.min()!)

        // With validation: train | gap | validation | gap | test.
        let three = try HoldoutSplitter(testFraction: 0.25, validationFraction: 0.25,
                                        strategy: .timeOrdered(order: order, gap: 1)).split(rowCount: 12)
        #expect(three.train.map { times[$0] }.sorted() == [0, 1, 2, 3])
        #expect(three.validation.map { times[$0] }.sorted() == [5, 6, 7])
        #expect(three.test.map { times[$0] }.sorted() == [9, 10, 11])
        #expect(three.train == three.train.sorted() && three.test == three.test.sorted())
    }

    @Test("time-ordered: order property over many sizes and gaps")
    func timeOrderedProperties() throws {
        var rng = Xoshiro256(seed: 12)
        for trial in 0..<50 {
            let n = 20 + rng.uniformInt(below: 100)
            let order = rng.permutation(n)  // order[p] is the row at time p
            var time = [Int](repeating: 0, count: n)
            for (p, row) in order.enumerated() { time[row] = p }
            let gap = rng.uniformInt(below: 4)
            let validation = trial % 2 == 0 ? 0.0 : 0.2
            let split = try HoldoutSplitter(testFraction: 0.2, validationFraction: validation,
                                            strategy: .timeOrdered(order: order, gap: gap)).split(rowCount: n)
            let testCount = Int((Double(n) * 0.2).rounded())
            let validationCount = Int((Double(n) * validation).rounded())
            let gaps = validationCount > 0 ? 2 * gap : gap
            let label = "trial \(trial): n \(n) gap \(gap)"
            #expect(split.test.count == testCount, "\(label)")
            #expect(split.validation.count == validationCount, "\(label)")
            #expect(split.train.count == n - testCount - validationCount - gaps, "\(label)")
            let all = split.train + split.validation + split.test
            #expect(Set(all).count == all.count, "\(label)")
            let trainTimes = split.train.map { time[$0] }, testTimes = split.test.map { time[$0] }
            #expect(trainTimes.max()! < testTimes.min()!, "\(label)")
            #expect(testTimes.min()! - trainTimes.max()! - 1 == gaps + validationCount, "\(label)")
            #expect(Set(trainTimes) == Set(0..<split.train.count), "train is the earliest rows: \(label)")
            #expect(Set(testTimes) == Set((n - testCount)..<n), "test is the latest rows: \(label)")
            if validationCount > 0 {
                let validationTimes = split.validation.map { time[$0] }
                #expect(validationTimes.min()! - trainTimes.max()! - 1 == gap, "\(label)")
                #expect(testTimes.min()! - validationTimes.max()! - 1 == gap, "\(label)")
            }
        }
    }

    @Test("bad fractions, lengths, gaps and sizes throw UsageError")
    func errors() {
        for (test, validation) in [(0.0, 0.0), (1.0, 0.0), (-0.1, 0.0), (1.5, 0.0), (0.2, -0.1), (0.5, 0.5),
                                   (0.6, 0.6), (Double.nan, 0.0), (0.2, Double.nan)] {
            expectUsageError("test \(test) validation \(validation)") {
                try HoldoutSplitter(testFraction: test, validationFraction: validation).split(rowCount: 100)
            }
        }
        expectUsageError("labels too short") {
            try HoldoutSplitter(testFraction: 0.2, strategy: .stratified(labels: [0, 1, 0])).split(rowCount: 4)
        }
        expectUsageError("groups too long") {
            try HoldoutSplitter(testFraction: 0.2, strategy: .grouped(groups: [0, 1, 2, 3, 4])).split(rowCount: 4)
        }
        expectUsageError("order too short") {
            try HoldoutSplitter(testFraction: 0.2, strategy: .timeOrdered(order: [0, 1], gap: 0)).split(rowCount: 4)
        }
        expectUsageError("negative gap") {
            try HoldoutSplitter(testFraction: 0.2, strategy: .timeOrdered(order: Array(0..<10), gap: -1))
                .split(rowCount: 10)
        }
        expectUsageError("gap eats the training rows") {
            try HoldoutSplitter(testFraction: 0.2, strategy: .timeOrdered(order: Array(0..<10), gap: 8))
                .split(rowCount: 10)
        }
        expectUsageError("no rows") { try HoldoutSplitter(testFraction: 0.2).split(rowCount: 0) }
        expectUsageError("test part would be empty") { try HoldoutSplitter(testFraction: 0.1).split(rowCount: 4) }
        expectUsageError("train part would be empty") { try HoldoutSplitter(testFraction: 0.5).split(rowCount: 1) }
        expectUsageError("two groups cannot fill train, validation and test") {
            try HoldoutSplitter(testFraction: 0.2, validationFraction: 0.2,
                                strategy: .grouped(groups: [0, 0, 0, 0, 0, 1, 1, 1, 1, 1])).split(rowCount: 10)
        }
    }
}

// MARK: Cross-validation

@Suite("Fold generators")
struct FoldGeneratorTests {
    @Test("KFold without shuffling: contiguous blocks, larger first (as scikit-learn's KFold)")
    func kFoldUnshuffled() throws {
        // scikit-learn 1.9.1: [te for _, te in KFold(3).split(np.zeros((10, 1)))]
        // → [0, 1, 2, 3], [4, 5, 6], [7, 8, 9].
        let folds = try KFold(k: 3, shuffle: false).folds(rowCount: 10)
        #expect(folds.map(\.validation) == [[0, 1, 2, 3], [4, 5, 6], [7, 8, 9]])
        #expect(folds[1].train == [0, 1, 2, 3, 7, 8, 9])
    }

    @Test("KFold: partitions, fold sizes within one, deterministic per seed")
    func kFold() throws {
        for n in [2, 5, 10, 11, 97, 500] {
            for k in [2, 3, 5, 10] where k <= n {
                let folds = try KFold(k: k, seed: 8).folds(rowCount: n)
                expectFolds(folds, rowCount: n, k: k, "n \(n) k \(k)")
                let sizes = folds.map(\.validation.count)
                #expect(sizes.max()! - sizes.min()! <= 1, "n \(n) k \(k): \(sizes)")
                #expect(try KFold(k: k, seed: 8).folds(rowCount: n) == folds)
            }
        }
        #expect(try KFold(k: 5, seed: 1).folds(rowCount: 100) != KFold(k: 5, seed: 2).folds(rowCount: 100))
        // Shuffled folds are not the contiguous blocks.
        #expect(try KFold(k: 5, seed: 1).folds(rowCount: 100) != KFold(k: 5, shuffle: false).folds(rowCount: 100))
    }

    @Test("StratifiedKFold: each class floor or ceil of n_c / k per fold, fold sizes within one")
    func stratifiedKFold() throws {
        var rng = Xoshiro256(seed: 2025)
        for trial in 0..<300 {
            let n = 10 + rng.uniformInt(below: 200)
            let labels = randomLabels(n, classes: 1 + rng.uniformInt(below: 6), rng: &rng)
            let k = 2 + rng.uniformInt(below: 9)
            let label = "trial \(trial): n \(n) k \(k)"
            let folds = try StratifiedKFold(k: k, labels: labels, seed: UInt64(trial)).folds(rowCount: n)
            expectFolds(folds, rowCount: n, k: k, label)
            let sizes = folds.map(\.validation.count)
            #expect(sizes.max()! - sizes.min()! <= 1, "\(label): \(sizes)")
            let classSizes = countByClass(Array(0..<n), labels)
            for fold in folds {
                let counts = countByClass(fold.validation, labels)
                for (c, size) in classSizes {
                    let count = counts[c, default: 0]
                    #expect(count == size / k || count == (size + k - 1) / k,
                            "\(label): class \(c) of \(size) has \(count) in a fold")
                }
            }
        }
    }

    @Test("StratifiedKFold: deterministic per seed, different across seeds")
    func stratifiedKFoldDeterminism() throws {
        let labels = (0..<90).map { $0 % 3 == 0 ? 1 : 0 }
        let a = try StratifiedKFold(k: 3, labels: labels, seed: 1).folds(rowCount: 90)
        #expect(try StratifiedKFold(k: 3, labels: labels, seed: 1).folds(rowCount: 90) == a)
        #expect(try StratifiedKFold(k: 3, labels: labels, seed: 2).folds(rowCount: 90) != a)
    }

    @Test("GroupKFold matches scikit-learn when group sizes are distinct")
    func groupKFoldAgainstScikitLearn() throws {
        // Groups of sizes 6, 5, 4, 3, 2, 1 (codes 0...5) in a scrambled row order;
        // scikit-learn 1.9.1 GroupKFold(3) puts groups {0, 5}, {1, 4}, {2, 3} in
        // folds 0, 1, 2 (largest group first, to the lightest fold), i.e. validation
        // rows [2, 3, 10, 11, 12, 17, 18], [0, 5, 7, 8, 9, 14, 15], [1, 4, 6, 13, 16, 19, 20].
        // With distinct sizes the seed cannot matter.
        let groups = [1, 2, 5, 0, 2, 1, 2, 4, 1, 4, 0, 0, 0, 3, 1, 1, 3, 0, 0, 3, 2]
        for seed: UInt64 in [0, 1, 99] {
            let folds = try GroupKFold(k: 3, groups: groups, seed: seed).folds(rowCount: groups.count)
            #expect(folds.map(\.validation) == [
                [2, 3, 10, 11, 12, 17, 18], [0, 5, 7, 8, 9, 14, 15], [1, 4, 6, 13, 16, 19, 20],
            ])
        }
    }

    @Test("GroupKFold: no group on both sides, every row validated once")
    func groupKFold() throws {
        var rng = Xoshiro256(seed: 31)
        for trial in 0..<100 {
            let n = 20 + rng.uniformInt(below: 200)
            let groupCount = 5 + rng.uniformInt(below: 30)
            let groups = (0..<n).map { _ in rng.uniformInt(below: groupCount) }
            let distinct = Set(groups).count
            let k = 2 + rng.uniformInt(below: min(5, distinct - 1))
            let label = "trial \(trial): n \(n) k \(k)"
            let folds = try GroupKFold(k: k, groups: groups, seed: UInt64(trial)).folds(rowCount: n)
            expectFolds(folds, rowCount: n, k: k, label)
            for fold in folds {
                #expect(Set(fold.train.map { groups[$0] }).isDisjoint(with: fold.validation.map { groups[$0] }),
                        "\(label)")
            }
            // Greedy largest-first: no fold exceeds the lightest by more than the largest group.
            let sizes = folds.map(\.validation.count)
            let largestGroup = countByClass(Array(0..<n), groups).values.max()!
            #expect(sizes.max()! - sizes.min()! <= largestGroup, "\(label): \(sizes)")
        }
        // Equal-size groups: ties broken by the seed.
        let groups = (0..<60).map { $0 / 3 }  // 20 groups of 3
        let a = try GroupKFold(k: 4, groups: groups, seed: 1).folds(rowCount: 60)
        #expect(try GroupKFold(k: 4, groups: groups, seed: 1).folds(rowCount: 60) == a)
        #expect(try GroupKFold(k: 4, groups: groups, seed: 2).folds(rowCount: 60) != a)
        #expect(a.allSatisfy { $0.validation.count == 15 })
    }

    @Test("RepeatedFolds: each repeat is a full set of folds, repeats differ, deterministic")
    func repeated() throws {
        let folds = try RepeatedFolds(KFold(k: 4), repeats: 3, seed: 9).folds(rowCount: 50)
        #expect(folds.count == 12)
        for r in 0..<3 {
            expectFolds(Array(folds[(4 * r)..<(4 * r + 4)]), rowCount: 50, k: 4, "repeat \(r)")
        }
        #expect(folds[0..<4] != folds[4..<8])
        #expect(folds[4..<8] != folds[8..<12])
        #expect(try RepeatedFolds(KFold(k: 4), repeats: 3, seed: 9).folds(rowCount: 50) == folds)
        #expect(try RepeatedFolds(KFold(k: 4), repeats: 3, seed: 10).folds(rowCount: 50) != folds)

        let labels = (0..<40).map { $0 % 4 == 0 ? 1 : 0 }
        let stratified = try RepeatedFolds(StratifiedKFold(k: 5, labels: labels), repeats: 2, seed: 1)
            .folds(rowCount: 40)
        #expect(stratified.count == 10)
        for fold in stratified {
            #expect(countByClass(fold.validation, labels) == [0: 6, 1: 2])
        }
        expectUsageError("repeats 0") { try RepeatedFolds(KFold(k: 4), repeats: 0).folds(rowCount: 50) }
    }

    @Test("bad k, lengths and group counts throw UsageError")
    func errors() {
        expectUsageError("k = 1") { try KFold(k: 1).folds(rowCount: 10) }
        expectUsageError("k = 0") { try KFold(k: 0).folds(rowCount: 10) }
        expectUsageError("k > n") { try KFold(k: 11).folds(rowCount: 10) }
        expectUsageError("stratified k = 1") { try StratifiedKFold(k: 1, labels: [0, 1, 0]).folds(rowCount: 3) }
        expectUsageError("stratified k > n") { try StratifiedKFold(k: 4, labels: [0, 1, 0]).folds(rowCount: 3) }
        expectUsageError("labels length") { try StratifiedKFold(k: 2, labels: [0, 1, 0]).folds(rowCount: 4) }
        expectUsageError("groups length") { try GroupKFold(k: 2, groups: [0, 1, 2]).folds(rowCount: 4) }
        expectUsageError("fewer groups than k") { try GroupKFold(k: 3, groups: [0, 0, 1, 1]).folds(rowCount: 4) }
        expectUsageError("group k = 1") { try GroupKFold(k: 1, groups: [0, 1]).folds(rowCount: 2) }
    }
}

// MARK: Time-series cross-validation

/// Expected folds were printed by scikit-learn 1.9.1 (installed in a throwaway
/// venv: `python3 -m venv /tmp/skvenv && /tmp/skvenv/bin/pip install scikit-learn`)
/// with `[(tr.tolist(), te.tolist()) for tr, te in TimeSeriesSplit(...).split(np.zeros((n, 1)))]`.
@Suite("TimeSeriesSplit")
struct TimeSeriesSplitTests {
    private func pairs(_ folds: [Fold]) -> [[[Int]]] { folds.map { [$0.train, $0.validation] } }

    @Test("6 rows, 5 splits (scikit-learn's documented example)")
    func sixRows() throws {
        #expect(pairs(try TimeSeriesSplit(k: 5).folds(rowCount: 6)) == [
            [[0], [1]], [[0, 1], [2]], [[0, 1, 2], [3]], [[0, 1, 2, 3], [4]], [[0, 1, 2, 3, 4], [5]],
        ])
    }

    @Test("12 rows, 3 splits, test size 2, gap 2 (scikit-learn's documented example)")
    func gapAndTestSize() throws {
        #expect(pairs(try TimeSeriesSplit(k: 3, gap: 2, testSize: 2).folds(rowCount: 12)) == [
            [[0, 1, 2, 3], [6, 7]], [[0, 1, 2, 3, 4, 5], [8, 9]], [[0, 1, 2, 3, 4, 5, 6, 7], [10, 11]],
        ])
    }

    @Test("default test size n / (k + 1) with the remainder going to the first train part")
    func defaultTestSize() throws {
        // TimeSeriesSplit(n_splits=3) on 11 rows.
        #expect(pairs(try TimeSeriesSplit(k: 3).folds(rowCount: 11)) == [
            [[0, 1, 2, 3, 4], [5, 6]], [[0, 1, 2, 3, 4, 5, 6], [7, 8]], [[0, 1, 2, 3, 4, 5, 6, 7, 8], [9, 10]],
        ])
        // TimeSeriesSplit(n_splits=3, test_size=3) on 10 rows.
        #expect(pairs(try TimeSeriesSplit(k: 3, testSize: 3).folds(rowCount: 10)) == [
            [[0], [1, 2, 3]], [[0, 1, 2, 3], [4, 5, 6]], [[0, 1, 2, 3, 4, 5, 6], [7, 8, 9]],
        ])
    }

    @Test("a maximum training size below one row is a usage error")
    func badMaxTrainSize() {
        for size in [0, -1] {
            #expect(throws: UsageError.self) { try TimeSeriesSplit(k: 3, maxTrainSize: size).folds(rowCount: 10) }
        }
    }

    @Test("maxTrainSize keeps only the latest rows")
    func maxTrainSize() throws {
        // TimeSeriesSplit(n_splits=3, max_train_size=2) on 10 rows.
        #expect(pairs(try TimeSeriesSplit(k: 3, maxTrainSize: 2).folds(rowCount: 10)) == [
            [[2, 3], [4, 5]], [[4, 5], [6, 7]], [[6, 7], [8, 9]],
        ])
        // TimeSeriesSplit(n_splits=4, gap=1, max_train_size=3) on 10 rows.
        #expect(pairs(try TimeSeriesSplit(k: 4, gap: 1, maxTrainSize: 3).folds(rowCount: 10)) == [
            [[0], [2, 3]], [[0, 1, 2], [4, 5]], [[2, 3, 4], [6, 7]], [[4, 5, 6], [8, 9]],
        ])
    }

    @Test("a custom order maps positions to rows")
    func customOrder() throws {
        let times: [Double] = [40, 10, 50, 0, 30, 20]
        let order = try DataFrame([.numeric("t", times)]).rowOrder(by: "t")
        #expect(order == [3, 1, 5, 4, 0, 2])
        let folds = try TimeSeriesSplit(k: 5, order: order).folds(rowCount: 6)
        #expect(folds.map(\.validation) == [[1], [5], [4], [0], [2]])
        for fold in folds {
            #expect(fold.train.map { times[$0] }.max()! < fold.validation.map { times[$0] }.min()!)
        }
        #expect(folds[4].train == [3, 1, 5, 4, 0])  // in time order
    }

    @Test("too few rows, k < 2, bad sizes and lengths throw UsageError")
    func errors() {
        // scikit-learn: "Cannot have number of folds=6 greater than the number of samples=5."
        expectUsageError("5 rows, 5 splits") { try TimeSeriesSplit(k: 5).folds(rowCount: 5) }
        // scikit-learn: "Too many splits=3 for number of samples=10 with test_size=3 and gap=1."
        expectUsageError("10 rows, test size 3, gap 1") {
            try TimeSeriesSplit(k: 3, gap: 1, testSize: 3).folds(rowCount: 10)
        }
        expectUsageError("k = 1") { try TimeSeriesSplit(k: 1).folds(rowCount: 10) }
        expectUsageError("test size 0") { try TimeSeriesSplit(k: 2, testSize: 0).folds(rowCount: 10) }
        expectUsageError("negative gap") { try TimeSeriesSplit(k: 2, gap: -1).folds(rowCount: 10) }
        expectUsageError("order length") { try TimeSeriesSplit(k: 2, order: [0, 1, 2]).folds(rowCount: 10) }
    }
}

// MARK: DataFrame helpers

@Suite("DataFrame.labelCodes and rowOrder")
struct SplitFrameHelperTests {
    @Test("labelCodes: codes in order of first appearance, missing values share a code")
    func labelCodes() throws {
        let frame = try DataFrame([
            .categorical("g", ["b", "a", "b", nil, "c", "a", nil]),
            .numeric("x", [1.5, 2, 1.5, .nan, 2, 7, 2]),
        ])
        #expect(try frame.labelCodes("g") == [0, 1, 0, 2, 3, 1, 2])
        #expect(try frame.labelCodes("x") == [0, 1, 0, 2, 1, 3, 1])
        expectUsageError("unknown column") { try frame.labelCodes("nope") }
    }

    @Test("rowOrder: ascending, ties in row order, missing last")
    func rowOrder() throws {
        let frame = try DataFrame([
            .numeric("t", [3, 1, .nan, 2, 1, .infinity, -.infinity]),
            .categorical("g", ["a", "b", "c", "d", "e", "f", "g"]),
        ])
        #expect(try frame.rowOrder(by: "t") == [6, 1, 4, 3, 0, 5, 2])
        expectUsageError("categorical column") { try frame.rowOrder(by: "g") }
        expectUsageError("unknown column") { try frame.rowOrder(by: "nope") }

        let dates = try DataFrame([
            Column(name: "d", values: .datetime(DateTimeColumn(microseconds: [300, nil, -5, 300, 0], hasTime: true))),
        ])
        #expect(try dates.rowOrder(by: "d") == [2, 4, 0, 3, 1])
    }

    @Test("a stratified split from labelCodes keeps the class balance of a frame")
    func stratifiedFromFrame() throws {
        let churn: [String?] = (0..<50).map { $0 % 5 == 0 ? "yes" : "no" }
        let frame = try DataFrame([.categorical("churn", churn), .numeric("t", (0..<50).map(Double.init))])
        let labels = try frame.labelCodes("churn")
        let split = try HoldoutSplitter(testFraction: 0.2, strategy: .stratified(labels: labels), seed: 7)
            .split(rowCount: frame.rowCount)
        // 10 "yes" and 40 "no": exactly 2 and 8 in the test part.
        #expect(split.test.filter { churn[$0] == "yes" }.count == 2)
        #expect(split.test.filter { churn[$0] == "no" }.count == 8)
    }
}
