import ParetoCore

/// Everything a resumed run needs to continue exactly: the weights, the
/// optimizer's moments, the generator, the schedule's position (the step
/// count), the plateau and early-stopping memories and the loss scale.
struct TrainingCheckpoint: Codable {
    static let fileKind = "neural-network-checkpoint"
    var settings: NetworkTrainer
    var completedEpochs: Int
    var network: Network
    var optimizer: OptimizerState
    var random: Xoshiro256
    var plateau: ReduceOnPlateau.State
    var lossScale: Double
    var goodSteps: Int
    var bestLoss: Double?
    var bestEpoch: Int?
    var bestParameters: [Float]
    var bestState: [Float]
    var badEpochs: Int
    var history: [EpochRecord]
}

/// One training run's state and preallocated buffers.
struct TrainingRun {
    let settings: NetworkTrainer
    let plan: NetworkPlan
    let data: TrainingData
    let validation: TrainingData?
    var network: Network
    var optimizer: OptimizerState
    var random: Xoshiro256
    var plateau = ReduceOnPlateau.State()
    var lossScale: Double
    var goodSteps = 0
    var bestLoss: Double? = nil
    var bestEpoch: Int? = nil
    var bestParameters: [Float] = []
    var bestState: [Float] = []
    var badEpochs = 0
    var history: [EpochRecord] = []
    var completedEpochs = 0

    /// Steps between loss-scale doublings (PyTorch's `GradScaler` growth interval).
    static let scaleGrowthInterval = 2000

    init(settings: NetworkTrainer, plan: NetworkPlan, network: Network, data: TrainingData,
         validation: TrainingData?) throws {
        self.settings = settings
        self.plan = plan
        self.data = data
        self.validation = validation
        self.network = network
        optimizer = OptimizerState(settings.optimizer, count: network.parameters.count)
        random = Xoshiro256(seed: settings.seed)
        lossScale = settings.precision == .float32 ? 1 : settings.initialLossScale
    }

    var checkpoint: TrainingCheckpoint {
        TrainingCheckpoint(settings: settings, completedEpochs: completedEpochs, network: network, optimizer: optimizer,
                           random: random, plateau: plateau, lossScale: lossScale, goodSteps: goodSteps,
                           bestLoss: bestLoss, bestEpoch: bestEpoch, bestParameters: bestParameters,
                           bestState: bestState, badEpochs: badEpochs, history: history)
    }

    mutating func restore(from path: String) throws {
        let saved = try ModelFile.read(TrainingCheckpoint.self, kind: TrainingCheckpoint.fileKind, from: path)
        guard saved.settings.resumable == settings.resumable else {
            throw FileError(path: path, "the checkpoint was written with other training settings",
                            hint: "resume with the settings of the interrupted run, or delete the checkpoint to start over")
        }
        guard saved.network.architecture == network.architecture,
              saved.network.parameters.count == network.parameters.count,
              saved.network.state.count == network.state.count,
              saved.optimizer.first.count == network.parameters.count
        else {
            throw FileError(path: path, "the checkpoint holds another network architecture",
                            hint: "resume with the architecture of the interrupted run")
        }
        network = saved.network
        optimizer = saved.optimizer
        random = saved.random
        plateau = saved.plateau
        lossScale = saved.lossScale
        goodSteps = saved.goodSteps
        bestLoss = saved.bestLoss
        bestEpoch = saved.bestEpoch
        bestParameters = saved.bestParameters
        bestState = saved.bestState
        badEpochs = saved.badEpochs
        history = saved.history
        completedEpochs = saved.completedEpochs
    }

    func writeCheckpoint() throws {
        guard let directory = settings.checkpointDirectory else { return }
        try ModelFile.write(checkpoint, kind: TrainingCheckpoint.fileKind,
                            to: directory + "/" + NetworkTrainer.checkpointFileName)
    }

