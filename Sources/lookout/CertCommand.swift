import ArgumentParser
import LookoutActions
import LookoutConfig

struct CertCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cert",
        abstract: "Act on tracked certificates.",
        subcommands: [Reissue.self, Revoke.self]
    )
}

extension CertCommand {
    struct Reissue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Issue a new certificate for a new key at the Private CA, write both to SSM, roll the services that serve it.",
            usage: "lookout cert reissue --env <name> --cert <name> [--timeout <duration>] [--config <file>] [--dry-run] [--yes] [--confirm-env <name>] [--read-only] [--break-lock]",
            discussion: """
            The key is made locally (the current key's algorithm and size) and never shown; the certificate is verified before any write. \
            A re-run after a failure continues: a written key gets its certificate, a written pair is rolled out. \
            The old certificate is not revoked (`lookout cert revoke`). Exits 75 when it stopped half-way, 77 when refused, 69 when AWS or the Kafka gate is unavailable.
            """
        )

        @OptionGroup var options: EnvironmentOptions

        @Option(name: .long, help: ArgumentHelp("The tracked certificate, by its name in the config.", valueName: "name"),
                completion: Completions.certificates)
        var cert: String

        @Option(name: .long, help: ArgumentHelp("How long each wait (issuing, the roll, the endpoints) may take. Default: the config's timeouts.action (5m).", valueName: "duration"))
        var timeout: String?

        @OptionGroup var flags: ActionFlags

        @OptionGroup var readOnlyOption: ReadOnlyOption

        func validate() throws {
            try options.requireEnvironment()
            try validateTimeout(timeout)
        }

        func run() async throws {
            try await ActionFlow.run(options: options, flags: flags, readOnly: readOnlyOption.readOnly,
                                     timeout: timeout) { .reissueCertificate(cert, timeout: $0) }
        }
    }
}

extension CertCommand {
    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a superseded certificate at the Private CA.",
            usage: "lookout cert revoke --env <name> --cert <name> --serial <serial> [--config <file>] [--dry-run] [--yes] [--confirm-env <name>] [--read-only] [--break-lock]",
            discussion: "Refuses the certificate in service (the one in cert_ssm). Never part of a reissue."
        )

        @OptionGroup var options: EnvironmentOptions

        @Option(name: .long, help: ArgumentHelp("The tracked certificate, by its name in the config.", valueName: "name"),
                completion: Completions.certificates)
        var cert: String

        @Option(name: .long, help: ArgumentHelp("The serial to revoke, in hex (colons optional).", valueName: "serial"))
        var serial: String

        @OptionGroup var flags: ActionFlags

        @OptionGroup var readOnlyOption: ReadOnlyOption

        func validate() throws {
            try options.requireEnvironment()
            guard RevokeStateMachine.isHex(RevokeStateMachine.normalise(serial: serial)) else {
                throw ValidationError("--serial takes a hexadecimal serial such as 0a:1b:2c or 0A1B2C.")
            }
        }

        func run() async throws {
            try await ActionFlow.run(options: options, flags: flags, readOnly: readOnlyOption.readOnly,
                                     timeout: nil) { _ in .revokeCertificate(cert, serial: RevokeStateMachine.normalise(serial: serial)) }
        }
    }
}
