// pareto-bench tune: hyperparameter-optimization benchmarks (bench/tune.py runs Optuna on the same).
//
//   pareto-bench tune quality --function NAME (branin, hartmann6, rosenbrock10, styblinski10, mixed, conditional)
//                             --sampler tpe|tpe-mv|tpe-group|tpe-default|random|cmaes|gp [--trials N] [--seeds N]
//                             [--startup N] [--candidates N] [--first-seed N] [--gamma F] [--gamma-cap N]
//                             [--weighting recency|uniform|ei] [--prior-weight W] [--independent-categoricals|--joint-categoricals]
//       tpe, tpe-mv, tpe-group: Optuna's algorithm (TPESampler.optuna); tpe-default: Pareto's TPESampler();
//       function also one of TuneDevFunctions.names (bench/tpe_settings.py chooses settings on those)
//       best value after 50 and after N trials for each seed first..<first+seeds (one JSON line)
//   pareto-bench tune overhead --space 2d|mixed10 [--trials N] [--at N] [--sqlite PATH] [--multivariate] [--group] [--defaults]
//       per-trial time around trial --at (median gap between objective starts, trials at−5..<at+5),
//       over the last 100 trials, and the total seconds for N trials of a trivial objective, TPE,
//       in-memory storage (or a fresh SQLite file at PATH)
import Foundation
import Pareto

#if canImport(Glibc)
import Glibc
#endif

/// The test functions, defined identically in bench/tune.py.
enum TuneFunctions {
    static let names = ["branin", "hartmann6", "rosenbrock10", "styblinski10", "mixed", "conditional"]

    static func evaluate(_ name: String, _ trial: Trial) throws -> Double {
        switch name {
        case "branin":
            let x1 = try trial.suggestFloat("x1", -5...10), x2 = try trial.suggestFloat("x2", 0...15)
            let b = 5.1 / (4 * Double.pi * Double.pi), c = 5 / Double.pi, t = 1 / (8 * Double.pi)
            let a = x2 - b * x1 * x1 + c * x1 - 6
            return a * a + 10 * (1 - t) * cos(x1) + 10
        case "hartmann6":
            var x: [Double] = []
            for i in 0..<6 { x.append(try trial.suggestFloat("x\(i)", 0...1)) }
            return hartmann6(x)
        case "rosenbrock10":
            var x: [Double] = []
            for i in 0..<10 { x.append(try trial.suggestFloat("x\(i)", -5...10)) }
            var sum = 0.0
            for i in 0..<9 {
                let a = x[i + 1] - x[i] * x[i], b = 1 - x[i]
                sum += 100 * a * a + b * b
            }
            return sum
        case "styblinski10":
            var sum = 0.0
            for i in 0..<10 {
                let v = try trial.suggestFloat("x\(i)", -5...5)
                sum += v * v * v * v - 16 * v * v + 5 * v
            }
            return sum / 2
        case "mixed":
            let booster = try trial.suggestCategorical("booster", ["gbdt", "rf", "dart", "linear"])
            let offset = ["gbdt": 0.0, "rf": 0.3, "dart": 0.6, "linear": 1.0][booster]!
            let leaves = Double(try trial.suggestInt("leaves", 2...256, log: true))
            let depth = Double(try trial.suggestInt("depth", 1...12))
            let lr = try trial.suggestFloat("lr", 1e-4...1, log: true)
            let subsample = try trial.suggestFloat("subsample", 0.3...1.0, step: 0.05)
            let alpha = try trial.suggestFloat("alpha", -3...3)
            var value = offset + (log2(leaves) - 5) * (log2(leaves) - 5) / 4 + (depth - 6) * (depth - 6) / 10
            value += (log10(lr) + 1.5) * (log10(lr) + 1.5) + (subsample - 0.8) * (subsample - 0.8) * 10
            value += (alpha - 1.234) * (alpha - 1.234) / 5
            if booster == "linear" {
                let l1 = try trial.suggestFloat("l1", 0...1)
                value += (l1 - 0.2) * (l1 - 0.2)
            }
            return value
        case "conditional":
            return try conditional(trial)
        default:
            if let value = try TuneDevFunctions.evaluate(name, trial) { return value }
            fail("unknown function \(name) (\((names + TuneDevFunctions.names).joined(separator: ", ")))")
        }
    }

