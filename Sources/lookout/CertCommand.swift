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
            let serial = RevokeStateMachine.normalise(serial: serial)
            var runner: RevokeRunner?
            try await ActionFlow.run(options: options, flags: flags, readOnly: readOnlyOption.readOnly) { (environment, client) throws(ActionError) in
                let made = try RevokeRunner(environment: environment, certificateName: cert, client: client)
                runner = made
                let current: String
                do {
                    current = try await made.currentSerial()
                } catch {
                    throw ActionError(.unavailable, "cannot read \(made.certificate.certSSM): \(error); nothing was changed")
                }
                if current == serial {
                    throw ActionError(.refused, "\(serial) is the certificate in service (\(made.certificate.certSSM)); reissue first, then revoke the superseded one; nothing was changed")
                }
                return ActionSpec(action: "cert revoke", target: "\(cert) \(serial)", locks: [made.lock], steps: made.steps(serial: serial),
                                  facts: ["\(made.certificate.certSSM): serial \(current) is in service"], blocked: nil)
            } execute: { (session) throws(ActionError) in
                try await runner!.run(serial: serial, session: session)
            }
        }
    }
}
