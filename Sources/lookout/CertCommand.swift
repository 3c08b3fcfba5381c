import ArgumentParser
import LookoutActions
import LookoutConfig

struct CertCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cert",
        abstract: "Act on tracked certificates.",
        discussion: "Reissuing a certificate is not built yet; see the README.",
        subcommands: [Revoke.self]
    )
}

extension CertCommand {
    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a superseded certificate at the Private CA.",
            usage: "lookout cert revoke --env <name> --cert <name> --serial <serial> [--config <file>] [--dry-run] [--yes] [--confirm-env <name>] [--read-only] [--break-lock]",
            discussion: "Refuses the certificate in service (the one in cert_ssm). Never part of a reissue."
        )

        @OptionGroup var options: EnvironmentOptions

        @Option(name: .long, help: ArgumentHelp("The tracked certificate, by its name in the config.", valueName: "name"))
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
                                     request: .revokeCertificate(cert, serial: RevokeStateMachine.normalise(serial: serial)))
        }
    }
}