    /// A model-family space as `pareto optimize` searches: a 4-way family, each
    /// with its own 2–3 parameters (none shared) that interact within the family
    /// (GBDT's learning rate and rounds trade along a ridge lr × rounds = 10).
    /// Minimum 0 (GBDT near lr 0.0316, 316 rounds, 32 leaves); the other
    /// families' best are 0.1 (rf), 0.3 (linear), 0.05 (mlp).
    static func conditional(_ trial: Trial) throws -> Double {
        switch try trial.suggestCategorical("family", ["gbdt", "rf", "linear", "mlp"]) {
        case "gbdt":
            let lr = log10(try trial.suggestFloat("gbdt_lr", 1e-3...1, log: true))
            let rounds = log10(Double(try trial.suggestInt("gbdt_rounds", 10...1000, log: true)))
            let leaves = log2(Double(try trial.suggestInt("gbdt_leaves", 2...256, log: true)))
            let ridge = lr + rounds - 1
            return ridge * ridge + (rounds - 2.5) * (rounds - 2.5) / 10 + (leaves - 5) * (leaves - 5) / 20
        case "rf":
            let trees = log10(Double(try trial.suggestInt("rf_trees", 10...1000, log: true)))
            let depth = Double(try trial.suggestInt("rf_depth", 1...30))
            let features = try trial.suggestFloat("rf_features", 0.1...1)
            let shape = features - depth / 20
            return 0.1 + (depth - 12) * (depth - 12) / 100 + 4 * shape * shape + (trees - 2.5) * (trees - 2.5) / 10
        case "linear":
            let c = log10(try trial.suggestFloat("linear_c", 1e-4...1e4, log: true))
            let l1 = try trial.suggestFloat("linear_l1", 0...1)
            let ridge = c - 2 * l1 - 1
            return 0.3 + ridge * ridge / 4 + (l1 - 0.5) * (l1 - 0.5)
        default:
            let width = log2(Double(try trial.suggestInt("mlp_width", 16...512, log: true)))
            let lr = log10(try trial.suggestFloat("mlp_lr", 1e-5...1e-1, log: true))
            let dropout = try trial.suggestFloat("mlp_dropout", 0...0.5)
            let a = lr + 3 + (width - 7) / 4, b = dropout - 0.1 - (width - 4) / 20
            return 0.05 + a * a + 4 * b * b
        }
    }

    static func hartmann6(_ x: [Double]) -> Double {
        let alpha = [1.0, 1.2, 3.0, 3.2]
        let a: [[Double]] = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14],
                             [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
        let p: [[Double]] = [[1312, 1696, 5569, 124, 8283, 5886], [2329, 4135, 8307, 3736, 1004, 9991],
                             [2348, 1451, 3522, 2883, 3047, 6650], [4047, 8828, 8732, 5743, 1091, 381]]
        var total = 0.0
        for i in 0..<4 {
            var inner = 0.0
            for j in 0..<6 {
                let d = x[j] - p[i][j] * 1e-4
                inner += a[i][j] * d * d
            }
            total += alpha[i] * exp(-inner)
        }
        return -total
    }

    /// The overhead benchmark's objectives: parameters only, no work.
    static func trivial(_ space: String, _ trial: Trial) throws -> Double {
        switch space {
        case "2d":
            let x = try trial.suggestFloat("x", -10...10), y = try trial.suggestFloat("y", -10...10)
            return x * x + y * y
        case "mixed10":
            var v = try trial.suggestFloat("f0", -5...5)
            v += try trial.suggestFloat("f1", 0...1)
            v += try trial.suggestFloat("f2", 1e-5...1, log: true)
            v += try trial.suggestFloat("f3", 0...1, step: 0.1)
            v += Double(try trial.suggestInt("i0", 0...100))
            v += Double(try trial.suggestInt("i1", 1...1024, log: true))
            v += Double(try trial.suggestInt("i2", 0...100, step: 5))
            v += try trial.suggestCategorical("c0", ["a", "b", "c"]) == "a" ? 1 : 0
            v += try trial.suggestCategorical("c1", [1, 2, 3, 4, 5]) == 3 ? 1 : 0
            v += try trial.suggestFloat("f4", -1...1)
            return v
        default:
            fail("unknown space \(space) (2d, mixed10)")
        }
    }
}

