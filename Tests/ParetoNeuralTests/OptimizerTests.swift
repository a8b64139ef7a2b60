import ParetoCore
import Testing

@testable import ParetoNeural

/// Two updates of one parameter p = 1 with gradients 0.5 then 0.25, lr 0.1.
func twoSteps(_ optimizer: Optimizer, weightDecay: Double = 0) -> [Float] {
    var p: [Float] = [1]
    var state = OptimizerState(optimizer, count: 1)
    var out: [Float] = []
    for g: Float in [0.5, 0.25] {
        optimizer.update(&p, gradients: [g], state: &state, learningRate: 0.1, weightDecay: weightDecay)
        out.append(p[0])
    }
    return out
}

@Suite("Optimizers: first steps by hand")
struct OptimizerTests {
    @Test("SGD, momentum, Nesterov, weight decay")
    func sgd() {
        let plain = twoSteps(.sgd(momentum: 0, nesterov: false))
        #expect(abs(plain[0] - 0.95) < 1e-7 && abs(plain[1] - 0.925) < 1e-7)
        // buf = 0.5 then 0.9·0.5 + 0.25 = 0.7: p = 0.95, then 0.88.
        let momentum = twoSteps(.sgd(momentum: 0.9, nesterov: false))
        #expect(abs(momentum[0] - 0.95) < 1e-7 && abs(momentum[1] - 0.88) < 1e-7)
        // Nesterov: g + μ·buf = 0.95 then 0.25 + 0.63 = 0.88: p = 0.905, then 0.817.
        let nesterov = twoSteps(.sgd(momentum: 0.9, nesterov: true))
        #expect(abs(nesterov[0] - 0.905) < 1e-7 && abs(nesterov[1] - 0.817) < 5e-6)
        // L2: 0.5 + 0.1·1 = 0.6 → 0.94.
        let decayed = twoSteps(.sgd(momentum: 0, nesterov: false), weightDecay: 0.1)
        #expect(abs(decayed[0] - 0.94) < 1e-7)
    }

    @Test("Adam's bias correction, L2 and decoupled decay")
    func adam() {
        // Values from the update written out in Python (float64).
        let adam = twoSteps(.adamDefault)
        #expect(abs(Double(adam[0]) - 0.900000002) < 5e-6)
        #expect(abs(Double(adam[1]) - 0.8067820404774624) < 5e-6)
        let l2 = twoSteps(.adamDefault, weightDecay: 0.1)
        #expect(abs(Double(l2[1]) - 0.8050097658613199) < 5e-6)
        let adamW = twoSteps(.adamWDefault, weightDecay: 0.1)
        #expect(abs(Double(adamW[0]) - 0.890000002) < 5e-6)
        #expect(abs(Double(adamW[1]) - 0.7878820404574624) < 5e-6)
    }

    @Test("clipping by global norm")
    func clipping() {
        var g: [Float] = [3, 4]
        let norm = g.withUnsafeMutableBufferPointer { GradientClipping.clip($0.baseAddress!, count: 2, maxNorm: 1) }
        #expect(norm == 5)
        #expect(abs(g[0] - 0.6) < 1e-6 && abs(g[1] - 0.8) < 5e-6)
        var small: [Float] = [0.3, 0.4]
        _ = small.withUnsafeMutableBufferPointer { GradientClipping.clip($0.baseAddress!, count: 2, maxNorm: 1) }
        #expect(small == [0.3, 0.4])
    }

    @Test("bad settings are named")
    func badSettings() {
        #expect(throws: NeuralError.self) { try Optimizer.sgd(momentum: 0, nesterov: true).validate() }
        #expect(throws: NeuralError.self) { try Optimizer.adam(beta1: 1.5, beta2: 0.999, epsilon: 1e-8).validate() }
    }
}

@Suite("Learning-rate schedules at given steps")
struct ScheduleTests {
    @Test("cosine with linear warmup")
    func cosine() {
        let s = LearningRateSchedule.cosine(minimumFactor: 0)
        func f(_ step: Int) -> Double { s.factor(step: step, stepsPerEpoch: 10, totalSteps: 110, warmupSteps: 10) }
        #expect(abs(f(0) - 0.1) < 1e-12)
        #expect(abs(f(9) - 1) < 1e-12)
        #expect(abs(f(10) - 1) < 1e-12)
        #expect(abs(f(60) - 0.5) < 1e-12)  // halfway: ½(1 + cos(π/2))
        #expect(abs(f(35) - 0.5 * (1 + cos(Double.pi / 4))) < 1e-12)
        #expect(abs(f(110)) < 1e-12)
        let floor = LearningRateSchedule.cosine(minimumFactor: 0.1)
        #expect(abs(floor.factor(step: 60, stepsPerEpoch: 10, totalSteps: 110, warmupSteps: 10) - 0.55) < 1e-12)
    }

    @Test("step and exponential decay by epoch")
    func decays() {
        let step = LearningRateSchedule.step(everyEpochs: 2, factor: 0.5)
        #expect(step.factor(step: 39, stepsPerEpoch: 10, totalSteps: 100) == 0.5)  // epoch 3
        #expect(step.factor(step: 40, stepsPerEpoch: 10, totalSteps: 100) == 0.25)  // epoch 4
        let exponential = LearningRateSchedule.exponential(factor: 0.9)
        #expect(abs(exponential.factor(step: 25, stepsPerEpoch: 10, totalSteps: 100) - 0.81) < 1e-12)
        #expect(LearningRateSchedule.constant.factor(step: 5, stepsPerEpoch: 10, totalSteps: 100, warmupSteps: 4) == 1)
        #expect(LearningRateSchedule.constant.factor(step: 1, stepsPerEpoch: 10, totalSteps: 100, warmupSteps: 4) == 0.5)
    }

    @Test("one cycle (PyTorch's OneCycleLR formula)")
    func oneCycle() {
        let s = LearningRateSchedule.oneCycleDefault
        func f(_ step: Int) -> Double { s.factor(step: step, stepsPerEpoch: 10, totalSteps: 100) }
        #expect(abs(f(0) - 0.04) < 1e-12)  // 1/25
        #expect(abs(f(29) - 1) < 1e-12)  // the peak at 0.3·100 − 1
        #expect(abs(f(99) - 0.04 / 10_000) < 1e-15)
        #expect(abs(f(64) - (1 + 0.04 / 10_000) / 2) < 1e-12)  // halfway down
    }

    @Test("reduce on plateau")
    func plateau() {
        let rule = ReduceOnPlateau(factor: 0.5, patience: 2)
        var state = ReduceOnPlateau.State()
        let multipliers = [1.0, 0.9, 0.95, 0.95, 0.95, 0.95].map { rule.observe($0, state: &state, baseRate: 0.1) }
        #expect(multipliers == [1, 1, 1, 1, 0.5, 0.5])
        let floor = ReduceOnPlateau(factor: 0.1, patience: 0, minimumRate: 0.05)
        var s2 = ReduceOnPlateau.State()
        let cut = [1.0, 1.0, 1.0].map { floor.observe($0, state: &s2, baseRate: 0.1) }
        #expect(cut == [1, 0.5, 0.5])
    }
}

#if canImport(Glibc)
import Glibc
#endif
