import ArgumentParser
import Foundation
import Kafka
import Orders
import ProjectionServer
import ServiceRuntime
import Yams

/// deploy/Dockerfile against the code.
extension DeploymentChecks {
    /// The executables the image builds and copies, and the problems with them.
    static func dockerfile(_ text: String, executables: Set<String>) -> (copied: Set<String>, problems: [String]) {
        var problems: [String] = []
        // Given several --product options, `swift build` builds only the last one: each product
        // needs a build of its own, here a loop over them.
        let commands = text.replacingOccurrences(of: "\\\n", with: " ").split(separator: "\n").filter { !$0.hasPrefix("#") }
        let instructions = commands.joined(separator: "\n")  // without comments
        for command in commands where command.matches(of: /--product\s/).count > 1 {
            problems.append(
                "Dockerfile: one swift build is given several --product options, and SwiftPM builds only the last; build each product on its own"
            )
        }
        var built = Set(instructions.matches(of: /--product ([a-z]+)/).map { String($0.1) })
        if let loop = instructions.firstMatch(of: /for product in ([a-z ]+); do\s+swift build [^\n]*--product "\$product"/) {
            built.formUnion(loop.1.split(separator: " ").map(String.init))
        }
        let copied = Set(
            instructions.matches(of: /COPY --from=build \/out\/([a-z]+) \/usr\/local\/bin\/([a-z]+)/).compactMap {
                $0.1 == $0.2 ? String($0.1) : nil
            })
        for name in built.subtracting(executables) {
            problems.append("Dockerfile: builds --product \(name), which Package.swift does not have")
        }
        for name in copied.subtracting(built) { problems.append("Dockerfile: copies \(name), which it does not build") }
        for name in executables.subtracting(copied) { problems.append("Dockerfile: the image lacks the \(name) executable") }
        if !instructions.contains("USER 10001") { problems.append("Dockerfile: the runtime stage does not run as the non-root user") }
        if instructions.firstMatch(of: /COPY [^\n]*Package\.resolved/) == nil || !instructions.contains("--force-resolved-versions") {
            problems.append(
                "Dockerfile: Package.resolved is not copied and enforced (--force-resolved-versions), so the image may resolve dependency versions of its own"
            )
        }
        problems += toolchain(instructions)
        return (copied, problems)
    }

    /// The build stage against the tests' toolchain and librdkafka: the same Swift release, and
    /// librdkafka from the script that built the tests' (scripts/setup.sh, on the same Debian).
    static func toolchain(_ instructions: String, setupScript: String? = try? text("scripts/setup.sh")) -> [String] {
        var problems: [String] = []
        let swift = (try? ProgramRun("/usr/bin/env", ["swift", "--version"]).output)?.firstMatch(of: /Swift version ([0-9.]+)/)?.1
        let image = instructions.firstMatch(of: /FROM swift:([0-9.]+)-bookworm AS build/)?.1
        if image == nil || image != swift {
            problems.append(
                "Dockerfile: the build stage is not swift:\(swift ?? "?")-bookworm, the Swift release and Debian the tests build with"
            )
        }
        if instructions.firstMatch(of: /FROM swift[^\n]*\n(?:[^\n]*\n)*?RUN scripts\/setup\.sh/) == nil {
            problems.append("Dockerfile: the build stage does not run scripts/setup.sh, which installs the tests' librdkafka")
        }
        // On the image's Debian, setup.sh built the tests' librdkafka too, so the two must agree.
        // (Elsewhere, e.g. Ubuntu 24.04, setup.sh takes the distribution's, which says nothing of the image's.)
        let pinned = setupScript?.firstMatch(of: /RDKAFKA_VERSION=\$\{RDKAFKA_VERSION:-([0-9.]+)\}/)?.1
        let onImageDebian =
            (try? String(contentsOfFile: "/etc/os-release", encoding: .utf8))?.contains("VERSION_CODENAME=bookworm") ?? false
        if pinned == nil || (onImageDebian && pinned.map(String.init) != Librdkafka.versionString) {
            problems.append(
                "scripts/setup.sh builds librdkafka \(pinned ?? "?") for the image, but the tests ran with \(Librdkafka.versionString)")
        }
        return problems
    }