/// Functions for choosing TPE's settings, kept apart from the benchmark's
/// five (`TuneFunctions.names`) so the comparison with Optuna is made on
/// functions the choice never saw. Standard definitions and domains
/// (Surjanovic & Bingham's library), all minimized.
enum TuneDevFunctions {
    static let names = ["sphere5", "ackley5", "ackley10", "levy5", "levy10", "griewank5", "rastrigin5", "schwefel5",
                        "hartmann3", "camel6", "goldstein", "ktablet10", "dixonprice10", "mixed2"]

    static func vector(_ trial: Trial, _ d: Int, _ range: ClosedRange<Double>) throws -> [Double] {
        try (0..<d).map { try trial.suggestFloat("x\($0)", range) }
    }

    /// The function's value, or nil for a name that is not a development function.
    static func evaluate(_ name: String, _ trial: Trial) throws -> Double? {
        switch name {
        case "sphere5":
            return try vector(trial, 5, -5...5).reduce(0) { $0 + $1 * $1 }
        case "ackley5", "ackley10":
            let x = try vector(trial, name == "ackley5" ? 5 : 10, -32.768...32.768)
            let n = Double(x.count)
            let squares = x.reduce(0) { $0 + $1 * $1 } / n, cosines = x.reduce(0) { $0 + cos(2 * Double.pi * $1) } / n
            return -20 * exp(-0.2 * squares.squareRoot()) - exp(cosines) + 20 + exp(1)
        case "levy5", "levy10":
            let w = try vector(trial, name == "levy5" ? 5 : 10, -10...10).map { 1 + ($0 - 1) / 4 }
            let d = w.count
            var sum = pow(sin(Double.pi * w[0]), 2)
            for i in 0..<(d - 1) { sum += (w[i] - 1) * (w[i] - 1) * (1 + 10 * pow(sin(Double.pi * w[i] + 1), 2)) }
            return sum + (w[d - 1] - 1) * (w[d - 1] - 1) * (1 + pow(sin(2 * Double.pi * w[d - 1]), 2))
        case "griewank5":
            let x = try vector(trial, 5, -600...600)
            var product = 1.0
            for (i, v) in x.enumerated() { product *= cos(v / Double(i + 1).squareRoot()) }
            return x.reduce(0) { $0 + $1 * $1 } / 4000 - product + 1
        case "rastrigin5":
            let x = try vector(trial, 5, -5.12...5.12)
            return x.reduce(10 * Double(x.count)) { $0 + $1 * $1 - 10 * cos(2 * Double.pi * $1) }
        case "schwefel5":
            let x = try vector(trial, 5, -500...500)
            return 418.9829 * Double(x.count) - x.reduce(0) { $0 + $1 * sin(abs($1).squareRoot()) }
        case "hartmann3":
            let x = try vector(trial, 3, 0...1)
            let alpha = [1.0, 1.2, 3.0, 3.2]
            let a: [[Double]] = [[3, 10, 30], [0.1, 10, 35], [3, 10, 30], [0.1, 10, 35]]
            let p: [[Double]] = [[3689, 1170, 2673], [4699, 4387, 7470], [1091, 8732, 5547], [381, 5743, 8828]]
            var total = 0.0
            for i in 0..<4 {
                var inner = 0.0
                for j in 0..<3 { inner += a[i][j] * pow(x[j] - p[i][j] * 1e-4, 2) }
                total += alpha[i] * exp(-inner)
            }
            return -total
        case "camel6":
            let x1 = try trial.suggestFloat("x1", -3...3), x2 = try trial.suggestFloat("x2", -2...2)
            return (4 - 2.1 * x1 * x1 + pow(x1, 4) / 3) * x1 * x1 + x1 * x2 + (-4 + 4 * x2 * x2) * x2 * x2
        case "goldstein":
            let x1 = try trial.suggestFloat("x1", -2...2), x2 = try trial.suggestFloat("x2", -2...2)
            let a = 1 + pow(x1 + x2 + 1, 2) * (19 - 14 * x1 + 3 * x1 * x1 - 14 * x2 + 6 * x1 * x2 + 3 * x2 * x2)
            let b = 30 + pow(2 * x1 - 3 * x2, 2) * (18 - 32 * x1 + 12 * x1 * x1 + 48 * x2 - 36 * x1 * x2 + 27 * x2 * x2)
            return a * b
        case "ktablet10":
            let x = try vector(trial, 10, -5.12...5.12)
            return x.enumerated().reduce(0) { $0 + ($1.offset < 3 ? 1 : 10_000) * $1.element * $1.element }
        case "dixonprice10":
            let x = try vector(trial, 10, -10...10)
            var sum = (x[0] - 1) * (x[0] - 1)
            for i in 1..<x.count { sum += Double(i + 1) * pow(2 * x[i] * x[i] - x[i - 1], 2) }
            return sum
        case "mixed2":
            // A 3-way choice, a log float, a plain and a stepped integer, a log integer, a stepped float.
            let kind = try trial.suggestCategorical("kind", ["a", "b", "c"])
            let offset = ["a": 0.5, "b": 0.0, "c": 1.0][kind]!
            let rate = log10(try trial.suggestFloat("rate", 1e-5...1e-1, log: true))
            let count = Double(try trial.suggestInt("count", 0...50))
            let width = log2(Double(try trial.suggestInt("width", 4...1024, log: true)))
            let bins = Double(try trial.suggestInt("bins", 16...512, step: 16))
            let fraction = try trial.suggestFloat("fraction", 0...1, step: 0.1)
            return offset + (rate + 3.3) * (rate + 3.3) / 2 + (count - 17) * (count - 17) / 100
                + (width - 7.5) * (width - 7.5) / 8 + (bins - 240) * (bins - 240) / 40_000 + (fraction - 0.7) * (fraction - 0.7) * 3
        default:
            return nil
        }
    }
}

