import StudyData

/// Which fonts draw what (docs/data.md, "Glyphs"). The three groups share no font file: no
/// downstream font is ever seen in pre-training, and the handwriting fonts are seen by no probe
/// before its test.
public enum GlyphFonts {
    private typealias Name = DataCatalog.FontFileName

    /// The pre-training source's fonts: print CJK faces (Hei/sans, Gothic, Mincho, Ming).
    public static let sourcePrint = [Name.wqyMicroHei, Name.wqyZenHei, Name.ipaGothic, Name.ipaMincho, Name.arphicUMing]

    /// The ID tasks' fonts: held-out print Latin faces (sans, serif, mono; regular, bold, italic).
    public static let latinPrint = [
        Name.dejaVuSans, Name.dejaVuSerif, Name.dejaVuSansMono, Name.liberationSans, Name.liberationSerif,
        Name.liberationMono, Name.liberationSansBold, Name.liberationSerifItalic, Name.freeSans, Name.freeSerif,
        Name.freeMono, Name.freeSerifBold,
    ]

    /// The OOD task's test fonts: handwriting-style Latin faces.
    public static let latinHand = [
        Name.dkgHandwriting, Name.becauseWeBuild, Name.becauseWeConnect, Name.becauseWeCreate, Name.becauseWeLearn,
        Name.becauseWeMentor, Name.becauseWeOrganize, Name.humorSans, Name.breip, Name.rufscript, Name.steveHand,
        Name.delphine, Name.comicNeue,
    ]
}
