import NoisyCore

/// The font files of the rendered-glyph data (GlyphData; docs/data.md, "Glyphs"): Debian's font
/// packages (bookworm versions in docs/data.md), copied into the data folder and pinned like the
/// other data files, so every node renders from the same bytes.
extension DataCatalog {
    /// Fixed names of the font files in the data folder: `glyph-cjk-*` (the pre-training source's
    /// print CJK fonts), `glyph-print-*` (held-out print Latin fonts of the ID tasks), `glyph-hand-*`
    /// (handwriting-style Latin fonts of the OOD task). A font is in exactly one group.
    public enum FontFileName {
        public static let wqyMicroHei = "glyph-cjk-wqy-microhei.ttc"
        public static let wqyZenHei = "glyph-cjk-wqy-zenhei.ttc"
        public static let ipaGothic = "glyph-cjk-ipag.ttf"
        public static let ipaMincho = "glyph-cjk-ipam.ttf"
        public static let arphicUMing = "glyph-cjk-uming.ttc"
        public static let dejaVuSans = "glyph-print-DejaVuSans.ttf"
        public static let dejaVuSerif = "glyph-print-DejaVuSerif.ttf"
        public static let dejaVuSansMono = "glyph-print-DejaVuSansMono.ttf"
        public static let liberationSans = "glyph-print-LiberationSans-Regular.ttf"
        public static let liberationSerif = "glyph-print-LiberationSerif-Regular.ttf"
        public static let liberationMono = "glyph-print-LiberationMono-Regular.ttf"
        public static let liberationSansBold = "glyph-print-LiberationSans-Bold.ttf"
        public static let liberationSerifItalic = "glyph-print-LiberationSerif-Italic.ttf"
        public static let freeSans = "glyph-print-FreeSans.ttf"
        public static let freeSerif = "glyph-print-FreeSerif.ttf"
        public static let freeMono = "glyph-print-FreeMono.ttf"
        public static let freeSerifBold = "glyph-print-FreeSerifBold.ttf"
        public static let dkgHandwriting = "glyph-hand-dkg.ttf"
        public static let becauseWeBuild = "glyph-hand-BecauseWeBuild.otf"
        public static let becauseWeConnect = "glyph-hand-BecauseWeConnect.otf"
        public static let becauseWeCreate = "glyph-hand-BecauseWeCreate.otf"
        public static let becauseWeLearn = "glyph-hand-BecauseWeLearn.otf"
        public static let becauseWeMentor = "glyph-hand-BecauseWeMentor.otf"
        public static let becauseWeOrganize = "glyph-hand-BecauseWeOrganize.otf"
        public static let humorSans = "glyph-hand-Humor-Sans.ttf"
        public static let breip = "glyph-hand-Breip.ttf"
        public static let rufscript = "glyph-hand-Rufscript010.ttf"
        public static let steveHand = "glyph-hand-SteveHand.ttf"
        public static let delphine = "glyph-hand-Delphine.ttf"
        public static let comicNeue = "glyph-hand-ComicNeue-Regular.otf"
    }