func tuneQuality(_ arguments: [String]) throws {
    guard let function = option(arguments, "--function"), let samplerName = option(arguments, "--sampler") else {
        fail("usage: pareto-bench tune quality --function NAME --sampler tpe|tpe-mv|tpe-group|random|cmaes|gp [--trials N] [--seeds N]")
    }
    let trials = option(arguments, "--trials").flatMap(Int.init) ?? 100
    let seeds = option(arguments, "--seeds").flatMap(Int.init) ?? 20
    let startup = option(arguments, "--startup").flatMap(Int.init) ?? 10
    // TPE's candidates per decision (default: the sampler's own, 24 or 96 multivariate).
    let candidates = option(arguments, "--candidates").flatMap(Int.init)
    // Another block of seeds (e.g. 20 for seeds 20…39), to check a change away from the seeds it was made on.
    let firstSeed = option(arguments, "--first-seed").flatMap(Int.init) ?? 0
    // TPE settings to compare (defaults: the sampler's own).
    let gamma = option(arguments, "--gamma").flatMap(Double.init)
    let gammaCap = option(arguments, "--gamma-cap").flatMap(Int.init)
    let weighting = option(arguments, "--weighting").flatMap(TPEWeighting.init(rawValue:))
    let priorWeight = option(arguments, "--prior-weight").flatMap(Double.init)
    func configured(_ base: TPESampler) -> TPESampler {
        var sampler = base
        if let gamma { sampler.gammaFraction = gamma }
        if let gammaCap { sampler.gammaCap = gammaCap }
        if let weighting { sampler.weighting = weighting }
        if let priorWeight { sampler.priorWeight = priorWeight }
        if arguments.contains("--independent-categoricals") { sampler.jointCategoricals = false }
        if arguments.contains("--joint-categoricals") { sampler.jointCategoricals = true }
        return sampler
    }
    var at50: [Double] = [], atEnd: [Double] = []
    var boosters: [Int] = []  // mixed: the categorical choice (index) of each seed's best trial
    for seed in firstSeed..<(firstSeed + seeds) {
        let sampler: any ParameterSampler
        switch samplerName {
        // Optuna's algorithm (`TPESampler.optuna`), for the pairs with Optuna's same settings.
        case "tpe": sampler = configured(.optuna(seed: UInt64(seed), startupTrials: startup, candidates: candidates))
        case "tpe-mv": sampler = configured(.optuna(seed: UInt64(seed), startupTrials: startup, candidates: candidates,
                                                    multivariate: true))
        // Grouped multivariate (Optuna's group=True): each group of co-occurring parameters jointly.
        case "tpe-group": sampler = configured(.optuna(seed: UInt64(seed), startupTrials: startup, candidates: candidates,
                                                       multivariate: true, group: true))
        // Pareto's defaults (`TPESampler()`), against Optuna's defaults.
        case "tpe-default": sampler = configured(TPESampler(seed: UInt64(seed), startupTrials: startup, candidates: candidates))
        case "random": sampler = RandomSampler(seed: UInt64(seed))
        // Optuna's defaults: CMA-ES from the first trial with σ0 = range/6, GP after 10 random trials.
        case "cmaes": sampler = CMAESSampler(seed: UInt64(seed))
        case "gp": sampler = GPSampler(seed: UInt64(seed))
        default: fail("unknown sampler \(samplerName) (tpe, tpe-mv, tpe-group, tpe-default, random, cmaes, gp)")
        }
        let study = try Study(direction: .minimize, sampler: sampler)
        try study.optimize(nTrials: trials) { trial in try TuneFunctions.evaluate(function, trial) }
        let history = try study.history
        at50.append(history.prefix { $0.number < 50 }.last!.bestSoFar)
        atEnd.append(history.last!.bestSoFar)
        if function == "mixed", let best = try study.bestTrial, let choice = best.parameters["booster"] {
            boosters.append(Int(choice.internalValue))
        }
    }
    let json: JSONValue = .object([
        ("function", .string(function)), ("sampler", .string(samplerName)), ("trials", .int(trials)),
        ("best_at_50", .array(at50.map { .number($0) })), ("best_at_end", .array(atEnd.map { .number($0) })),
        ("best_booster", .array(boosters.map { .int($0) })),
    ])
    print(json.serialized())
}

