import Foundation

/// `credential_process`: runs the command (split like a POSIX shell, no shell involved) and reads
/// `{"Version": 1, "AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"}` from its output.
struct ProcessCredentials: Sendable {
    let command: String
    let environment: [String: String]
    let profile: String

    var name: String { "credential_process of profile \(profile)" }
    /// The most of its output that is read: its JSON is a few hundred bytes.
    static let outputLimit = 1 << 20

    func load() async throws(CredentialsError) -> Credentials {
        guard let arguments = Self.split(command), !arguments.isEmpty else {
            throw .providerFailed(provider: name, reason: "cannot split the command line")
        }
        let result: Result<(Int32, Data), CredentialsError> = await withCheckedContinuation { continuation in
            let thread = Thread { [name, environment] in
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                process.arguments = arguments
                process.environment = environment
                let output = Pipe()
                process.standardOutput = output
                process.standardError = FileHandle.nullDevice
                do {
                    try process.run()
                } catch {
                    continuation.resume(returning: .failure(.providerFailed(provider: name, reason: "cannot start it")))
                    return
                }
                // A few hundred bytes of JSON; a program that writes more than 1 MiB is stopped.
                switch BoundedRead.read(output.fileHandleForReading, limit: Self.outputLimit) {
                case .success(let bytes):
                    process.waitUntilExit()
                    continuation.resume(returning: .success((process.terminationStatus, Data(bytes))))
                case .failure(let failure):
                    // Stopped for good: its pipe closed, then SIGKILL (SIGTERM may be ignored:
                    // a child inherits what its parent ignores).
                    try? output.fileHandleForReading.close()
                    kill(process.processIdentifier, SIGKILL)
                    process.waitUntilExit()
                    continuation.resume(returning: .failure(.providerFailed(provider: name, reason: "its output \(failure)")))
                }
            }
            thread.start()
        }
        let (status, data) = try result.get()
        guard status == 0 else { throw .providerFailed(provider: name, reason: "it exited with status \(status)") }
        struct Output: Decodable {
            var Version: Int
            var AccessKeyId: String?
            var SecretAccessKey: SecretValue?
            var SessionToken: SecretValue?
            var Expiration: String?
        }
        guard let decoded = try? JSONDecoder().decode(Output.self, from: data) else {
            throw .providerFailed(provider: name, reason: "its output is not the credential_process JSON")
        }
        guard decoded.Version == 1 else {
            throw .providerFailed(provider: name, reason: "unsupported Version \(decoded.Version)")
        }
        guard let accessKey = decoded.AccessKeyId, let secret = decoded.SecretAccessKey else {
            throw .providerFailed(provider: name, reason: "AccessKeyId or SecretAccessKey is missing")
        }
        return Credentials(
            accessKeyId: accessKey, secretAccessKey: secret, sessionToken: decoded.SessionToken,
            expiration: decoded.Expiration.flatMap(ISO8601.parse), source: name)
    }

    /// POSIX shell word splitting (quotes and backslashes), as Python's shlex.split.
    static func split(_ line: String) -> [String]? {
        var words: [String] = []
        var current = ""
        var inWord = false
        var quote: Character?
        var escaping = false
        for character in line {
            if escaping {
                if quote == "\"", !"\\\"$`\n".contains(character) { current.append("\\") }
                current.append(character)
                escaping = false
                inWord = true
            } else if character == "\\", quote != "'" {
                escaping = true
            } else if let open = quote {
                if character == open { quote = nil } else { current.append(character) }
            } else if character == "'" || character == "\"" {
                quote = character
                inWord = true
            } else if character.isWhitespace {
                if inWord { words.append(current) }
                current = ""
                inWord = false
            } else {
                current.append(character)
                inWord = true
            }
        }
        if quote != nil || escaping { return nil }
        if inWord { words.append(current) }
        return words
    }
}
