import Foundation
import Testing
import LookoutTestSupport

/// The soak's CI version (issue 25): `bench/soak.py` for 2 minutes, dev's broker services rolled
/// every 40 s and its endpoint flapping every 30 s, the console in tmux: it must not end, its
/// descriptors stay flat, every poll starts within 1 s of its due time and none goes missing.
/// The hour-long run is outside CI; its figures are in docs/soak.md.
@Suite(.serialized, .sandboxPresentOrRequired, .requiresSandbox, .enabled(if: TmuxSession.available, "no tmux on PATH"))
struct SoakSmokeSandboxTests {
    @Test func twoMinutesOfRollsAndFlaps() throws {
        let result = try Sandbox.run(Sandbox.folder!.appendingPathComponent("venv/bin/python").path,
                                     [Sandbox.checkout.appendingPathComponent("bench/soak.py").path, "--minutes", "2",
                                      "--roll-every", "40", "--flap-every", "30", "--sample-every", "5", "--max-rss-growth", "25",
                                      "--lookout", LookoutBinary.url.path],
                                     environment: ["LOOKOUT_SANDBOX": Sandbox.folder!.path])
        print(result.stdout)
        #expect(result.status == 0, "bench/soak.py: \(result.stdout) \(result.stderr)")
        #expect(result.stdout.contains("PASS: every environment polled"), "\(result.stdout)")
    }
}