func tuneOverhead(_ arguments: [String]) throws {
    let space = option(arguments, "--space") ?? "2d"
    let trials = option(arguments, "--trials").flatMap(Int.init) ?? 1000
    let at = option(arguments, "--at").flatMap(Int.init) ?? 200
    let multivariate = arguments.contains("--multivariate")
    let group = arguments.contains("--group")  // grouped multivariate TPE
    var storage: any StudyStorage = InMemoryStorage()
    if let file = option(arguments, "--sqlite") {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: file + suffix) }
        storage = try SQLiteStorage(path: file)
    }
    let starts = Lock()
    nonisolated(unsafe) var startTimes: [Double] = []
    let clock = Stopwatch()
    // --defaults: Pareto's TPESampler() (multivariate, 96 candidates) instead of Optuna's algorithm.
    let sampler = arguments.contains("--defaults") ? TPESampler(seed: 1)
        : TPESampler.optuna(seed: 1, multivariate: multivariate, group: group)
    let study = try Study(direction: .minimize, storage: storage, sampler: sampler)
    try study.optimize(nTrials: trials) { trial in
        starts.withLock { startTimes.append(clock.seconds) }
        return try TuneFunctions.trivial(space, trial)
    }
    let total = clock.seconds
    let window = max(1, at - 5)..<min(trials - 1, at + 5)
    let gaps = window.map { startTimes[$0 + 1] - startTimes[$0] }.sorted()
    let last = (max(0, trials - 101)..<(trials - 1)).map { startTimes[$0 + 1] - startTimes[$0] }.sorted()
    let json: JSONValue = .object([
        ("space", .string(space)), ("trials", .int(trials)), ("at", .int(at)),
        ("per_trial_ms_at", .number(gaps[gaps.count / 2] * 1e3)),
        ("per_trial_ms_last100", .number(last[last.count / 2] * 1e3)), ("total_seconds", .number(total)),
    ])
    print(json.serialized())
}