    mutating func train(observer: (any TrainingObserver)?) throws -> TrainingResult {
        let rows = data.rowCount
        let n = plan.numericCount, c = plan.encoder.columns.count, width = plan.outputWidth
        let batch = min(settings.batchSize, rows)
        let effective = batch * settings.accumulationSteps
        let stepsPerEpoch = (rows + effective - 1) / effective
        let totalSteps = stepsPerEpoch * settings.epochs
        let count = network.parameters.count
        let threads = Parallel.threadCount(settings.threads)
        let halfPrecision = settings.precision != .float32

        // Every buffer the loop touches, allocated once.
        let executor = Executor(plan, rows: max(batch, validation.map { min($0.rowCount, batch) } ?? 1))
        executor.precision = settings.precision
        var order = [Int](repeating: 0, count: rows)
        let batchNumeric = Scratch(batch * n)
        let batchCodes = UnsafeMutablePointer<Int32>.allocate(capacity: max(1, batch * c))
        batchCodes.initialize(repeating: 0, count: max(1, batch * c))
        defer { batchCodes.deallocate() }
        let batchTargets = Scratch(batch)
        let batchWeights = Scratch(batch)
        let rowWeight = Scratch(rows)
        let gradients = Scratch(count)
        let passWeights = Scratch(halfPrecision ? count : 0)
        for r in 0..<rows { rowWeight.pointer[r] = weight(data, row: r) }
        let validationWeights = validation.map { set in (0..<set.rowCount).map { weight(set, row: $0) } } ?? []
        // The rows in raw memory, so gathering a batch is plain copies.
        let allNumeric = Scratch(rows * n)
        let allTargets = Scratch(rows)
        let allCodes = UnsafeMutablePointer<Int32>.allocate(capacity: max(1, rows * c))
        defer { allCodes.deallocate() }
        for i in 0..<(rows * n) { allNumeric.pointer[i] = data.numeric[i] }
        for i in 0..<rows { allTargets.pointer[i] = data.targets[i] }
        for i in 0..<(rows * c) { allCodes[i] = data.codes[i] }
        if settings.earlyStoppingPatience != nil && bestParameters.isEmpty {
            bestParameters = network.parameters
            bestState = network.state
        }

        var profiles: [EpochProfile] = []
        var stoppedEarly = false
        var epoch = completedEpochs
        epochs: while epoch < settings.epochs {
            var profile = EpochProfile()
            var clock = Stopwatch.nowNanoseconds()
            func lap(_ field: inout Double) {
                let now = Stopwatch.nowNanoseconds()
                field += Double(now &- clock) / 1e9
                clock = now
            }
            for i in 0..<rows { order[i] = i }
            random.shuffle(&order)
            var lossSum = 0.0, weightSum = 0.0, skipped = 0, rate = settings.learningRate
            network.parameters.withUnsafeMutableBufferPointer { parameterBuffer in
                network.state.withUnsafeMutableBufferPointer { stateBuffer in
                    let parameters = parameterBuffer.baseAddress!
                    var pass = Pass(parameters: halfPrecision ? passWeights.pointer : parameters,
                                    gradients: gradients.pointer, state: stateBuffer.baseAddress!, training: true,
                                    random: random, threads: threads)
                    for step in 0..<stepsPerEpoch {
                        let start = step * effective, end = min(rows, start + effective)
                        var total = 0.0
                        for k in start..<end { total += Double(rowWeight.pointer[order[k]]) }
                        gradients.pointer.update(repeating: 0, count: count)
                        if halfPrecision {
                            executor.roundCopy(parameters, into: passWeights.pointer, count: count)
                        }
                        lap(&profile.optimizerSeconds)
                        var first = start
                        while first < end {
                            let size = min(batch, end - first)
                            for b in 0..<size {
                                let row = order[first + b]
                                (batchNumeric.pointer + b * n).update(from: allNumeric.pointer + row * n, count: n)
                                for k in 0..<c { batchCodes[b * c + k] = allCodes[row * c + k] }
                                batchTargets.pointer[b] = allTargets.pointer[row]
                                batchWeights.pointer[b] = rowWeight.pointer[row]
                            }
                            lap(&profile.dataSeconds)
                            let outputs = executor.forward(numeric: batchNumeric.pointer, codes: batchCodes, rows: size,
                                                           &pass)
                            let scale = total > 0 ? lossScale / total : 0
                            lossSum += settings.loss.evaluate(outputs: outputs, width: width, targets: batchTargets.pointer,
                                                              weights: batchWeights.pointer, rows: size, scale: scale,
                                                              gradient: executor.outputGradient)
                            lap(&profile.forwardSeconds)
                            executor.backward(codes: batchCodes, rows: size, &pass)
                            lap(&profile.backwardSeconds)
                            first += size
                        }
                        weightSum += total
                        let t = optimizer.step
                        rate = settings.learningRate * plateau.multiplier
                            * settings.schedule.factor(step: t, stepsPerEpoch: stepsPerEpoch, totalSteps: totalSteps,
                                                       warmupSteps: isOneCycle(settings.schedule) ? 0 : settings.warmupSteps)
                        if halfPrecision {
                            var finite = true
                            for i in 0..<count where !gradients.pointer[i].isFinite { finite = false; break }
                            if !finite {
                                // Overflow: skip the step and halve the scale (PyTorch's GradScaler).
                                lossScale /= 2
                                goodSteps = 0
                                skipped += 1
                                lap(&profile.optimizerSeconds)
                                continue
                            }
                            let inverse = Float(1 / lossScale)
                            for i in 0..<count { gradients.pointer[i] *= inverse }
                            goodSteps += 1
                            if goodSteps == Self.scaleGrowthInterval { lossScale *= 2; goodSteps = 0 }
                        }
                        if let clip = settings.gradientClipNorm {
                            GradientClipping.clip(gradients.pointer, count: count, maxNorm: clip)
                        }
                        settings.optimizer.update(parameters, gradients: gradients.pointer, count: count,
                                                  state: &optimizer, learningRate: rate,
                                                  weightDecay: settings.weightDecay)
                        lap(&profile.optimizerSeconds)
                    }
                    random = pass.random
                }
            }
            let trainingLoss = weightSum > 0 ? lossSum / weightSum : 0
            guard trainingLoss.isFinite else {
                throw NeuralError("learningRate", "training diverged: the loss became \(trainingLoss) in epoch \(epoch + 1)",
                                  hint: "lower the learning rate, or clip gradients (gradientClipNorm)")
            }
            var validationLoss: Double? = nil
            if let validation {
                validationLoss = evaluate(validation, weights: validationWeights, executor: executor)
                lap(&profile.validationSeconds)
            }
            let monitored = validationLoss ?? trainingLoss
            if settings.plateau != nil {
                _ = settings.plateau!.observe(monitored, state: &plateau, baseRate: settings.learningRate)
            }
            var stop = false
            if let patience = settings.earlyStoppingPatience {
                if bestLoss.map({ monitored < $0 }) ?? true {
                    bestLoss = monitored
                    bestEpoch = epoch
                    bestParameters.withUnsafeMutableBufferPointer { _ = $0.update(from: network.parameters) }
                    bestState.withUnsafeMutableBufferPointer { _ = $0.update(from: network.state) }
                    badEpochs = 0
                } else {
                    badEpochs += 1
                    if badEpochs >= patience { stop = true }
                }
            }
            history.append(EpochRecord(epoch: epoch, trainingLoss: trainingLoss, validationLoss: validationLoss,
                                       learningRate: rate, skippedSteps: skipped, lossScale: lossScale))
            completedEpochs = epoch + 1
            if (epoch + 1) % settings.checkpointEvery == 0 || epoch + 1 == settings.epochs || stop {
                try writeCheckpoint()
                lap(&profile.checkpointSeconds)
            }
            profiles.append(profile)
            var metrics: [String: Double] = ["train loss": trainingLoss, "learning rate": rate]
            if let validationLoss { metrics["valid loss"] = validationLoss }
            if observer?.step(epoch, metrics: metrics) == .stop { stop = true }
            epoch += 1
            if stop {
                stoppedEarly = epoch < settings.epochs
                break epochs
            }
        }
        var final = network
        if settings.earlyStoppingPatience != nil, bestEpoch != nil {
            final.parameters = bestParameters
            final.state = bestState
        }
        return TrainingResult(network: final, history: history, profiles: profiles, bestEpoch: bestEpoch,
                              stoppedEarly: stoppedEarly)
    }

