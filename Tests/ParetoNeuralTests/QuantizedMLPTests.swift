import Foundation
import ParetoCore
import ParetoData
import Testing
@testable import ParetoNeural

@Suite struct QuantizedMLPTests {
    /// y = 1 when 1.5·a − b + (c == "z" ? 1 : −0.5) + noise > 0.
    func frame(seed: UInt64, rows: Int) throws -> DataFrame {
        var g = Xoshiro256(seed: seed)
        var a: [Double] = [], b: [Double] = [], c: [String?] = [], y: [String] = []
        for _ in 0..<rows {
            let x1 = Double.random(in: -2...2, using: &g), x2 = Double.random(in: -2...2, using: &g)
            let level = ["x", "y", "z"][Int(g.next() % 3)]
            a.append(x1)
            b.append(x2)
            c.append(level)
            y.append(1.5 * x1 - x2 + (level == "z" ? 1 : -0.5) + Double.random(in: -0.5...0.5, using: &g) > 0 ? "1" : "0")
        }
        return try DataFrame([.numeric("a", a), .numeric("b", b), .categorical("c", c), .categorical("y", y)])
    }

    func trained() throws -> (MLPModel, DataFrame, DataFrame) {
        let training = try frame(seed: 1, rows: 2_000), validation = try frame(seed: 2, rows: 500)
        var learner = MLPLearner()
        learner.hidden = [32, 16]
        learner.epochs = 15
        learner.threads = 1
        learner.earlyStoppingPatience = nil
        return (try learner.train(training, target: "y").model, training, validation)
    }

    func maxDifference(_ a: Predictions, _ b: Predictions) -> Double {
        zip(a.values, b.values).map { zip($0, $1).map { abs($0 - $1) }.max()! }.max()!
    }

    @Test("float32 format reproduces the model; fp16 and int8 stay close; files shrink and reload")
    func formats() throws {
        let (model, training, validation) = try trained()
        let reference = try model.predict(validation, threads: 1)
        let exact = try QuantizedMLP(model, format: .float32, calibration: training)
        #expect(maxDifference(try exact.predict(validation, threads: 1), reference) < 1e-5)

        let half = try QuantizedMLP(model, format: .float16, calibration: training)
        // Each weight moves by ≤ 2⁻¹¹ relative: on 32/16-wide layers the
        // probabilities move by far less than 1e-2.
        #expect(maxDifference(try half.predict(validation, threads: 1), reference) < 5e-3)

        let int8 = try QuantizedMLP(model, format: .int8, calibration: training)
        let quantized = try int8.predict(validation, threads: 1)
        let change = maxDifference(quantized, reference)
        #expect(change > 0 && change < 0.05, "int8 changed probabilities by \(change)")
        // Agreement on the predicted class for nearly every row.
        let agree = zip(quantized.values, reference.values).filter { ($0[1] > 0.5) == ($1[1] > 0.5) }.count
        #expect(agree >= 495)

        // Weight codes are symmetric and per channel: each channel's largest code is ±127.
        for layer in int8.layers {
            #expect(layer.codes.allSatisfy { $0 >= -127 })
            for j in 0..<layer.outputs {
                let peak = (0..<layer.inputs).map { abs(Int(layer.codes[j * layer.inputs + $0])) }.max()!
                #expect(peak == 127 || layer.weightScales[j] == 1)
            }
        }

        let dir = FileManager.default.temporaryDirectory.path + "/qmlp-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try model.save(to: dir + "/f32.model")
        try int8.save(to: dir + "/int8.model")
        try half.save(to: dir + "/f16.model")
        let size = { (p: String) in try FileManager.default.attributesOfItem(atPath: dir + p)[.size] as! Int }
        #expect(try size("/int8.model") * 3 < size("/f32.model"))
        #expect(try size("/f16.model") * 2 < size("/f32.model"))
        let reloaded = try QuantizedMLP.load(from: dir + "/int8.model")
        #expect(reloaded == int8)
        #expect(try reloaded.predict(validation, threads: 1) == quantized)
        #expect(try QuantizedMLP.load(from: dir + "/f16.model") == half)
    }

    @Test("one thread or two, one row at a time or a block: the same outputs")
    func determinism() throws {
        let (model, training, validation) = try trained()
        let int8 = try QuantizedMLP(model, format: .int8, calibration: training)
        let inputs = try model.encoding.encode(validation)
        let n = validation.rowCount
        let block = int8.rawOutputs(numeric: inputs.numeric, codes: inputs.codes, rowCount: n, threads: 1)
        #expect(int8.rawOutputs(numeric: inputs.numeric, codes: inputs.codes, rowCount: n, threads: 2) == block)
        let runner = QuantizedMLP.Runner(int8, capacity: 1)
        var one = [Float](repeating: 0, count: 1)
        for i in stride(from: 0, to: n, by: 37) {
            inputs.numeric.withUnsafeBufferPointer { x in
                inputs.codes.withUnsafeBufferPointer { c in
                    runner.run(numeric: x.baseAddress! + i * model.encoding.numericWidth,
                               codes: c.baseAddress! + i * model.encoding.categoricalInputs.count, rows: 1, into: &one)
                }
            }
            #expect(one[0] == block[i])
        }
    }

    @Test("refuses networks it cannot run")
    func refuses() throws {
        let (model, training, _) = try trained()
        var normed = model
        let architecture = NetworkArchitecture(numericInputs: model.network.architecture.numericInputs,
                                               categoricalInputs: model.network.architecture.categoricalInputs,
                                               layers: [.dense(4), .layerNorm, .dense(1)])
        normed.network = try Network(architecture, seed: 1)
        #expect(throws: UsageError.self) { _ = try QuantizedMLP(normed, format: .int8, calibration: training) }
    }

    @Test("packed bytes: RFC 4648 base64 vectors and little-endian round trips")
    func packing() {
        let vectors = [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="),
                       ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy")]
        for (plain, encoded) in vectors {
            #expect(PackedBytes.base64(Array(plain.utf8)) == encoded)
            #expect(PackedBytes.fromBase64(encoded) == Array(plain.utf8))
        }
        #expect(PackedBytes.fromBase64("Zm9=v") == nil && PackedBytes.fromBase64("Zm9") == nil)
        #expect(PackedBytes.bytes([UInt16(0x1234), 0xABCD]) == [0x34, 0x12, 0xCD, 0xAB])
        let values: [Int16] = [-32768, -1, 0, 1, 32767]
        #expect(PackedBytes.values(PackedBytes.bytes(values), as: Int16.self) == values)
    }
}
