import ArgumentParser
import Foundation
import NoisyCore
import TextEncoder
import StudyData

/// `nmsweep-bench encoder`: all-MiniLM-L6-v2 sentences/s on one thread and on every core, and the
/// same for sentence-transformers (PyTorch CPU) in the same run when a Python is given.
struct EncoderBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encoder",
        abstract: "MiniLM sentence embeddings per second, 1 thread and all cores, against sentence-transformers in the same run.",
        discussion: """
            The texts are --sentences pseudo-sentences of 6 to 40 whole words drawn from the model's vocabulary \
            with a fixed seed (about 8 to 45 word pieces, mean ~25 with [CLS]/[SEP]: the length of a dictionary \
            definition or a short review). Each figure is the median of --repeats timed passes over all texts \
            after one untimed warm-up pass. With --torch-python, that Python (it must import torch and \
            sentence_transformers) encodes the same texts from the same model files with \
            `SentenceTransformer.encode(batch_size=32)` at torch.set_num_threads(1) and at all cores, between \
            two measurements of ours (medians of both taken), and ratios ours/torch are printed. \
            --timer thread counts CPU time of the timing thread in the 1-thread measurements of both sides \
            (steadier on a shared machine); all-core figures are always wall time.
            """)

    @Option(help: "Number of texts.") var sentences = 512
    @Option(help: "Timed passes per measurement (median taken).") var repeats = 5
    @Option(help: "Threads of the all-cores measurement (default: every core).") var threads: Int?
    @Option(help: "Timer of the 1-thread measurements: wall or thread (CPU time).") var timer: BenchSupport.Timer = .wall
    @Option(help: "A Python with torch and sentence-transformers to measure the reference (e.g. from scripts/encoder-reference.sh --python).")
    var torchPython: String?
    @Option(help: "Data folder (default: $NMSWEEP_DATA_DIR, else ~/.cache/nmsweep/data).") var dataDir: String?
    @Option(help: "Seed of the texts.") var seed: UInt64 = 7
    @Flag(help: "Print one JSON object: {\"ours_sentences_per_s\":…,\"threads\":…,…}.") var json = false

    func validate() throws {
        guard sentences > 0 else { throw ValidationError("--sentences must be positive, got \(sentences)") }
        guard repeats > 0 else { throw ValidationError("--repeats must be positive, got \(repeats)") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
        if let torchPython, !FileManager.default.isExecutableFile(atPath: torchPython) {
            throw ValidationError("--torch-python \(torchPython) is not an executable file")
        }
    }

    func run() throws {
        let directory = dataDir ?? DataCatalog.defaultDirectory()
        let encoder: TextEncoder
        do { encoder = try TextEncoder(dataDirectory: directory) } catch {
            BenchSupport.note("error: \(error) (run `nmsweep data fetch`)")
            throw ExitCode(1)
        }
        let texts = Self.texts(count: sentences, seed: seed, vocabulary: encoder.tokenizer.vocabulary)
        let tokenized = texts.map(encoder.tokenizer.encode)
        let tokens = tokenized.reduce(0) { $0 + $1.count }
        let allThreads = threads ?? ProcessInfo.processInfo.activeProcessorCount
        if !json {
            BenchSupport.note("load average before: \(BenchSupport.loadAverage() ?? "unknown")")
            print("all-MiniLM-L6-v2: \(texts.count) texts, \(tokens) word pieces (mean \(BenchSupport.fixed(Double(tokens) / Double(texts.count), 1))), median of \(repeats) passes")
        }

        func measure(threads: Int, timer: BenchSupport.Timer) -> Double {
            _ = encoder.encode(texts, threads: threads)
            var times = [Double]()
            for _ in 0..<repeats {
                times.append(BenchSupport.seconds(timer) { _ = encoder.encode(texts, threads: threads) })
            }
            return BenchSupport.median(times)
        }
        var oursOne = [measure(threads: 1, timer: timer)]
        var oursAll = [measure(threads: allThreads, timer: .wall)]
        var torch: (one: Double, all: Double, version: String)?
        if let torchPython {
            torch = try measureTorch(python: torchPython, texts: texts, directory: directory, threads: allThreads)
            oursOne.append(measure(threads: 1, timer: timer))
            oursAll.append(measure(threads: allThreads, timer: .wall))
        }
        let oneRate = Double(texts.count) / BenchSupport.median(oursOne)
        let allRate = Double(texts.count) / BenchSupport.median(oursAll)

        if json {
            var fields: [(String, BenchJSON)] = [
                ("ours_sentences_per_s", .number(oneRate)), ("threads", .int(1)),
                ("ours_all_threads_sentences_per_s", .number(allRate)), ("all_threads", .int(allThreads)),
                ("sentences", .int(texts.count)), ("word_pieces", .int(tokens)), ("timer", .string(timer.rawValue)),
            ]
            if let torch {
                fields += [
                    ("torch_sentences_per_s", .number(torch.one)), ("torch_all_threads_sentences_per_s", .number(torch.all)),
                    ("ratio_1_thread", .number(oneRate / torch.one)), ("ratio_all_threads", .number(allRate / torch.all)),
                    ("torch_version", .string(torch.version)),
                ]
            }
            print(BenchJSON.object(fields).text)
            return
        }
        print("                     ours sent/s   torch sent/s   ratio")
        let torchOne = torch.map { BenchSupport.fixed($0.one, 1) } ?? "-"
        let torchAll = torch.map { BenchSupport.fixed($0.all, 1) } ?? "-"
        print("1 thread (\(timer))".padding(toLength: 21, withPad: " ", startingAt: 0)
              + BenchSupport.fixed(oneRate, 1).leftPadded(12) + torchOne.leftPadded(15)
              + (torch.map { BenchSupport.fixed(oneRate / $0.one, 2) } ?? "-").leftPadded(8))
        print("\(allThreads) threads (wall)".padding(toLength: 21, withPad: " ", startingAt: 0)
              + BenchSupport.fixed(allRate, 1).leftPadded(12) + torchAll.leftPadded(15)
              + (torch.map { BenchSupport.fixed(allRate / $0.all, 2) } ?? "-").leftPadded(8))
        if let torch { print("torch \(torch.version)") }
        BenchSupport.note("load average after: \(BenchSupport.loadAverage() ?? "unknown")")
    }

    /// Pseudo-sentences of whole vocabulary words (letters only, 2+ letters), 6–40 words each.
    static func texts(count: Int, seed: UInt64, vocabulary: [String: Int32]) -> [String] {
        let words = vocabulary.keys.filter { $0.count >= 2 && $0.unicodeScalars.allSatisfy { ("a"..."z").contains($0) } }.sorted()
        var state = seed
        func next() -> UInt64 {  // SplitMix64
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        return (0..<count).map { _ in
            let length = 6 + Int(next() % 35)
            return (0..<length).map { _ in words[Int(next() % UInt64(words.count))] }.joined(separator: " ")
        }
    }

    /// Runs sentence-transformers on `texts` in `python`; returns sentences/s at 1 and all threads.
    private func measureTorch(python: String, texts: [String], directory: String, threads: Int) throws -> (one: Double, all: Double, version: String) {
        let scratch = NSTemporaryDirectory() + "nmsweep-encoder-bench-\(getpid())"
        try? FileManager.default.removeItem(atPath: scratch)
        try FileManager.default.createDirectory(atPath: scratch + "/model/1_Pooling", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        typealias Name = DataCatalog.FileName
        let links = [
            ("model.safetensors", Name.miniLMWeights), ("config.json", Name.miniLMConfig), ("tokenizer.json", Name.miniLMTokenizer),
            ("tokenizer_config.json", Name.miniLMTokenizerConfig), ("sentence_bert_config.json", Name.miniLMSentenceConfig),
            ("1_Pooling/config.json", Name.miniLMPooling), ("modules.json", Name.miniLMModules),
        ]
        for (target, name) in links {
            try FileManager.default.createSymbolicLink(atPath: scratch + "/model/" + target, withDestinationPath: directory + "/" + name)
        }
        try FileBytes.write(Array(texts.map { $0 + "\n" }.joined().utf8), to: scratch + "/texts.txt")
        let script = """
            import json, sys, time, torch
            from sentence_transformers import SentenceTransformer
            model_dir, texts_path, repeats, timer, threads = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
            with open(texts_path, encoding="utf-8") as f:
                texts = f.read().split("\\n")[:-1]
            model = SentenceTransformer(model_dir, device="cpu")
            out = {"version": torch.__version__}
            for label, n in (("one", 1), ("all", threads)):
                torch.set_num_threads(n)
                clock = time.thread_time if (timer == "thread" and n == 1) else time.perf_counter
                model.encode(texts, batch_size=32)
                times = []
                for _ in range(repeats):
                    start = clock()
                    model.encode(texts, batch_size=32)
                    times.append(clock() - start)
                times.sort()
                out[label] = len(texts) / times[len(times) // 2]
            print(json.dumps(out))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: torchPython ?? python)
        process.arguments = ["-c", script, scratch + "/model", scratch + "/texts.txt", String(repeats), timer.rawValue, String(threads)]
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let outData = output.fileHandleForReading.readDataToEndOfFile()
        let errData = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
              let line = String(decoding: outData, as: UTF8.self).split(separator: "\n").last,
              let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
              let one = (object["one"] as? NSNumber)?.doubleValue, let all = (object["all"] as? NSNumber)?.doubleValue
        else {
            BenchSupport.note("error: \(python) failed (exit \(process.terminationStatus)): \(String(decoding: errData, as: UTF8.self).suffix(2000))")
            throw ExitCode(1)
        }
        return (one, all, object["version"] as? String ?? "?")
    }
}

private extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