    /// Every font file, CJK print, then Latin print, then Latin handwriting.
    public static let fontFiles: [DataFileSpec] = [
        DataFileSpec(name: FontFileName.wqyMicroHei, sha256: "2420e8078af796b19a3f6ef13de527a1a91c1e7171eea115926c614ced1009b3",
                     size: 5_177_387, source: .debianPackage(package: "fonts-wqy-microhei", path: "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")),
        DataFileSpec(name: FontFileName.wqyZenHei, sha256: "79c18ebe7b811951e8311bad7103ebeae8c337ed9988ea69e8a78a66cfe029b9",
                     size: 16_791_251, source: .debianPackage(package: "fonts-wqy-zenhei", path: "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")),
        DataFileSpec(name: FontFileName.ipaGothic, sha256: "503af4a8b84d1079b8e2e358dc7f7a7fb8cb7a1f212f35eaef6782dbfc75a55e",
                     size: 6_235_344, source: .debianPackage(package: "fonts-ipafont-gothic", path: "/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf")),
        DataFileSpec(name: FontFileName.ipaMincho, sha256: "ab923870b9ea047179c14fa78eede8d3957b6bfed26577253b5f08f75c102a34",
                     size: 8_046_712, source: .debianPackage(package: "fonts-ipafont-mincho", path: "/usr/share/fonts/opentype/ipafont-mincho/ipam.ttf")),
        DataFileSpec(name: FontFileName.arphicUMing, sha256: "fe952e55617275142d9cefd4d79eade4df446517b0478b2567d9bc7df49f70e2",
                     size: 21_053_592, source: .debianPackage(package: "fonts-arphic-uming", path: "/usr/share/fonts/truetype/arphic/uming.ttc")),
        DataFileSpec(name: FontFileName.dejaVuSans, sha256: "abdc775b21b1bc470d50c97e790d276f2054b7504e56e5bd3e64f48d68582322",
                     size: 759_720, source: .debianPackage(package: "fonts-dejavu-core", path: "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")),
        DataFileSpec(name: FontFileName.dejaVuSerif, sha256: "13e61509f5c81d7c3132810f4f903e3523df89c802bf6e0674621e8f659cdfe1",
                     size: 380_660, source: .debianPackage(package: "fonts-dejavu-core", path: "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")),
        DataFileSpec(name: FontFileName.dejaVuSansMono, sha256: "0f5db4f1749979d961019838b160bec74abdf7f9eca69553fe1aa856bbff49a4",
                     size: 343_140, source: .debianPackage(package: "fonts-dejavu-core", path: "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf")),
        DataFileSpec(name: FontFileName.liberationSans, sha256: "8d91388f1d3604b3b8ae0e3ee2d140e50cd6122f9214514f4aca772540a4076d",
                     size: 410_712, source: .debianPackage(package: "fonts-liberation2", path: "/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf")),
        DataFileSpec(name: FontFileName.liberationSerif, sha256: "29d12439831b7f59194efec85872f24f54eff05738933f9a860220d2abff88ba",
                     size: 393_576, source: .debianPackage(package: "fonts-liberation2", path: "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf")),
        DataFileSpec(name: FontFileName.liberationMono, sha256: "6b3809450cf6253b36d157198dc15004a5fbade9abad5543c377feb7bb29139c",
                     size: 319_508, source: .debianPackage(package: "fonts-liberation2", path: "/usr/share/fonts/truetype/liberation2/LiberationMono-Regular.ttf")),
        DataFileSpec(name: FontFileName.liberationSansBold, sha256: "ba0e0dc3f7aca5b0afbc31e800531ee43be3aa79ae35b2ef1f6470a9547765c4",
                     size: 414_456, source: .debianPackage(package: "fonts-liberation2", path: "/usr/share/fonts/truetype/liberation2/LiberationSans-Bold.ttf")),
        DataFileSpec(name: FontFileName.liberationSerifItalic, sha256: "c1830c433ab41379f1139fac388989d37c9f08c81e1bd643efdcc7946db30753",
                     size: 375_632, source: .debianPackage(package: "fonts-liberation2", path: "/usr/share/fonts/truetype/liberation2/LiberationSerif-Italic.ttf")),
        DataFileSpec(name: FontFileName.freeSans, sha256: "0b602f2825b30f9faa772c2ca25b1ce05b6255c9bf02dd8ca088ae51f9f737bb",
                     size: 841_088, source: .debianPackage(package: "fonts-freefont-ttf", path: "/usr/share/fonts/truetype/freefont/FreeSans.ttf")),
        DataFileSpec(name: FontFileName.freeSerif, sha256: "12ee050384c99c97a6873708a3aebde3d795de8d8ed069b1a0e3274ab3e5be03",
                     size: 2_013_568, source: .debianPackage(package: "fonts-freefont-ttf", path: "/usr/share/fonts/truetype/freefont/FreeSerif.ttf")),
        DataFileSpec(name: FontFileName.freeMono, sha256: "1175cc31865a2a1bf011a7711ddab98302343bd679181b360a0e845774c61ecf",
                     size: 361_228, source: .debianPackage(package: "fonts-freefont-ttf", path: "/usr/share/fonts/truetype/freefont/FreeMono.ttf")),
        DataFileSpec(name: FontFileName.freeSerifBold, sha256: "12bd953ceb1fa8c7d7386c3d026bd3b004bf07640d8603cc803db7ceb7d9fb99",
                     size: 930_220, source: .debianPackage(package: "fonts-freefont-ttf", path: "/usr/share/fonts/truetype/freefont/FreeSerifBold.ttf")),
        DataFileSpec(name: FontFileName.dkgHandwriting, sha256: "93eb07f57b84f04fa975ebf49ecec43d9b2c85834a9b63864072c6b993efd131",
                     size: 71_868, source: .debianPackage(package: "fonts-dkg-handwriting", path: "/usr/share/fonts/truetype/fifthhorseman/dkg.ttf")),
        DataFileSpec(name: FontFileName.becauseWeBuild, sha256: "202160d49b0cfbe8a812c5a75487058f7caba2398324214a1e6d34f24b68d855",
                     size: 15_892, source: .debianPackage(package: "fonts-bwht", path: "/usr/share/fonts/opentype/bwht/BecauseWeBuild-Regular.otf")),
        DataFileSpec(name: FontFileName.becauseWeConnect, sha256: "c9c7135605a5c8cd143b611881c93383c6804166c4770810ab0c07dbbff3aac9",
                     size: 22_256, source: .debianPackage(package: "fonts-bwht", path: "/usr/share/fonts/opentype/bwht/BecauseWeConnect-Regular.otf")),
        DataFileSpec(name: FontFileName.becauseWeCreate, sha256: "abdbea89b7de43bccae63975af1714a26a473584341d5c395fca1cb1c51ff48f",
                     size: 58_312, source: .debianPackage(package: "fonts-bwht", path: "/usr/share/fonts/opentype/bwht/BecauseWeCreate-Regular.otf")),
        DataFileSpec(name: FontFileName.becauseWeLearn, sha256: "d5551a6a1449de4ee2e8ddcd0bcc3e7d292d24c61fc6515d8db9b03a65b127dd",
                     size: 12_144, source: .debianPackage(package: "fonts-bwht", path: "/usr/share/fonts/opentype/bwht/BecauseWeLearn-Regular.otf")),
        DataFileSpec(name: FontFileName.becauseWeMentor, sha256: "b71888fd9a79936e44a55baf1bf0bb4e594827be890882c4fc9918409e8c2509",
                     size: 16_872, source: .debianPackage(package: "fonts-bwht", path: "/usr/share/fonts/opentype/bwht/BecauseWeMentor-Regular.otf")),
        DataFileSpec(name: FontFileName.becauseWeOrganize, sha256: "f97f8557caa4de42f743d8d4ea0851993b12c112e8713fd6d6d08881e6a24c5e",
                     size: 17_748, source: .debianPackage(package: "fonts-bwht", path: "/usr/share/fonts/opentype/bwht/BecauseWeOrganize-Regular.otf")),
        DataFileSpec(name: FontFileName.humorSans, sha256: "2ded6a27448c9ed30aaff177744e2bcf1e52e0aab018b2a8be64565df633318f",
                     size: 25_832, source: .debianPackage(package: "fonts-humor-sans", path: "/usr/share/fonts/truetype/humor-sans/Humor-Sans.ttf")),
        DataFileSpec(name: FontFileName.breip, sha256: "cded2aeeeb7d35baa8aa5b57df35a25836910498271d3d2eec502f6aa7033eb7",
                     size: 62_552, source: .debianPackage(package: "fonts-breip", path: "/usr/share/fonts/truetype/breip/Breip.ttf")),
        DataFileSpec(name: FontFileName.rufscript, sha256: "99b16515f19ab35d18049235797b0dbe3ec73535d455994442b206c96405050f",
                     size: 23_096, source: .debianPackage(package: "fonts-rufscript", path: "/usr/share/fonts/truetype/rufscript/Rufscript010.ttf")),
        DataFileSpec(name: FontFileName.steveHand, sha256: "51e0820b832b2cd3db9dc9a759520c868166ae291f19afc3d94689e668d0435e",
                     size: 101_832, source: .debianPackage(package: "fonts-sjfonts", path: "/usr/share/fonts/truetype/sjfonts/SteveHand.ttf")),
        DataFileSpec(name: FontFileName.delphine, sha256: "afeea795e392f6b8e0cc4ba3978375908d1f29f8d82f1b7b15d9fdc755a05288",
                     size: 69_264, source: .debianPackage(package: "fonts-sjfonts", path: "/usr/share/fonts/truetype/sjfonts/Delphine.ttf")),
        DataFileSpec(name: FontFileName.comicNeue, sha256: "2728ee8f303e31934e62bf27b044fd7657b0613412d51f7444db1078cc3a7cb2",
                     size: 35_628, source: .debianPackage(package: "fonts-comic-neue", path: "/usr/share/fonts/opentype/comic-neue/ComicNeue-Regular.otf")),
    ]

    /// The path of catalogue file `name` in `directory`, after checking it against its pinned
    /// SHA-256 (once per process and file version).
    /// - Throws: ``DataError`` `.missingFile` (run `nmsweep data fetch`) or `.hashMismatch`.
    public static func verifiedPath(of name: String, in directory: String) throws -> String {
        try Dataset.dataFile(name, in: directory)
    }
}
