import Testing

/// The whole help text of every command, as literals: a change to the command line shows up in review.
@Suite struct HelpTextTests {
    @Test func root() throws {
        let result = try LookoutBinary.run(["--help"])
        #expect(result.status == 0)
        #expect(result.stdout == """
            OVERVIEW: A terminal operations console for a self-run Kafka service on AWS.

            Without a subcommand, opens the console: every environment at a glance, polled
            in the background. Press ? in it for the keys. Themes are looked up in Themes/
            beside the executable, in <prefix>/share/lookout/Themes, then in the
            repository. The actions are not built yet; see the README.

            USAGE: lookout [--config <file>] [--env <name>] [--read-only] [--theme <name>] <subcommand>

            OPTIONS:
              --config <file>         Read the config from this file.
                    Otherwise $LOOKOUT_CONFIG, then ~/.config/lookout/config.yaml.
              --env <name>            Only this environment.
              --read-only             Refuse every action; the keys that act are not even
                                      offered.
              --theme <name>          The colour theme: a name from Themes/ or a path to a
                                      theme file.
                    Otherwise the config's `theme`, then `default`. NO_COLOR set turns
                    colours off.
              -h, --help              Show help information.

            SUBCOMMANDS:
              snapshot                Poll every environment once, print what was found,
                                      and exit.
              check                   Poll every environment once and report as a Nagios
                                      plugin.
              config                  Work with the config file.

              See 'lookout help <subcommand>' for detailed help.

            """)
    }

    @Test func snapshot() throws {
        let result = try LookoutBinary.run(["snapshot", "--help"])
        #expect(result.status == 0)
        #expect(result.stdout == """
            OVERVIEW: Poll every environment once, print what was found, and exit.

            Consumer groups and lag are not built yet and are absent from the output.

            USAGE: lookout snapshot [--config <file>] [--env <name>] [--format <format>]

            OPTIONS:
              --config <file>         Read the config from this file.
                    Otherwise $LOOKOUT_CONFIG, then ~/.config/lookout/config.yaml.
              --env <name>            Only this environment.
              --format <format>       The output format. (values: json, table, prometheus;
                                      default: table)
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
              -h, --help              Show help information.


            """)
    }
}
