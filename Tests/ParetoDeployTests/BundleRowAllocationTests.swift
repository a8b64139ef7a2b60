#if canImport(Glibc)
import Glibc
#endif
import ParetoCore
import ParetoData
import ParetoEval
import ParetoNeural
import ParetoTrees
import Testing
@testable import ParetoDeploy

// Counting heap allocations: the Swift runtime routes every object
// allocation (class instances, array and string storage, closure
// contexts, boxes) through the function pointer `_swift_allocObject`,
// which it exports so that tools can hook it. Replacing it while other
// threads allocate crashes the runtime (tried: tests run in parallel), so
// the counting runs in a forked child, which has a single thread: the
// child installs the hook, counts, and reports through its exit status.
// (Raw buffers, `UnsafeMutablePointer.allocate`, bypass the hook: the row
// path makes those only when it is built.)

private typealias AllocateObject = @convention(c) (UnsafeRawPointer?, Int, Int) -> UnsafeMutableRawPointer?

nonisolated(unsafe) private var originalAllocate: AllocateObject?
nonisolated(unsafe) private var allocationCalls = 0

private let countingAllocate: AllocateObject = { metadata, size, alignmentMask in
    allocationCalls &+= 1
    return originalAllocate!(metadata, size, alignmentMask)
}

/// Installs the counting hook (in a single-threaded child only).
private func installHook() -> Bool {
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "_swift_allocObject") else { return false }
    let slot = symbol.assumingMemoryBound(to: AllocateObject?.self)
    guard let original = slot.pointee else { return false }
    originalAllocate = original
    slot.pointee = countingAllocate
    return true
}

/// A heap allocation the optimizer cannot remove: the counter's positive control.
@inline(never) private func allocateArray(_ n: Int) -> [Int] { Array(repeating: n, count: n) }

/// Runs `body` in a forked child with the counting hook: the child's exit
/// status is 0 when `body` allocated nothing, 1 when it did, 2 when the
/// positive control counted nothing, 3 when the hook is missing, 4 when
/// `body` threw. Nil when the child did not finish within a minute.
private func allocationFreeInChild(_ body: () throws -> Void) -> Int32? {
    let child = fork()
    if child == 0 {
        guard installHook() else { _exit(3) }
        var sink = 0
        let start = allocationCalls
        for n in 100..<110 { sink &+= allocateArray(n).count }
        guard allocationCalls - start >= 10, sink > 0 else { _exit(2) }
        let before = allocationCalls
        do { try body() } catch { _exit(4) }
        _exit(allocationCalls == before ? 0 : 1)
    }
    var status: Int32 = 0
    for _ in 0..<600 {
        if waitpid(child, &status, WNOHANG) == child {
            return status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        }
        usleep(100_000)
    }
    kill(child, SIGKILL)
    _ = waitpid(child, &status, 0)
    return nil
}

@Suite struct BundleRowAllocationTests {
    @Test("predict() makes no heap allocation after warm-up (trees, logistic, blend, network, temperature)")
    func noAllocation() throws {
        let training = try BundleRowPredictorTests.table(seed: 21, rows: 500)
        let rows = try BundleRowPredictorTests.features(try BundleRowPredictorTests.table(seed: 22, rows: 64, unseen: true))
        let trees = try BundleRowPredictorTests.trees(training, target: "y", task: .binary)
        let logistic = try BundleRowPredictorTests.logistic(training, target: "y")
        var mlp = MLPLearner()
        mlp.hidden = [16, 8]
        mlp.epochs = 2
        mlp.earlyStoppingPatience = nil
        mlp.threads = 1
        let network = BundledModel.mlp(try mlp.fit(try training.dropping(["k", "v"]), target: "y", validation: nil,
                                                   observer: nil))
        let platt = BundleCalibration.platt(PlattCalibrator(slope: 0.9, intercept: 0.1))
        let bundles = [
            try BundleRowPredictorTests.bundle(trees, target: "y", training: training, calibration: platt),
            try BundleRowPredictorTests.bundle(logistic, target: "y", training: training),
            try BundleRowPredictorTests.bundle(.blend(members: [trees, logistic, network], weights: [0.4, 0.4, 0.2]),
                                               target: "y", training: training),
            try BundleRowPredictorTests.bundle(try BundleRowPredictorTests.logistic(training, target: "k"), target: "k",
                                               training: training,
                                               calibration: .temperature(try TemperatureCalibrator(temperature: 2, classCount: 3))),
        ]
        for bundle in bundles {
            let predictor = try bundle.makeRowPredictor()
            #expect(predictor.isAllocationFree)
            // Cells as a server would hold them: parsed once, as numbers and texts.
            let columns = predictor.columns
            let texts: [[String?]] = try columns.map { column in
                let c = try rows.column(column.name)
                return (0..<rows.rowCount).map { c.formattedValue($0) }
            }
            let numbers: [[Double]] = texts.map { column in column.map { $0.flatMap(Double.init) ?? .nan } }
            func setRow(_ i: Int) throws {
                for (j, column) in columns.enumerated() {
                    guard let text = texts[j][i] else { predictor.setMissing(at: j); continue }
                    if column.kind == .numeric { try predictor.setNumber(numbers[j][i], at: j) } else {
                        try predictor.setText(text, at: j)
                    }
                }
            }
            var total = 0.0
            for i in 0..<rows.rowCount {  // warm-up
                try setRow(i)
                total += try predictor.predict().value
            }
            let status = allocationFreeInChild {
                var sum = 0.0
                for n in 0..<100_000 {
                    try setRow(n % rows.rowCount)
                    let prediction = try predictor.predict()
                    sum += prediction.value + prediction.probabilities[0]
                }
                if !sum.isFinite { throw UsageError("not finite") }
            }
            #expect(status == 0, "child status \(status.map(String.init) ?? "timed out") (1: allocated, 2: control failed)")
            #expect(total.isFinite && total > 0)
        }
    }
}
