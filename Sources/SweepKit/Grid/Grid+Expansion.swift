import NoisyCore

extension Grid {
    /// Expands the grid into cells: pretrain(noise, seed) → evaluate(noise, task, probe seed,
    /// method, seed); black-box grids give evaluate cells only; command grids a command cell per
    /// (noise, seed) (kind `pretrain`: it makes the artifact its evaluate cells need) before its
    /// evaluate cells.
    ///
    /// Keys depend only on each cell's spec, so expanding the same grid twice gives the same keys,
    /// and adding a point to an axis adds only the cells that contain it. O(cells); hashing
    /// dominates (≈ 1 µs per cell). `progress`, if given, is called with the number of cells made
    /// after every `progressEvery` of them.
    public func expand(progressEvery: Int = 100_000, progress: ((Int) -> Void)? = nil) -> ExpandedGrid {
        var cells: [GridCell] = []
        if progress != nil { cells.reserveCapacity(cellCount) }
        func add(_ spec: CellSpec, _ kind: CellKind, dependency: CellKey?) -> CellKey {
            if let progress, !cells.isEmpty, cells.count % max(1, progressEvery) == 0 { progress(cells.count) }
            // Grid validation admits only finite numbers, so encoding cannot fail.
            let json = try! CanonicalJSON.encode(spec)
            let key = spec.workerRequirement == nil ? CellKey(canonicalJSON: json) : try! CellKey(spec: spec)
            cells.append(GridCell(key: key, kind: kind, spec: spec, canonicalJSON: json, dependency: dependency))
            return key
        }
        if let featureFiles {
            for noise in noiseRatios {
                for seed in seeds {
                    for task in tasks {
                        guard let files = featureFiles[BlackBoxKey(task: task, noiseRatio: noise, seed: seed)]
                                ?? featureFiles[BlackBoxKey(task: task, noiseRatio: noise)] else { continue }
                        for probeSeed in probeSeeds ?? [seed] {
                            for method in methods {
                                _ = add(.evaluate(EvaluateSpec(noiseRatio: noise, task: task, method: method.method, seed: seed,
                                                               probeSeed: probeSeed, hyperparameters: method.hyperparameters,
                                                               features: .files(files))),
                                        .evaluate, dependency: nil)
                            }
                        }
                    }
                }
            }
        } else if let command {
            for noise in noiseRatios {
                for seed in seeds {
                    let spec = command.spec(noiseRatio: noise, seed: seed, tasks: tasks)
                    let key = add(.command(spec), .pretrain, dependency: nil)
                    for task in tasks {
                        for probeSeed in probeSeeds ?? [seed] {
                            for method in methods {
                                _ = add(.evaluate(EvaluateSpec(noiseRatio: noise, task: task, method: method.method, seed: seed,
                                                               probeSeed: probeSeed, hyperparameters: method.hyperparameters,
                                                               features: .command(CommandFeatures(cell: key.hex)))),
                                        .evaluate, dependency: key)
                            }
                        }
                    }
                }
            }
        } else if let encoder {
            for spec in encoderCells(encoder) { _ = add(.evaluate(spec), .evaluate, dependency: nil) }
        } else if let pretraining {
            var pretrains: [(PretrainSpec, CellKey)] = []
            for noise in noiseRatios {
                for seed in seeds {
                    var spec = pretraining
                    spec.noiseRatio = noise
                    spec.seed = seed
                    pretrains.append((spec, add(.pretrain(spec), .pretrain, dependency: nil)))
                }
            }
            for (pretrain, pretrainKey) in pretrains {
                for task in tasks {
                    for probeSeed in probeSeeds ?? [pretrain.seed] {
                        for method in methods {
                            _ = add(.evaluate(EvaluateSpec(noiseRatio: pretrain.noiseRatio, task: task, method: method.method,
                                                           seed: pretrain.seed, probeSeed: probeSeed,
                                                           hyperparameters: method.hyperparameters,
                                                           features: .pretrained(pretrain), taskParameters: taskParameters)),
                                    .evaluate, dependency: pretrainKey)
                        }
                    }
                }
            }
        }
        return ExpandedGrid(name: name, maxAttempts: maxAttempts, cells: cells)
    }
}
