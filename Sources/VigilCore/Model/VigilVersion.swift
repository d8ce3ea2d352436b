/// The version every Vigil executable reports.
public enum VigilVersion {
    /// Semantic version of this build.
    public static let current = "0.1.0"
}
