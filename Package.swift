// swift-tools-version:6.0
// Sightline: an edge vision pipeline for smart glasses.
// The folder of each target is the module; see docs/architecture.md for how they fit.
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

/// Executables import their libraries internally anyway; they skip InternalImportsByDefault
/// so that argument-parser conformances on library types stay simple.
let executable: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny")]

let package = Package(
    name: "Sightline",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "sightline", targets: ["sightline"]),
        .library(name: "SightlineCore", targets: ["SightlineCore"]),
        .library(name: "SightlineKernels", targets: ["SightlineKernels"]),
        .library(name: "Imaging", targets: ["Imaging"]),
        .library(name: "Detection", targets: ["Detection"]),
        .library(name: "Capture", targets: ["Capture"]),
        .library(name: "Reasoning", targets: ["Reasoning"]),
        .library(name: "Actions", targets: ["Actions"]),
        // The bridge to OpenCV DNN as its own shared library, libSightlineOpenCVDNN.so, which
        // COpenCVLoader opens on first use. `swift build` and `swift build --build-tests` build it
        // beside the executables; `--product sightline` alone does not (scripts build both).
        .library(name: "SightlineOpenCVDNN", type: .dynamic, targets: ["CDetectorRuntime"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
    ],
    targets: [
        // C boundary: libjpeg-turbo's TurboJPEG 2.x API (libturbojpeg0-dev).
        .systemLibrary(
            name: "CTurboJPEG",
            pkgConfig: "libturbojpeg",
            providers: [.apt(["libturbojpeg0-dev"])]
        ),
        // C boundary: Linux V4L2 (<linux/videodev2.h>) and libv4l2 (libv4l-dev).
        .systemLibrary(
            name: "CV4L2",
            pkgConfig: "libv4l2",
            providers: [.apt(["libv4l-dev"])]
        ),
        // C boundary: OpenCV's DNN runtime (libopencv-dnn-dev 4.6) behind a plain C API. Debian
        // ships no opencv4.pc without libopencv-dev, so the libraries are named directly. No target
        // depends on it: it is the SightlineOpenCVDNN shared library, opened by COpenCVLoader.
        .target(
            name: "CDetectorRuntime",
            cxxSettings: [.unsafeFlags(["-I/usr/include/opencv4"])],
            linkerSettings: [.linkedLibrary("opencv_dnn"), .linkedLibrary("opencv_core")]
        ),
        // C boundary: opens the OpenCV bridge (libSightlineOpenCVDNN.so) with dlopen on first use,
        // so a process whose models run on ONNX Runtime never maps OpenCV.
        .target(name: "COpenCVLoader", linkerSettings: [.linkedLibrary("dl")]),
        // C boundary: ONNX Runtime's C API behind fixed plain-C signatures. The library is opened
        // with dlopen at run time (scripts/setup-onnxruntime installs it and the header), so a
        // build or a machine without it still runs OpenCV's runtime.
        .target(name: "CONNXRuntime", linkerSettings: [.linkedLibrary("dl")]),
        // C boundary: glibc's mallopt, for the live pipeline's executables (Pipeline/ProcessMemory.swift).
        .target(name: "CMallocTuning"),
        // C boundary: one MQTT connection over Debian's libmosquitto (libmosquitto-dev), its
        // callbacks turned into blocking calls with timeouts. libmosquitto is opened with dlopen
        // on the first connection, so a process without MQTT never maps it and its TLS libraries.
        .target(name: "CMosquitto", linkerSettings: [.linkedLibrary("dl")]),
        // C boundary: one HTTP POST at a time over libcurl (Debian's libcurl4), for the webhook.
        // libcurl is opened with dlopen on the first POST, so a process without a webhook never
        // maps it and its TLS stack.
        .target(name: "CHTTP", linkerSettings: [.linkedLibrary("dl")]),
        // Frames, pixel formats, buffers, timestamps, errors. Depends on nothing.
        .target(name: "SightlineCore", swiftSettings: strict),
        // The SIMD kernels and their scalar references. Needs no Swift runtime (no classes,
        // no growing arrays, no strings, no existentials), so the same source also builds in
        // Embedded Swift for aarch64 (scripts/arm-test).
        // Optimised even in debug builds: unoptimised SIMD code is ~100x slower, which would make
        // every debug run and the test suite crawl.
        .target(
            name: "SightlineKernels",
            swiftSettings: strict + [.unsafeFlags(["-O"], .when(configuration: .debug))]
        ),
        // JPEG decode with DCT-domain scaling, colour conversion, resize, letterbox, tensors.
        .target(
            name: "Imaging",
            dependencies: ["SightlineCore", "SightlineKernels", "CTurboJPEG"],
            swiftSettings: strict
        ),
        // Frame sources: V4L2 cameras (mmap streaming on a dedicated thread, latest frame wins)
        // and recorded frames (JPEG directories, single images, MJPEG streams); recording.
        .target(
            name: "Capture",
            dependencies: [
                "SightlineCore", "CV4L2",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // Detectors: the ObjectDetector interface, model manifests, the OpenCV DNN and ONNX Runtime
        // adapters, YOLO output decoding and class-wise non-maximum suppression.
        .target(
            name: "Detection",
            dependencies: [
                "SightlineCore", "Imaging", "COpenCVLoader", "CONNXRuntime",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        // Actions: the sinks events go to (JSON Lines, the GRDB grocery list, the webhook and the
        // MQTT publisher with their durable outboxes, the heads-up overlay JPEGs) and the event
        // model they share.
        .target(
            name: "Actions",
            dependencies: [
                "SightlineCore", "Imaging", "CMosquitto", "CHTTP",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // The reasoner: chains of typed steps over detections, a nutrition knowledge base, wearer
        // profiles (and Apple Health exports), and an explainable, deterministic trace.
        .target(name: "Reasoning", dependencies: ["SightlineCore"], swiftSettings: strict),
        // Wiring: frames through detection, the reasoner and the sinks, with per-stage timing
        // (reported through swift-metrics' API; the executable picks the backend).
        .target(
            name: "Pipeline",
            dependencies: [
                "SightlineCore", "Capture", "Imaging", "Detection", "Reasoning", "Actions", "CMallocTuning",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ],
            swiftSettings: strict
        ),
        // Running as a service: sightline.yaml (Yams), the Prometheus endpoint (swift-prometheus
        // over a SwiftNIO HTTP server), journald logging, reloading on SIGHUP, health on MQTT.
        .target(
            name: "Service",
            dependencies: [
                "Actions", "Capture", "Pipeline", "Reasoning",
                .product(name: "Yams", package: "Yams"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // Teaching Sightline the wearer's own fridge: the labelling web app (Hummingbird on
        // 127.0.0.1, its page embedded in the binary) and the YOLO folder it saves.
        .target(
            name: "Teach",
            dependencies: [
                "SightlineCore", "Imaging", "Detection", "Reasoning",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.embedInCode("Web/teach.html"), .embedInCode("Web/teach.css"), .embedInCode("Web/teach.js")],
            swiftSettings: strict
        ),
        // The thin command-line tool.
        .executableTarget(
            name: "sightline",
            dependencies: [
                "SightlineCore", "Imaging", "Detection", "Capture", "Pipeline", "Reasoning", "Actions", "Service", "Teach",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: executable
        ),
        // Counts heap allocations per thread (interposes glibc's malloc) for the live benchmark.
        .target(name: "CMallocCounter", path: "Benchmarks/CMallocCounter"),
        // Benchmarks: programs that print medians and ratios against a reference measured
        // in the same run. Run with `swift run -c release sightline-bench`.
        .executableTarget(
            name: "sightline-bench",
            dependencies: [
                "SightlineCore", "SightlineKernels", "Imaging", "CTurboJPEG", "Detection", "Pipeline", "Reasoning", "Actions",
                "Capture", "CMallocCounter",
            ],
            path: "Benchmarks/sightline-bench",
            swiftSettings: executable
        ),
        // Shared test helpers: deterministic content, the OpenCV reference, the sample photos, a
        // Mosquitto broker and its clients.
        .target(
            name: "SightlineTestSupport",
            dependencies: ["Imaging", "SightlineCore", "Capture"],
            path: "Tests/SightlineTestSupport",
            exclude: ["supervise.py"],
            swiftSettings: strict
        ),
        .testTarget(name: "CoreTests", dependencies: ["SightlineCore"], swiftSettings: strict),
        .testTarget(name: "KernelTests", dependencies: ["SightlineKernels"], swiftSettings: strict),
        // The command line as a user runs it; its help texts against Snapshots/.
        .testTarget(
            name: "CLITests", dependencies: ["sightline", "SightlineTestSupport"], exclude: ["Snapshots"], swiftSettings: strict),
        .testTarget(
            name: "DetectionTests",
            dependencies: [
                "Detection", "Imaging", "SightlineCore", "SightlineTestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        // Capture: a scripted fake driver for negotiation and error paths, recorded sources, and
        // the vivid integration tests (SIGHTLINE_VIVID=1, run in a VM by scripts/vivid-test).
        .testTarget(
            name: "CaptureTests",
            dependencies: ["Capture", "SightlineCore", "SightlineKernels", "Imaging", "CV4L2"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ReasoningTests",
            dependencies: ["Reasoning", "SightlineCore", "SightlineTestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ImagingTests",
            dependencies: ["Imaging", "SightlineCore", "SightlineKernels", "CTurboJPEG", "SightlineTestSupport"],
            swiftSettings: strict
        ),
        // Actions: every sink against real files, a real SQLite database, a real HTTP server
        // on loopback (webhook_server.py) and a real Mosquitto broker (stopped, restarted, with
        // passwords and TLS); a helper process that is killed mid-stream.
        .testTarget(
            name: "ActionsTests",
            dependencies: [
                "Actions", "SightlineCore", "Imaging", "SightlineTestSupport", "ActionsTestHelper", "sightline",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            exclude: ["webhook_server.py"],
            swiftSettings: strict
        ),
        // The live pipeline on recorded sequences built from real photos (gating, hand-offs,
        // events, the grocery list), and the change gate's thumbnails.
        .testTarget(
            name: "PipelineTests",
            dependencies: [
                "Pipeline", "Capture", "Detection", "Imaging", "Reasoning", "Actions", "SightlineCore", "SightlineTestSupport",
            ],
            swiftSettings: strict
        ),
        // The libFuzzer targets: every reader of outside input fed arbitrary bytes (scripts/fuzz
        // builds them with -sanitize=fuzzer,address and links the fuzzer); the tests replay
        // the regression inputs through the same targets.
        .target(
            name: "SightlineFuzzing",
            dependencies: ["SightlineCore", "Imaging", "Capture", "Reasoning", "Detection"],
            path: "Fuzz/SightlineFuzzing",
            swiftSettings: executable
        ),
        .testTarget(name: "FuzzTests", dependencies: ["SightlineFuzzing"], path: "Fuzz/Tests", swiftSettings: strict),
        // sightline.yaml's errors (key and line), the metrics endpoint scraped over HTTP and parsed.
        .testTarget(
            name: "ServiceTests",
            dependencies: [
                "Service", "Pipeline", "Actions", "SightlineTestSupport",
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strict
        ),
        // Teach: the labelled folder it saves and the bad input it refuses, against real photos;
        // the page in a real headless browser (Debian's chromium and chromium-driver) driven
        // through WebDriver with real clicks and drags, on a laptop and a phone-sized screen.
        .testTarget(
            name: "TeachTests",
            dependencies: [
                "Teach", "Detection", "Imaging", "SightlineCore", "SightlineTestSupport", "sightline",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: strict
        ),
        // A tiny program the Actions tests run as a child process and kill mid-stream.
        .executableTarget(
            name: "ActionsTestHelper",
            dependencies: ["Actions", "SightlineCore"],
            path: "Tests/ActionsTestHelper",
            swiftSettings: executable
        ),
    ],
    swiftLanguageModes: [.v6]
)
