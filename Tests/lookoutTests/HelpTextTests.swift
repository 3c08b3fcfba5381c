import Testing

/// The whole help text of every command, as literals: a change to the command line shows up in review.
@Suite struct HelpTextTests {
    /// A plain build is not stamped (scripts/package stamps the packaged copy: Tests/Package).
    @Test func versionOfAPlainBuildIsDev() throws {
        let result = try LookoutBinary.run(["--version"])
        #expect(result.status == 0)
        #expect(result.stdout == "lookout dev\n")
    }

    @Test func root() throws {
        let result = try LookoutBinary.run(["--help"])
        #expect(result.status == 0)
        #expect(result.stdout == """
            OVERVIEW: A terminal operations console for a self-run Kafka service on AWS.

            Without a subcommand, opens the console: every environment at a glance, polled
            in the background. Press ? in it for the keys. Themes are looked up in Themes/
            beside the executable, in <prefix>/share/lookout/themes (the package's) or
            <prefix>/share/lookout/Themes, then in the repository. The actions are
            subcommands, and keys in the console that show the plan to confirm first (R
            rolls a service, R rotates and P restores a secret, R reissues a certificate).

            USAGE: lookout [--config <file>] [--env <name>] [--read-only] [--theme <name>] <subcommand>

            OPTIONS:
              --config <file>         Read the config from this file.
                    Otherwise $LOOKOUT_CONFIG, then ~/.config/lookout/config.yaml.
              --env <name>            Only this environment.
              --read-only             Refuse every action (exit 77); the console offers no
                                      key that acts.
              --theme <name>          The colour theme: a name from Themes/ or a path to a
                                      theme file.
                    Otherwise the config's `theme`, then `default`. NO_COLOR set turns
                    colours off.
              --version               Show the version.
              -h, --help              Show help information.

            SUBCOMMANDS:
              snapshot                Poll every environment once, print what was found,
                                      and exit.
              check                   Poll every environment once and report as a Nagios
                                      plugin.
              serve                   Poll every environment as the console does and serve
                                      the evaluation to Prometheus.
              config                  Work with the config file.
              service                 Act on ECS services.
              secret                  Rotate or restore a secret in SSM Parameter Store.
              cert                    Act on tracked certificates.
              audit                   Print the audit log, one line per step of every
                                      action.
              events                  What changed in each environment, newest first:
                                      deployments, stopped tasks, scaling activities, SSM
                                      versions written, lookout's own actions.

              See 'lookout help <subcommand>' for detailed help.

            """)
    }

    @Test func snapshot() throws {
        let result = try LookoutBinary.run(["snapshot", "--help"])
        #expect(result.status == 0)
        #expect(result.stdout == """
            OVERVIEW: Poll every environment once, print what was found, and exit.

            Exits 0 whatever the statuses; `lookout check` gives a verdict as an exit code.

            USAGE: lookout snapshot [--config <file>] [--env <name>] [--format <format>]

            OPTIONS:
              --config <file>         Read the config from this file.
                    Otherwise $LOOKOUT_CONFIG, then ~/.config/lookout/config.yaml.
              --env <name>            Only this environment.
              --format <format>       The output format. (values: json, table, prometheus;
                                      default: table)
              --version               Show the version.
              -h, --help              Show help information.


            """)
    }

    @Test func check() throws {
        let result = try LookoutBinary.run(["check", "--help"])
        #expect(result.status == 0)
        #expect(result.stdout == """
            OVERVIEW: Poll every environment once and report as a Nagios plugin.

            Exits 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN; a failure to run, a bad config
            included, is UNKNOWN.

            USAGE: lookout check [--config <file>] [--env <name>]

            OPTIONS:
              --config <file>         Read the config from this file.
                    Otherwise $LOOKOUT_CONFIG, then ~/.config/lookout/config.yaml.
              --env <name>            Only this environment.
              --version               Show the version.
              -h, --help              Show help information.


            """)
    }

    @Test func config() throws {
        let result = try LookoutBinary.run(["config", "--help"])
        #expect(result.status == 0)
        #expect(result.stdout == """
            OVERVIEW: Work with the config file.

            USAGE: lookout config <subcommand>

            OPTIONS:
              --version               Show the version.
              -h, --help              Show help information.

            SUBCOMMANDS:
              validate                Check a config file and print one line per
                                      environment.

              See 'lookout help config <subcommand>' for detailed help.

            """)
    }

    @Test func configValidate() throws {
        let result = try LookoutBinary.run(["config", "validate", "--help"])
        #expect(result.status == 0)
        #expect(result.stdout == """
            OVERVIEW: Check a config file and print one line per environment.

            Exits 0 when the file is good, 64 naming file, line, column and key when it is
            not, and 66 when there is no file.

            USAGE: lookout config validate [--config <file>]

            OPTIONS:
              --config <file>         Read the config from this file.
                    Otherwise $LOOKOUT_CONFIG, then ~/.config/lookout/config.yaml.
              --version               Show the version.
              -h, --help              Show help information.


            """)
    }

    @Test func service() throws {
        let result = try LookoutBinary.run(["service", "--help"])
        #expect(result.status == 0)
        #expect(result.stdout == """
            OVERVIEW: Act on ECS services.

            USAGE: lookout service <subcommand>

            OPTIONS:
              --version               Show the version.
              -h, --help              Show help information.

            SUBCOMMANDS:
              roll                    Roll ECS services one at a time, gated on Kafka
                                      health for broker services.

              See 'lookout help service <subcommand>' for detailed help.

            """)
    }

    @Test func serviceRoll() throws {
        let result = try LookoutBinary.run(["service", "roll", "--help"])
        #expect(result.status == 0)
        #expect(result.stdout == """
            OVERVIEW: Roll ECS services one at a time, gated on Kafka health for broker
            services.

            Forces a new deployment and follows it by its tasks. Exits 75 when it stopped
            half-way (a re-run rolls again), 77 when refused, 69 when AWS or the Kafka gate
            is unavailable.

            USAGE: lookout service roll --env <name> --service <name> ... [--timeout <duration>] [--config <file>] [--dry-run] [--yes] [--confirm-env <name>] [--read-only] [--break-lock]

            OPTIONS:
              --config <file>         Read the config from this file.
                    Otherwise $LOOKOUT_CONFIG, then ~/.config/lookout/config.yaml.
              --env <name>            Only this environment.
              --service <name>        A service to roll; repeat it to roll several, one at
                                      a time.
              --timeout <duration>    How long each wait may take. Default: the config's
                                      timeouts.action (5m).
              --dry-run               Print every step the action would take, and change
                                      nothing.
              --yes                   Do not ask y/N; a protected environment still needs
                                      its name.
              --confirm-env <name>    Confirm a protected environment by its name.
              --break-lock            Break a lock older than 30 minutes (audited).
              --read-only             Refuse every action (exit 77); the console offers no
                                      key that acts.
              --version               Show the version.
              -h, --help              Show help information.


            """)
    }

    @Test func audit() throws {
        let result = try LookoutBinary.run(["audit", "--help"])
        #expect(result.status == 0)
        #expect(result.stdout == """
            OVERVIEW: Print the audit log, one line per step of every action.

            The log is the config's audit_log (default $XDG_STATE_HOME/lookout/audit.jsonl).

            USAGE: lookout audit [--config <file>] [--env <name>] [--since <duration>]

            OPTIONS:
              --config <file>         Read the config from this file.
                    Otherwise $LOOKOUT_CONFIG, then ~/.config/lookout/config.yaml.
              --env <name>            Only this environment.
              --since <duration>      Only lines younger than this, e.g. 2h or 7d.
              --version               Show the version.
              -h, --help              Show help information.


            """)
    }

    @Test func secret() throws {
        let result = try LookoutBinary.run(["secret", "--help"])
        #expect(result.status == 0)
        #expect(result.stdout == """
            OVERVIEW: Rotate or restore a secret in SSM Parameter Store.

            USAGE: lookout secret <subcommand>

            OPTIONS:
              --version               Show the version.
              -h, --help              Show help information.

            SUBCOMMANDS:
              rotate                  Write a new value made locally as a new version,
                                      label it, roll the services that read it.
              restore                 Write an earlier version back as a new version, label
                                      it, roll the services that read it.

              See 'lookout help secret <subcommand>' for detailed help.

            """)
    }

    @Test func secretRotate() throws {
        let result = try LookoutBinary.run(["secret", "rotate", "--help"])
        #expect(result.status == 0)
        #expect(result.stdout == """
            OVERVIEW: Write a new value made locally as a new version, label it, roll the
            services that read it.

            The old version stays in SSM, labelled previous; `lookout secret restore` puts
            it back. No value is ever printed or logged.

            USAGE: lookout secret rotate --env <name> --secret <name> [--timeout <duration>] [--config <file>] [--dry-run] [--yes] [--confirm-env <name>] [--read-only] [--break-lock]

            OPTIONS:
              --config <file>         Read the config from this file.
                    Otherwise $LOOKOUT_CONFIG, then ~/.config/lookout/config.yaml.
              --env <name>            Only this environment.
              --secret <name>         The secret, by its name in the config.
              --timeout <duration>    How long each wait of the roll may take. Default: the
                                      config's timeouts.action (5m).
              --dry-run               Print every step the action would take, and change
                                      nothing.
              --yes                   Do not ask y/N; a protected environment still needs
                                      its name.
              --confirm-env <name>    Confirm a protected environment by its name.
              --break-lock            Break a lock older than 30 minutes (audited).
              --read-only             Refuse every action (exit 77); the console offers no
                                      key that acts.
              --version               Show the version.
              -h, --help              Show help information.


            """)
    }

    @Test func secretRestore() throws {
        let result = try LookoutBinary.run(["secret", "restore", "--help"])
        #expect(result.status == 0)
        #expect(result.stdout == """
            OVERVIEW: Write an earlier version back as a new version, label it, roll the
            services that read it.

            The earlier version is the one labelled previous unless --version names one.

            USAGE: lookout secret restore --env <name> --secret <name> [--version <n>] [--timeout <duration>] [--config <file>] [--dry-run] [--yes] [--confirm-env <name>] [--read-only] [--break-lock]

            OPTIONS:
              --config <file>         Read the config from this file.
                    Otherwise $LOOKOUT_CONFIG, then ~/.config/lookout/config.yaml.
              --env <name>            Only this environment.
              --secret <name>         The secret, by its name in the config.
              --timeout <duration>    How long each wait of the roll may take. Default: the
                                      config's timeouts.action (5m).
              --version <n>           The version to put back.
              --dry-run               Print every step the action would take, and change
                                      nothing.
              --yes                   Do not ask y/N; a protected environment still needs
                                      its name.
              --confirm-env <name>    Confirm a protected environment by its name.
              --break-lock            Break a lock older than 30 minutes (audited).
              --read-only             Refuse every action (exit 77); the console offers no
                                      key that acts.
              --version               Show the version.
              -h, --help              Show help information.


            """)
    }

    @Test func cert() throws {
        let result = try LookoutBinary.run(["cert", "--help"])
        #expect(result.status == 0)
        #expect(result.stdout == """
            OVERVIEW: Act on tracked certificates.

            USAGE: lookout cert <subcommand>

            OPTIONS:
              --version               Show the version.
              -h, --help              Show help information.

            SUBCOMMANDS:
              reissue                 Issue a new certificate for a new key at the Private
                                      CA, write both to SSM, roll the services that serve
                                      it.
              revoke                  Revoke a superseded certificate at the Private CA.

              See 'lookout help cert <subcommand>' for detailed help.

            """)
    }

    @Test func certReissue() throws {
        let result = try LookoutBinary.run(["cert", "reissue", "--help"])
        #expect(result.status == 0)
        #expect(result.stdout == """
            OVERVIEW: Issue a new certificate for a new key at the Private CA, write both
            to SSM, roll the services that serve it.

            The key is made locally (the current key's algorithm and size) and never shown;
            the certificate is verified before any write. A re-run after a failure
            continues: a written key gets its certificate, a written pair is rolled out.
            The old certificate is not revoked (`lookout cert revoke`). Exits 75 when it
            stopped half-way, 77 when refused, 69 when AWS or the Kafka gate is unavailable.

            USAGE: lookout cert reissue --env <name> --cert <name> [--timeout <duration>] [--config <file>] [--dry-run] [--yes] [--confirm-env <name>] [--read-only] [--break-lock]

            OPTIONS:
              --config <file>         Read the config from this file.
                    Otherwise $LOOKOUT_CONFIG, then ~/.config/lookout/config.yaml.
              --env <name>            Only this environment.
              --cert <name>           The tracked certificate, by its name in the config.
              --timeout <duration>    How long each wait (issuing, the roll, the endpoints)
                                      may take. Default: the config's timeouts.action (5m).
              --dry-run               Print every step the action would take, and change
                                      nothing.
              --yes                   Do not ask y/N; a protected environment still needs
                                      its name.
              --confirm-env <name>    Confirm a protected environment by its name.
              --break-lock            Break a lock older than 30 minutes (audited).
              --read-only             Refuse every action (exit 77); the console offers no
                                      key that acts.
              --version               Show the version.
              -h, --help              Show help information.


            """)
    }

    @Test func certRevoke() throws {
        let result = try LookoutBinary.run(["cert", "revoke", "--help"])
        #expect(result.status == 0)
        #expect(result.stdout == """
            OVERVIEW: Revoke a superseded certificate at the Private CA.

            Refuses the certificate in service (the one in cert_ssm). Never part of a
            reissue.

            USAGE: lookout cert revoke --env <name> --cert <name> --serial <serial> [--config <file>] [--dry-run] [--yes] [--confirm-env <name>] [--read-only] [--break-lock]

            OPTIONS:
              --config <file>         Read the config from this file.
                    Otherwise $LOOKOUT_CONFIG, then ~/.config/lookout/config.yaml.
              --env <name>            Only this environment.
              --cert <name>           The tracked certificate, by its name in the config.
              --serial <serial>       The serial to revoke, in hex (colons optional).
              --dry-run               Print every step the action would take, and change
                                      nothing.
              --yes                   Do not ask y/N; a protected environment still needs
                                      its name.
              --confirm-env <name>    Confirm a protected environment by its name.
              --break-lock            Break a lock older than 30 minutes (audited).
              --read-only             Refuse every action (exit 77); the console offers no
                                      key that acts.
              --version               Show the version.
              -h, --help              Show help information.


            """)
    }
}