    /// The runtime stage's packages against what the executables link (`readelf -d`, NEEDED).
    static func runtimeLibraries(_ text: String, executables: Set<String>, buildDirectory: URL) throws -> [String] {
        let runtime = text.components(separatedBy: "FROM ").last ?? ""
        let packages = Set(
            runtime.matches(of: /install -y --no-install-recommends ([a-z0-9 .+-]+)/).flatMap {
                $0.1.split(separator: " ").map(String.init)
            })
        // Libraries the base image has, and Swift's own (linked statically: --static-swift-stdlib).
        // (zlib1g is one of Debian's required packages: AsyncHTTPClient's decompression, from
        // swift-nio-extras, links it.)
        let provided = [
            "libc.so", "libm.so", "libstdc++.so", "libgcc_s.so", "ld-linux", "libpthread.so", "libdl.so", "librt.so", "libutil.so",
            "libz.so",
        ]
        let swift = [
            "libswift", "libFoundation", "lib_FoundationICU", "libdispatch", "libBlocksRuntime", "libFoundationEssentials",
            "libFoundationInternationalization", "libTesting", "libXCTest",
        ]
        let needs: [String: String] = [
            "libsqlite3.so.0": "libsqlite3-0", "libssl.so.3": "libssl3", "libcrypto.so.3": "libssl3", "libsasl2.so.2": "libsasl2-2",
            "libzstd.so.1": "libzstd1", "liblz4.so.1": "liblz4-1",
        ]
        // librdkafka is the build stage's own (scripts/setup.sh), copied in; what it links comes from packages.
        let rdkafka = "librdkafka.so.1"
        let rdkafkaPath = "/usr/local/lib/\(rdkafka)"
        var problems: [String] = []
        var used: Set<String> = []
        var libraries: [(String, URL)] = executables.sorted().map { ($0, buildDirectory.appendingPathComponent($0)) }
        if runtime.contains("COPY --from=build \(rdkafkaPath) \(rdkafkaPath)") {
            libraries.append((rdkafka, URL(fileURLWithPath: rdkafkaPath)))
        }
        for (executable, binary) in libraries {
            guard FileManager.default.fileExists(atPath: binary.path) else {
                problems.append("runtime libraries: \(binary.path) is not built")
                continue
            }
            for library in try needed(binary) {
                if library.hasPrefix("libFoundationNetworking") {
                    // Statically linked, Foundation's URLSession needs libcurl at run time.
                    used.insert("libcurl4")
                    if !packages.contains("libcurl4") {
                        problems.append("runtime libraries: \(executable) uses URLSession, so the image needs libcurl4")
                    }
                    continue
                }
                if provided.contains(where: library.hasPrefix) || swift.contains(where: library.hasPrefix) { continue }
                if library == rdkafka {
                    if !libraries.contains(where: { $0.0 == rdkafka }) {
                        problems.append(
                            "runtime libraries: \(executable) links \(rdkafka), but the runtime stage does not copy \(rdkafkaPath)")
                    }
                    continue
                }
                guard let package = needs[library] else {
                    problems.append("runtime libraries: \(executable) links \(library), for which the runtime stage installs nothing known")
                    continue
                }
                used.insert(package)
                if !packages.contains(package) {
                    problems.append("runtime libraries: \(executable) links \(library), but the runtime stage does not install \(package)")
                }
            }
        }
        for extra in packages.subtracting(used).subtracting(["curl", "ca-certificates"]) {
            problems.append("runtime libraries: the runtime stage installs \(extra), which no executable links")
        }
        return problems
    }

    static func needed(_ binary: URL) throws -> [String] {
        try ProgramRun("/usr/bin/readelf", ["-d", binary.path]).output.matches(of: /\(NEEDED\)\s+Shared library: \[([^\]]+)\]/).map {
            String($0.1)
        }
    }
}
