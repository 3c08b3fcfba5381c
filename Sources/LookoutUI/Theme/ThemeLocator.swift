import Foundation
import LookoutConfig

/// Finds a theme by name: `NAME.yaml` in the first `Themes` folder that has it, looked up
///   1. beside the executable (`<bin>/Themes`),
///   2. in the install prefix's share folder: `<bin>/../share/lookout/themes` (the package's), then
///      `<bin>/../share/lookout/Themes`,
///   3. in the repository, walking up from the executable (`swift build` puts it in `.build/...`).
/// A value with a `/` is a path to a theme file.
public struct ThemeLocator: Sendable {
    public var executable: URL

    public init(executable: URL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()) {
        self.executable = executable
    }

    /// The folders looked in, in order.
    public var folders: [String] {
        let bin = executable.deletingLastPathComponent()
        var result = [bin.appendingPathComponent("Themes").path,
                      bin.deletingLastPathComponent().appendingPathComponent("share/lookout/themes").path,
                      bin.deletingLastPathComponent().appendingPathComponent("share/lookout/Themes").path]
        var folder = bin
        while folder.path != "/" {
            folder = folder.deletingLastPathComponent()
            let candidate = folder.appendingPathComponent("Themes")
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("default.yaml").path),
               FileManager.default.fileExists(atPath: folder.appendingPathComponent("Package.swift").path) {
                result.append(candidate.path)
                break
            }
        }
        return result
    }

    /// The theme file for a name or path.
    public func path(for nameOrPath: String) throws(ThemeNotFound) -> String {
        if nameOrPath.contains("/") {
            guard FileManager.default.fileExists(atPath: nameOrPath) else { throw ThemeNotFound(name: nameOrPath, tried: [nameOrPath]) }
            return nameOrPath
        }
        let tried = folders.map { "\($0)/\(nameOrPath).yaml" }
        guard let found = tried.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
            throw ThemeNotFound(name: nameOrPath, tried: tried)
        }
        return found
    }

    /// Loads a theme by name or path over the built-in defaults. `default` works even when no
    /// `Themes` folder can be found: the built-in theme is the default theme.
    public func load(_ nameOrPath: String) throws -> Theme {
        let path: String
        do {
            path = try self.path(for: nameOrPath)
        } catch {
            if nameOrPath == "default" { return .builtIn }
            throw error
        }
        return Theme.over(try ThemeFile.load(path: path))
    }
}

public struct ThemeNotFound: Error, Sendable, CustomStringConvertible {
    public let name: String
    public let tried: [String]

    public var description: String {
        "no theme `\(name)`; tried: \(tried.joined(separator: ", "))"
    }
}
