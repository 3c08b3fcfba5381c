import Testing

/// The whole help text of every command, as literals: a change to the command line shows up in review.
@Suite struct HelpTextTests {
    @Test func root() throws {
        let result = try LookoutBinary.run(["--help"])
        #expect(result.status == 0)
        #expect(result.stdout == """
            OVERVIEW: A terminal operations console for a self-run Kafka service on AWS.

            The console itself, snapshot, check and the actions are not built yet; see the
            README.

            USAGE: lookout <subcommand>

            OPTIONS:
              -h, --help              Show help information.

            SUBCOMMANDS:
              config                  Work with the config file.

              See 'lookout help <subcommand>' for detailed help.

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
