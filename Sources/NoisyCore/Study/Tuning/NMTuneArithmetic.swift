/// The versions of NMTune's arithmetic: which ``SVDArithmetic`` its regulariser decomposes each
/// batch with (docs/science.md, "NMTune's arithmetic versions").
///
/// Versions agree to Float accuracy but not bit for bit, so the version is part of an NMTune
/// cell's spec (``TuningHyperparameters/nmtuneArithmetic``) and hence of its key: a grid run with a
/// newer default makes new cells rather than putting new bits under an old key. A worker computes
/// every version it knows, so a sweep stored with an older version resumes and reproduces its
/// results bit for bit; a version it does not know is refused by name.
public enum NMTuneArithmetic {
    /// The version new NMTune cells get (grids may pin another with `nmtune_arithmetic`).
    public static let current = 2
    /// Every version this build computes.
    public static let known = 1...2

    /// The SVD arithmetic of `version` (nil: version 1, see ``TuningHyperparameters/nmtuneArithmetic``).
    /// - Throws: ``TuningError`` `.invalidInput` for a version this build does not know.
    public static func svdArithmetic(version: Int?) throws(TuningError) -> SVDArithmetic {
        switch version ?? 1 {
        case 1: return .version1
        case 2: return .version2
        case let other:
            throw TuningError(.invalidInput, "NMTune arithmetic version \(other) is unknown to this build, which computes versions \(known.lowerBound)–\(known.upperBound): run the cell on a newer worker")
        }
    }
}
