import Testing
import ParetoCore
import ParetoData

@Suite("Class weights")
struct ClassWeightsTests {
    @Test("balanced weights by hand: n / (classes × n_c), as scikit-learn's compute_class_weight")
    func balanced() throws {
        // 4 rows, 2 classes: 3 of class 0 → 4/6, 1 of class 1 → 4/2.
        let two: [Double] = [4.0 / 6, 2]
        #expect(ClassWeights.balanced(labels: [0, 0, 1, 0], classCount: 2) == two)
        // An absent class gets 0; the others share n / (3 × n_c).
        #expect(ClassWeights.balanced(labels: [0, 2, 2], classCount: 3) == [1, 0, 0.5])
        let frame = try DataFrame([.categorical("y", ["a", "b", "a", nil, "a"])])
        let weights = try ClassWeights.balancedRowWeights(frame, target: "y")
        let majority: Double = 4.0 / 6
        let expected: [Double] = [majority, 2, majority, 0, majority]
        #expect(weights == expected)
        // Every class ends with the same total weight.
        let totalA: Double = weights[0] + weights[2] + weights[4]
        #expect(abs(totalA - weights[1]) < 1e-12)
        #expect(throws: UsageError.self) { try ClassWeights.balancedRowWeights(try DataFrame([.categorical("y", ["a"])]), target: "y") }
    }
}