func tuneBench(_ arguments: [String]) throws {
    let rest = Array(arguments.dropFirst())
    switch rest.first {
    case "quality": try tuneQuality(rest)
    case "overhead": try tuneOverhead(rest)
    case "replay": try tuneReplay(rest)
    default: fail("usage: pareto-bench tune quality|overhead|replay …")
    }
}

/// `pareto-bench tune replay --function NAME --sampler tpe|tpe-mv --history FILE.json [--draws N] [--candidates N]`:
/// the sampler's next proposal after a fixed history, over `draws` seeds.
///
/// FILE.json holds an array of parameter objects (external values, as Optuna's `trial.params`);
/// each is enqueued and evaluated with the function, so the study holds exactly that history.
/// Then, for seeds 0..<draws, a new sampler with that seed proposes one trial (it is evaluated
/// for its value and told failed, which TPE ignores). Prints one JSON line: the value of each
/// proposal and, for the mixed space, its booster's index. `bench/tune_replay.py` does the same
/// with Optuna's sampler, so the two proposal distributions can be compared on one history.
func tuneReplay(_ arguments: [String]) throws {
    guard let function = option(arguments, "--function"), let samplerName = option(arguments, "--sampler"),
          let path = option(arguments, "--history") else {
        fail("usage: pareto-bench tune replay --function NAME --sampler tpe|tpe-mv --history FILE.json [--draws N]")
    }
    let draws = option(arguments, "--draws").flatMap(Int.init) ?? 1000
    let candidates = option(arguments, "--candidates").flatMap(Int.init)
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    guard let history = try JSONSerialization.jsonObject(with: data) as? [[String: Any]] else {
        fail("\(path): expected a JSON array of parameter objects")
    }
    let storage = InMemoryStorage()
    func sampler(_ seed: Int) -> any ParameterSampler {
        TPESampler.optuna(seed: UInt64(seed), candidates: candidates, multivariate: samplerName == "tpe-mv")
    }
    let base = try Study(name: "replay", direction: .minimize, storage: storage, sampler: RandomSampler(seed: 0))
    for params in history {
        var fixed: [String: any Encodable & Sendable] = [:]
        for (key, value) in params {
            if let s = value as? String {
                fixed[key] = s
            } else if let n = value as? NSNumber {
                fixed[key] = ["leaves", "depth"].contains(key) ? n.intValue as any Encodable & Sendable : n.doubleValue
            }
        }
        try base.enqueue(fixed)
    }
    try base.optimize(nTrials: history.count) { trial in try TuneFunctions.evaluate(function, trial) }
    var values: [Double] = [], boosters: [Int] = []
    var proposals: [String: [Double]] = [:]  // each parameter's proposed values (external form; choices by index)
    for seed in 0..<draws {
        let study = try Study(name: "replay", direction: .minimize, storage: storage, sampler: sampler(seed))
        let trial = try study.ask()
        values.append(try TuneFunctions.evaluate(function, trial))
        try study.tell(trial, state: .failed)
        let proposed = try study.trials[trial.number].parameters
        if let choice = proposed["booster"] { boosters.append(Int(choice.internalValue)) }
        for (name, p) in proposed { proposals[name, default: []].append(p.internalValue) }
    }
    let json: JSONValue = .object([
        ("function", .string(function)), ("sampler", .string(samplerName)), ("history", .int(history.count)),
        ("values", .array(values.map { .number($0) })), ("booster", .array(boosters.map { .int($0) })),
        ("parameters", .object(proposals.keys.sorted().map { ($0, .array(proposals[$0]!.map { .number($0) })) })),
    ])
    print(json.serialized())
}
