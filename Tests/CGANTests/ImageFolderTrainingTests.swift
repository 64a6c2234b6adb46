import CGAN
import Datasets
import Foundation
import Media
import NN
import TestSupport
import XCTest

/// `cgan train --images`: training on a folder of labelled colour images as a user runs it, sampling its
/// classes by name, resuming it exactly, and one-line errors for what does not fit.
final class ImageFolderTrainingTests: XCTestCase {
    override func setUp() { useFastBLASKernel() }

    /// DIR/cat, DIR/dog, DIR/fox: 12 colour PNGs each of `side` pixels, a reddish, greenish and bluish square
    /// on noise, so that the classes differ by colour.
    private func folder(side: Int = 32) throws -> String {
        let dir = temporaryDirectory(self) + "/animals"
        var state: UInt64 = 17
        func random() -> UInt8 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
        for (k, name) in ["cat", "dog", "fox"].enumerated() {
            try FileManager.default.createDirectory(atPath: dir + "/" + name, withIntermediateDirectories: true)
            for i in 0..<12 {
                var rgb = [UInt8](repeating: 0, count: side * side * 3)
                for p in 0..<side * side {
                    let (y, x) = (p / side, p % side)
                    let inside = abs(y - side / 2) < side / 4 && abs(x - side / 2) < side / 4
                    for c in 0..<3 { rgb[3 * p + c] = inside ? (c == k ? 230 : 20) : random() / 4 }
                }
                let png = try ImageEncoder.png(rgb, width: side, height: side, channels: 3)
                _ = FileManager.default.createFile(atPath: "\(dir)/\(name)/\(i).png", contents: Data(png))
            }
        }
        return dir
    }