    /// A row's weight: its sample weight times its class's weight.
    func weight(_ set: TrainingData, row: Int) -> Float {
        var w = set.weights?[row] ?? 1
        if let classWeights = settings.classWeights, settings.loss.isClassification {
            let k = Int(set.targets[row])
            w *= Float(k < classWeights.count ? classWeights[k] : 1)
        }
        return w
    }

    /// The weighted mean loss on `set` in inference mode; `weights` are its
    /// rows' weights (sample × class), computed once per run.
    ///
    /// Cost: one forward pass in blocks of the executor's capacity; no allocation.
    mutating func evaluate(_ set: TrainingData, weights: [Float], executor: Executor) -> Double {
        let n = plan.numericCount, c = plan.encoder.columns.count, width = plan.outputWidth
        let rows = set.rowCount
        var total = 0.0
        for w in weights { total += Double(w) }
        var sum = 0.0
        let threads = Parallel.threadCount(settings.threads)
        let loss = settings.loss
        network.parameters.withUnsafeMutableBufferPointer { p in
            network.state.withUnsafeMutableBufferPointer { s in
                // Inference reads the parameters and state; the gradient pointer is never written.
                var pass = Pass(parameters: p.baseAddress!, gradients: p.baseAddress!, state: s.baseAddress!,
                                training: false, random: Xoshiro256(seed: 0), threads: threads)
                set.numeric.withUnsafeBufferPointer { x in
                    set.codes.withUnsafeBufferPointer { codes in
                        set.targets.withUnsafeBufferPointer { t in
                            weights.withUnsafeBufferPointer { w in
                                var start = 0
                                while start < rows {
                                    let size = min(executor.capacity, rows - start)
                                    let y = executor.forward(numeric: x.baseAddress! + start * n,
                                                             codes: (codes.baseAddress ?? UnsafePointer(executor.noCodes))
                                                                + start * c, rows: size, &pass)
                                    sum += loss.evaluate(outputs: y, width: width, targets: t.baseAddress! + start,
                                                         weights: w.baseAddress! + start, rows: size, scale: 0,
                                                         gradient: nil)
                                    start += size
                                }
                            }
                        }
                    }
                }
            }
        }
        return total > 0 ? sum / total : 0
    }
}

func isOneCycle(_ schedule: LearningRateSchedule) -> Bool {
    if case .oneCycle = schedule { return true }
    return false
}
