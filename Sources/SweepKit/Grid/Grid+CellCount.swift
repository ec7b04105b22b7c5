extension Grid {
    /// The number of cells ``expand()`` would make, counted without making them (no hashing, no
    /// allocation per cell; it must follow every axis of ``expand()``, probe seeds included), so a grid can be refused before expansion; `Int.max` when the
    /// product overflows. O(noise ratios × seeds × tasks) for a black-box grid, O(1) otherwise.
    public var cellCount: Int {
        func product(_ factors: [Int]) -> Int {
            var total = 1
            for factor in factors {
                let (next, overflow) = total.multipliedReportingOverflow(by: factor)
                if overflow { return .max }
                total = next
            }
            return total
        }
        if let featureFiles {
            var points = 0
            for noise in noiseRatios {
                for seed in seeds {
                    for task in tasks where featureFiles[BlackBoxKey(task: task, noiseRatio: noise, seed: seed)] != nil
                        || featureFiles[BlackBoxKey(task: task, noiseRatio: noise)] != nil {
                        points += 1
                    }
                }
            }
            return product([points, probeSeeds?.count ?? 1, methods.count])
        }
        if command != nil {
            return product([noiseRatios.count, seeds.count, product([tasks.count, probeSeeds?.count ?? 1, methods.count]) + 1])
        }
        if encoder != nil { return product([seeds.count, tasks.count, probeSeeds?.count ?? 1, methods.count]) }
        guard pretraining != nil else { return 0 }
        let perPretraining = product([tasks.count, probeSeeds?.count ?? 1, methods.count])
        return product([noiseRatios.count, seeds.count, perPretraining == .max ? .max : perPretraining + 1])
    }
}
