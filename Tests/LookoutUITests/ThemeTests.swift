import Foundation
import LookoutConfig
import Testing
@testable import LookoutUI

@Suite struct ThemeTests {
    static let themes = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Themes")

    @Test(arguments: ["default", "light", "high-contrast", "mono"])
    func shippedThemesDecode(name: String) throws {
        let file = try ThemeFile.load(path: Self.themes.appendingPathComponent("\(name).yaml").path)
        let theme = Theme.over(file)
        for role in StatusRole.allCases { #expect(theme.symbols.symbols[role] != nil, "\(name) \(role)") }
        #expect(theme.style(.header) != ThemeStyle())
    }

    @Test func missingEntriesFallBackToTheBuiltInTheme() throws {
        let file = try ThemeFile.decode(yaml: "status:\n  ok: { symbol: \"+\" }\n", file: "/t/partial.yaml")
        let theme = Theme.over(file)
        #expect(theme.symbols.symbol(.ok) == "+")
        #expect(theme.style(.status(.ok)).fg == ThemeColor(candidates: [2]))
        #expect(theme.style(.status(.crit)) == Theme.builtIn.style(.status(.crit)))
        #expect(theme.style(.accent("nowhere")) == theme.style(.text))
    }

    @Test func accentPerEnvironment() throws {
        let file = try ThemeFile.decode(yaml: "environments:\n  prod: { fg: [203, red], bold: true }\n", file: "/t/a.yaml")
        #expect(Theme.over(file).style(.accent("prod")) == ThemeStyle(fg: ThemeColor(candidates: [203, 1]), bold: true))
    }

    @Test(arguments: [
        ("status:\n  ok: { fg: grene }\n", 2, "status.ok.fg", "did you mean `green`"),
        ("status:\n  ok: { fg: 300 }\n", 2, "status.ok.fg", "0-255"),
        ("ui:\n  header: { fg: black }\n  headr: { bg: cyan }\n", 3, "ui.headr", "did you mean `header`"),
        ("status:\n  ok: { symbol: \"ok\" }\n", 2, "status.ok.symbol", "one character"),
        ("status:\n  warn:\n    bold: maybe\n", 3, "status.warn.bold", "true or false"),
        ("colours: {}\n", 1, "colours", "unknown key"),
        ("status: [ok\n", 2, "", "YAML syntax"),
    ])
    func badThemeNamesLineAndKey(yaml: String, line: Int, key: String, message: String) {
        #expect(throws: ConfigError.self) { try ThemeFile.decode(yaml: yaml, file: "/t/bad.yaml") }
        do {
            _ = try ThemeFile.decode(yaml: yaml, file: "/t/bad.yaml")
        } catch {
            #expect(error.file == "/t/bad.yaml")
            #expect(error.line == line, "\(error)")
            #expect(error.keyPath == key, "\(error)")
            #expect(error.message.contains(message), "\(error)")
        }
    }

    @Test func colourFallbacks() {
        #expect(ColorFallback.resolve(ThemeColor(candidates: [208, 3]), colors: 256) == 208)
        #expect(ColorFallback.resolve(ThemeColor(candidates: [208, 3]), colors: 8) == 3)
        #expect(ColorFallback.resolve(ThemeColor(candidates: [196]), colors: 8) == 1)
        #expect(ColorFallback.resolve(ThemeColor(candidates: [46]), colors: 8) == 2)
        #expect(ColorFallback.resolve(ThemeColor(candidates: [255]), colors: 8) == 7)
        #expect(ColorFallback.resolve(ThemeColor(candidates: [9]), colors: 8) == 1)
        #expect(ColorFallback.resolve(nil, colors: 256) == -1)
        #expect(ColorFallback.resolve(ThemeColor(candidates: [-1]), colors: 8) == -1)
    }

    @Test func locatorFindsNamesInTheRepositoryAndPaths() throws {
        // An executable inside the checkout's build folder walks up to the repository's Themes/.
        let executable = Self.themes.deletingLastPathComponent().appendingPathComponent(".build/debug/lookout")
        let locator = ThemeLocator(executable: executable)
        #expect(locator.folders.first == executable.deletingLastPathComponent().appendingPathComponent("Themes").path)
        #expect(locator.folders.contains(Self.themes.path))
        #expect(try locator.path(for: "mono") == Self.themes.appendingPathComponent("mono.yaml").path)
        #expect(try locator.load("light").symbols.symbol(.ok) == "●")
        #expect(throws: ThemeNotFound.self) { try locator.path(for: "no-such-theme") }
        #expect(throws: ThemeNotFound.self) { try locator.path(for: "/no/such/theme.yaml") }
        // Nowhere to look: `default` is the built-in theme.
        let lost = ThemeLocator(executable: URL(fileURLWithPath: "/nonexistent/bin/lookout"))
        #expect(try lost.load("default") == .builtIn)
    }

    /// `share/lookout/themes` is the package's (scripts/package); `Themes` an older install's.
    @Test(arguments: ["share/lookout/themes", "share/lookout/Themes"])
    func installPrefixShareFolder(_ folder: String) throws {
        let prefix = FileManager.default.temporaryDirectory.appendingPathComponent("lookout-prefix-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: prefix) }
        let share = prefix.appendingPathComponent(folder)
        try FileManager.default.createDirectory(at: share, withIntermediateDirectories: true)
        try "status:\n  ok: { symbol: \"+\" }\n".write(to: share.appendingPathComponent("site.yaml"), atomically: true, encoding: .utf8)
        let locator = ThemeLocator(executable: prefix.appendingPathComponent("bin/lookout"))
        #expect(try locator.load("site").symbols.symbol(.ok) == "+")
    }
}
