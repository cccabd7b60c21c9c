import Foundation
public import Testing

/// Where the tests' data lives: the one root for the labelled fridge photos beside the
/// repository (`../shared/data/fridge`, with PROVENANCE.md), and the few committed under
/// Samples/fridge so that a clone alone can run the fridge scene.
public enum TestData {
    /// `../shared/data/fridge`, beside the repository (`SIGHTLINE_FRIDGE_DATA` names another
    /// folder, e.g. a missing one to see what a clone alone runs).
    public static let fridge =
        ProcessInfo.processInfo.environment["SIGHTLINE_FRIDGE_DATA"] ?? Reference.repoRoot + "/../shared/data/fridge"

    /// The labelled fridge photos committed with the repository (Samples/fridge/photos.tsv).
    public static let samples = Reference.repoRoot + "/Samples/fridge"

    /// True when `../shared/data/fridge` is there.
    public static let fridgeAvailable = FileManager.default.fileExists(atPath: fridge + "/PROVENANCE.md")

    /// `relative` (`train/labels/X.txt`, `classes.txt`) under Samples/fridge when it is
    /// committed there, else under `../shared/data/fridge`.
    public static func fridgeFile(_ relative: String) -> String {
        let committed = samples + "/" + relative
        return FileManager.default.fileExists(atPath: committed) ? committed : fridge + "/" + relative
    }

    /// True when `relative` can be read: committed, or beside the repository.
    public static func hasFridgeFile(_ relative: String) -> Bool { FileManager.default.fileExists(atPath: fridgeFile(relative)) }

    /// Why a test that needs it was skipped.
    public static let fridgeMissing =
        "../shared/data/fridge (the labelled fridge photos beside the repository) is absent; clone the data folder beside this checkout to run it"
}

extension Trait where Self == ConditionTrait {
    /// Runs the test only when `../shared/data/fridge` is beside the repository; otherwise it is
    /// skipped, and the skip says why.
    public static var needsFridgeData: Self { .enabled(if: TestData.fridgeAvailable, Comment(rawValue: TestData.fridgeMissing)) }
}

/// Whether the tests run under instruction emulation (`scripts/arm-full` sets
/// `SIGHTLINE_EMULATED=qemu-user` for the aarch64 suite): time there is tens of times a board's,
/// so a test that bounds a duration measures the emulator, not Sightline.
public enum Emulation {
    /// The emulator's name, or nil on real hardware.
    public static let name: String? = ProcessInfo.processInfo.environment["SIGHTLINE_EMULATED"].flatMap { $0.isEmpty ? nil : $0 }

    /// Why a timing test was skipped.
    public static var skipped: String {
        "bounds a duration, and this run is under \(name ?? "emulation") (set by scripts/arm-full): emulated time says nothing about a board's; the test runs on x86_64 in scripts/test"
    }
}

extension Trait where Self == ConditionTrait {
    /// Runs a test that bounds wall-clock time only on real hardware; under emulation it is
    /// skipped, and the skip says why.
    public static var needsRealTime: Self { .disabled(if: Emulation.name != nil, Comment(rawValue: Emulation.skipped)) }
}