    private func settings(_ run: String) throws -> (settings: [String: Any], dataset: [String: Any]) {
        let document = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: run + "/config.json"))) as? [String: Any])
        return (try XCTUnwrap(document["settings"] as? [String: Any]), try XCTUnwrap(document["dataset"] as? [String: Any]))
    }

    /// A short real run at 32 x 32 x 3: the config records the shape, the classes and the folder; the grids and
    /// the animation are in colour; `cgan sample` takes class names; `cgan evaluate` says in one line why it
    /// cannot score the run.
    func testTrainingOnAColourFolderWritesColourGridsAndNamesClasses() throws {
        let images = try folder(), run = temporaryDirectory(self) + "/run"
        let r = try runCGAN(["train", "--images", images, "--arch", "dcgan", "--width", "0.125", "--epochs", "2", "--batch-size", "16",
                             "--threads", "1", "--seed", "3", "--out", run])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("3 classes, 33 training and 3 validation images of 3x32x32"), r.stdout)
        XCTAssertTrue(r.stdout.contains("one row per class: 0 cat, 1 dog, 2 fox"), r.stdout)
        // One held-out image per class: training says up front what evaluate refuses below.
        XCTAssertTrue(r.stdout.contains("note: fewer than 2 images of class cat, dog, fox are held out (3 in all), so cgan evaluate cannot score this run"
                                      + " (at --val-fraction 0.1 a class needs 15 images to hold out 2: add images, or raise --val-fraction)"), r.stdout)
        XCTAssertEqual(LabeledImages.heldOutCount(classSize: 11, valFraction: 0.1), 1)
        XCTAssertEqual(LabeledImages.heldOutCount(classSize: 15, valFraction: 0.1), 2)
        XCTAssertNil(LabeledImages.classSize(holdingOut: 2, valFraction: 0))
        XCTAssertTrue(FileManager.default.fileExists(atPath: images + "/.cgan-images-32-auto.safetensors"), "the import is cached")
        let (settings, dataset) = try settings(run)
        let data = try XCTUnwrap(settings["data"] as? [String: Any])
        XCTAssertEqual(data["imageSize"] as? Int, 32)
        XCTAssertEqual(data["channels"] as? Int, 3)
        XCTAssertEqual(data["classNames"] as? [String], ["cat", "dog", "fox"])
        XCTAssertEqual(data["dataset"] as? String, DataSettings.imageFolderName)
        XCTAssertEqual(data["imageFolder"] as? String, URL(fileURLWithPath: images).standardizedFileURL.path)
        XCTAssertEqual(data["validationFraction"] as? Double, 0.1)
        XCTAssertEqual(dataset["training_images"] as? Int, 33)

        let grid = try PNGImage.readRGB(run + "/samples/epoch-002.png")
        XCTAssertEqual(grid.width, 10 * 32 + 11 * 2)
        XCTAssertEqual(grid.height, 3 * 32 + 4 * 2)
        let cell = (0..<32).flatMap { y in (0..<32).map { x in ((2 + y) * grid.width + 2 + x) * 3 } }
        XCTAssertTrue(cell.contains { grid.pixels[$0] != grid.pixels[$0 + 1] || grid.pixels[$0] != grid.pixels[$0 + 2] },
                      "a colour model's samples are not grey")
        let gif = try Data(contentsOf: URL(fileURLWithPath: run + "/samples/progress.gif"))
        XCTAssertEqual(Array(gif.prefix(6)), Array("GIF89a".utf8))

        let checkpoint = run + "/checkpoints/latest.safetensors"
        let generator = try ConditionalGenerator(checkpoint: checkpoint)
        XCTAssertEqual(generator.classNames, ["cat", "dog", "fox"])
        XCTAssertEqual(generator.imageSize, 3072)
        for (label, expected) in [("dog", 1), ("FOX", 2), ("0", 0)] { XCTAssertEqual(generator.label(named: label), expected, label) }
        XCTAssertNil(generator.label(named: "3"))
        let byName = try runCGAN(["sample", "--checkpoint", checkpoint, "--label", "dog", "--count", "4", "--out", run + "/dogs.png"])
        XCTAssertEqual(byName.status, 0, byName.stderr)
        let byNumber = try runCGAN(["sample", "--checkpoint", checkpoint, "--label", "1", "--count", "4", "--out", run + "/ones.png"])
        XCTAssertEqual(byNumber.status, 0, byNumber.stderr)
        XCTAssertEqual(try PNGImage.readRGB(run + "/dogs.png").pixels, try PNGImage.readRGB(run + "/ones.png").pixels)
        try assertOneLineError(["sample", "--checkpoint", checkpoint, "--label", "wolf", "--out", run + "/w.png"],
                               contains: "known: cat, dog, fox")
        // interpolate takes the same names, and a name and its number give the same strip.
        let named = try runCGAN(["interpolate", "--checkpoint", checkpoint, "--label", "cat", "--to-label", "Fox", "--steps", "3", "--out", run + "/named.png"])
        XCTAssertEqual(named.status, 0, named.stderr)
        let numbered = try runCGAN(["interpolate", "--checkpoint", checkpoint, "--label", "0", "--to-label", "2", "--steps", "3", "--out", run + "/numbered.png"])
        XCTAssertEqual(numbered.status, 0, numbered.stderr)
        XCTAssertEqual(try PNGImage.readRGB(run + "/named.png").pixels, try PNGImage.readRGB(run + "/numbered.png").pixels)
        let still = try runCGAN(["interpolate", "--checkpoint", checkpoint, "--label", "cat", "--steps", "3", "--out", run + "/still.png"])
        XCTAssertEqual(still.status, 0, still.stderr)
        XCTAssertNotEqual(try PNGImage.readRGB(run + "/named.png").pixels, try PNGImage.readRGB(run + "/still.png").pixels, "--to-label is read")
        try assertOneLineError(["interpolate", "--checkpoint", checkpoint, "--label", "cat", "--to-label", "wolf", "--out", run + "/w.png"],
                               contains: "--to-label \"wolf\" is not a class number 0...2 and is no class name (known: cat, dog, fox)")
        // What a script passes is echoed short and printable.
        try assertOneLineError(["interpolate", "--checkpoint", checkpoint, "--label", "cat", "--to-label", "\u{1B}[31m" + String(repeating: "w", count: 5000), "--out", run + "/w.png"],
                               contains: "--to-label \"?[31m" + String(repeating: "w", count: 55) + "...\" is not a class number 0...2")
        try assertOneLineError(["evaluate", "--checkpoint", checkpoint], contains: "held out 3 images, fewer than 2 of class cat, dog, fox")
    }

    /// `cgan evaluate` on a folder run: a classifier of the folder's training split (cached by the images'
    /// digest) scores samples against the held-out split; label accuracy and FID, no Parzen window.
    func testAFolderRunIsScoredAgainstItsHeldOutImages() throws {
        let images = try folder(), run = temporaryDirectory(self) + "/run", cache = temporaryDirectory(self) + "/cache"
        let r = try runCGAN(["train", "--images", images, "--val-fraction", "0.25", "--arch", "dcgan", "--width", "0.125", "--epochs", "1",
                             "--batch-size", "9", "--threads", "1", "--out", run])
        XCTAssertEqual(r.status, 0, r.stderr)
        let e = try runCGAN(["evaluate", "--checkpoint", run + "/checkpoints/latest.safetensors", "--samples-per-class", "20"],
                            environment: ["CGAN_CACHE_DIR": cache])
        XCTAssertEqual(e.status, 0, e.stderr)
        XCTAssertTrue(e.stdout.contains("Parzen LL:         not scored"), e.stdout)
        XCTAssertTrue(e.stdout.contains("real training vs held-out images"), e.stdout)
        let cached = try FileManager.default.contentsOfDirectory(atPath: cache).filter { $0.hasPrefix("classifier-images-") }
        XCTAssertEqual(cached.count, 1, "\(cached)")
        struct Document: Decodable { let reports: [EvaluationReport] }
        let document = try JSONDecoder().decode(Document.self, from: Data(contentsOf: URL(fileURLWithPath: run + "/evaluation.json")))
        let report = try XCTUnwrap(document.reports.first)
        XCTAssertNil(report.parzenTest)
        XCTAssertTrue(report.parzenValidation.isEmpty)
        XCTAssertEqual(report.perClass.count, 3)
        XCTAssertTrue(report.perClass.allSatisfy { $0.testLogLikelihood == nil })
        XCTAssertTrue((0...1).contains(report.labelAccuracy))
        XCTAssertTrue(report.fid.isFinite && report.fid > 0 && report.fidRealFloor.isFinite, "\(report.fid) \(report.fidRealFloor)")
        // The three classes differ by colour alone: the classifier of the folder tells its held-out images apart.
        XCTAssertEqual(report.classifierTestAccuracy, 1, accuracy: 1e-9)

        // The report is not written among the images it reads.
        let checkpoint = run + "/checkpoints/latest.safetensors"
        try assertOneLineError(["evaluate", "--checkpoint", checkpoint, "--out", images + "/cat/0.png"], contains: "is inside the image folder")
        XCTAssertNotNil(try? PNGImage.readRGB(images + "/cat/0.png"), "the image is still a PNG")
        // An image added after training splits the folder differently: evaluating or resuming is refused.
        try FileManager.default.copyItem(atPath: images + "/dog/0.png", toPath: images + "/dog/extra.png")
        try assertOneLineError(["evaluate", "--checkpoint", checkpoint], contains: "changed since the run started")
        try assertOneLineError(["train", "--out", run, "--resume", "--epochs", "2"], contains: "changed since the run started")
    }

    /// A folder run stopped after one epoch and resumed to two (finding its folder from the config) ends with
    /// the weights of a straight two-epoch run, bit for bit.
    func testResumedFolderRunEqualsAStraightRun() throws {
        let images = try folder(side: 16), base = temporaryDirectory(self)
        let common = ["--images", images, "--arch", "dcgan", "--image-size", "16", "--width", "0.125", "--batch-size", "8",
                      "--threads", "1", "--seed", "5", "--eval-every", "0"]
        let straight = try runCGAN(["train"] + common + ["--epochs", "2", "--out", base + "/straight"])
        XCTAssertEqual(straight.status, 0, straight.stderr)
        let first = try runCGAN(["train"] + common + ["--epochs", "1", "--out", base + "/resumed"])
        XCTAssertEqual(first.status, 0, first.stderr)
        let resumed = try runCGAN(["train", "--resume", "--epochs", "2", "--out", base + "/resumed"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertTrue(resumed.stdout.contains("resuming at epoch 2"), resumed.stdout)
        let a = try tensorBits(base + "/straight/checkpoints/latest.safetensors"), b = try tensorBits(base + "/resumed/checkpoints/latest.safetensors")
        XCTAssertEqual(a.keys.sorted(), b.keys.sorted())
        XCTAssertTrue(a == b, "the resumed run's weights differ from the straight run's")
        // A resumed run keeps its shape.
        try assertOneLineError(["train", "--resume", "--epochs", "3", "--image-size", "32", "--out", base + "/resumed"], contains: "--image-size")
    }

    /// Bad input is one line: a missing folder, options that need --images, a shape the model has no design for.
    func testBadFolderInputIsOneLine() throws {
        let images = try folder(side: 8), out = temporaryDirectory(self) + "/run"
        try assertOneLineError(["train", "--images", images + "/absent", "--out", out], contains: "cannot read the folder")
        try assertOneLineError(["train", "--images", images + "/cat", "--out", out], contains: "no class folders")
        try assertOneLineError(["train", "--images", images, "--dataset", "mnist", "--out", out], contains: "not both")
        try assertOneLineError(["train", "--image-size", "32", "--out", out], contains: "--image-size applies to --images runs")
        try assertOneLineError(["train", "--images", images, "--channels", "2", "--out", out], contains: "--channels must be 1 or 3")
        try assertOneLineError(["train", "--images", images, "--arch", "dcgan", "--image-size", "48", "--out", out], contains: "dcgan takes --image-size")
        try assertOneLineError(["train", "--images", images, "--val-fraction", "1", "--out", out], contains: "--val-fraction")
        try assertOneLineError(["bench", "--arch", "dcgan", "--image-size", "40"], contains: "--image-size")
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + "/config.json"))
        // A run inside its own image folder would become a class of it at the next import.
        let link = temporaryDirectory(self) + "/link"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: images)
        for inside in [images, images + "/runs", images + "/cat/../runs", link + "/runs/new", images + "/absent/../runs"] {
            try assertOneLineError(["train", "--images", images, "--out", inside], contains: "is inside the image folder")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: images + "/runs"))
        // A sibling whose name starts with the folder's is outside it: refused later, for another reason.
        try assertOneLineError(["train", "--images", images, "--out", images + "-runs", "--batch-size", "40"], contains: "batch size 40 exceeds")
        XCTAssertFalse(FileManager.default.fileExists(atPath: images + "/config.json"))
    }

    /// A folder's images split by class (10% of each for validation), the training images taking turns by
    /// class, so that --train-limit keeps the classes balanced.
    func testFolderDataIsSplitByClassAndInterleaved() {
        let labels = [Int32](repeating: 0, count: 20) + [Int32](repeating: 1, count: 10) + [Int32](repeating: 2, count: 10)
        let pixels = labels.enumerated().flatMap { i, _ in [UInt8](repeating: UInt8(i), count: 12) }
        let images = LabeledImages(pixels: pixels, labels: labels, imageSize: 12, classCount: 3, channels: 3, side: 2,
                                   classNames: ["a", "b", "c"])
        let data = TrainingData(folder: "/f", images: images, validationFraction: 0.1)
        XCTAssertEqual(data.validation.classHistogram, [2, 1, 1])
        XCTAssertEqual(data.train.classHistogram, [18, 9, 9])
        XCTAssertEqual(Array(data.train.labels.prefix(9)), [0, 1, 2, 0, 1, 2, 0, 1, 2])
        XCTAssertEqual(Array(data.train.labels.suffix(9)), [Int32](repeating: 0, count: 9))
        // Each image keeps its label: image i holds the byte i.
        for k in 0..<data.train.count {
            XCTAssertEqual(labels[Int(data.train.pixels[k * 12])], data.train.labels[k])
        }
        XCTAssertEqual(data.side, 2)
        XCTAssertEqual(data.channels, 3)
    }

    /// An MLP takes the folder's images flattened: grey 8 x 8 here, with grey grids.
    func testAnMLPTrainsOnGreyImagesOfTheFolder() throws {
        let images = try folder(side: 8), run = temporaryDirectory(self) + "/run"
        let r = try runCGAN(["train", "--images", images, "--arch", "mlp", "--image-size", "8", "--channels", "1", "--width", "0.125",
                             "--epochs", "1", "--batch-size", "8", "--threads", "1", "--out", run])
        XCTAssertEqual(r.status, 0, r.stderr)
        let data = try XCTUnwrap(try settings(run).settings["data"] as? [String: Any])
        XCTAssertEqual(data["channels"] as? Int, 1)
        XCTAssertEqual(data["imageSize"] as? Int, 8)
        let grid = try PNGImage.readGray(run + "/samples/epoch-001.png")
        XCTAssertEqual(grid.width, 10 * 8 + 11 * 2)
        XCTAssertEqual(try ConditionalGenerator(checkpoint: run + "/checkpoints/latest.safetensors").imageSize, 64)
    }
}
