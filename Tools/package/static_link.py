"""Links lookout once more, with the Swift runtime and Foundation linked in (-static-stdlib), from
the objects of the release build the tests use: SwiftPM's --static-swift-stdlib would compile
every Swift module again (measured here: 190 to 206 s), while the objects are the same and only
the link differs (about 5 s). The link command is SwiftPM's own, read from its build manifest
(.build/release.yaml), with -static-stdlib and Foundation's static libraries added (as one group:
their order does not matter then).

usage: static_link.py BUILD_DIR OUTPUT       (BUILD_DIR: .build; after `swift build -c release --product lookout`)
"""
import json
import re
import subprocess
import sys
from pathlib import Path

FOUNDATION = ["-lFoundation", "-lFoundationEssentials", "-lFoundationInternationalization", "-lCoreFoundation",
              "-l_FoundationICU", "-l_FoundationCollections", "-l_FoundationCShims"]

build, output = Path(sys.argv[1]), sys.argv[2]
manifest = (build / "release.yaml").read_text()
command = re.search(r'\n  "C\.lookout-[^"]*-release\.exe":\n(.*?)(?=\n  "|\Z)', manifest, re.S)
if not command:
    sys.exit(f"static_link.py: no link command for lookout in {build / 'release.yaml'}")
args = json.loads(re.search(r"\n    args: (\[.*?\])\n", command.group(1), re.S).group(1))
if "-static-stdlib" in args or "-o" not in args:
    sys.exit("static_link.py: the manifest's link command is not the plain one this expects")
args[args.index("-o") + 1] = output
args[1:1] = ["-static-stdlib"]
args += ["-Xlinker", "--start-group", *FOUNDATION, "-Xlinker", "--end-group"]
# lld, with relative relocations packed (RELR: 2.7 MB of relocations become 23 KB) and no
# symbols exported (the dynamic symbol table was 3.3 MB: nothing loads into lookout, and its
# names are not read at run time): every process maps and reads them at start, and a full
# window's `check` at production scale peaked 5 MB lower (68 to 63 MB, issue 26).
args += ["-use-ld=lld", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs", "-Xlinker", "--no-export-dynamic"]
sys.exit(subprocess.run(args).returncode)
