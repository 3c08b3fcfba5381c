"""Renders lookout(1) in roff from the command definitions: the JSON that
`lookout --experimental-dump-help` prints (swift-argument-parser's ToolInfo), so the man page
says what the command line does and nothing else can drift from it.

usage: lookout --experimental-dump-help | manpage.py VERSION > lookout.1
"""
import datetime
import json
import sys


def roff(text: str) -> str:
    """Text as roff reads it: backslashes and minus signs escaped, no line starting a request."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return "\n".join(("\\&" + line) if line.startswith((".", "'")) else line for line in text.split("\n"))


def paragraphs(text: str) -> list[str]:
    out = []
    for block in text.strip().split("\n\n"):
        out += [".PP", roff(" ".join(line.strip() for line in block.split("\n")))]
    return out


def names(argument: dict) -> str:
    shown = []
    for name in argument.get("names", []):
        shown.append(("--" if name["kind"] == "long" else "-") + name["name"])
    return ", ".join(shown)


def synopsis(path: list[str], command: dict) -> str:
    parts = [" ".join(path)]
    for argument in command.get("arguments", []):
        if not argument.get("shouldDisplay", True) or argument.get("kind") == "flag" and argument.get("preferredName", {}).get("name") == "help":
            continue
        value = argument.get("valueName", "value")
        if argument["kind"] == "positional":
            piece = f"<{value}>"
        elif argument["kind"] == "flag":
            piece = "--" + argument["preferredName"]["name"]
        else:
            piece = f"--{argument['preferredName']['name']} <{value}>"
        if argument.get("isRepeating"):
            piece += " ..."
        parts.append(f"[{piece}]" if argument.get("isOptional") else piece)
    if command.get("subcommands"):
        parts.append("<subcommand>")
    return roff(" ".join(parts))


def options(command: dict) -> list[str]:
    out = []
    for argument in command.get("arguments", []):
        if not argument.get("shouldDisplay", True):
            continue
        label = names(argument) or f"<{argument.get('valueName', 'value')}>"
        if argument["kind"] == "option":
            label += f" <{argument.get('valueName', 'value')}>"
        out += [".TP", "\\fB" + roff(label) + "\\fR"]
        text = argument.get("abstract", "")
        if argument.get("discussion"):
            text += " " + argument["discussion"]
        out.append(roff(text.strip() or " "))
    return out


def command_sections(path: list[str], command: dict) -> list[str]:
    out = []
    for sub in command.get("subcommands", []):
        if not sub.get("shouldDisplay", True) or sub["commandName"] == "help":
            continue
        here = path + [sub["commandName"]]
        out += [".SS " + roff(" ".join(here[1:])), ".B " + synopsis(here, sub)]
        if sub.get("abstract"):
            out += paragraphs(sub["abstract"])
        if sub.get("discussion"):
            out += paragraphs(sub["discussion"])
        if any(a.get("shouldDisplay", True) for a in sub.get("arguments", [])):
            out += [".PP", "Options:", ".RS"] + options(sub) + [".RE"]
        out += command_sections(here, sub)
    return out


def main() -> None:
    version = sys.argv[1]
    root = json.load(sys.stdin)["command"]
    name = root["commandName"]
    date = datetime.date.today().isoformat()
    out = [f'.TH {name.upper()} 1 "{date}" "{name} {roff(version)}" "User Commands"',
           ".SH NAME", f"{name} \\- {roff(root.get('abstract', ''))}",
           ".SH SYNOPSIS", ".B " + synopsis([name], root),
           ".SH DESCRIPTION"] + paragraphs(root.get("discussion", root.get("abstract", "")))
    out += [".SH OPTIONS"] + options(root)
    out += [".SH COMMANDS"] + command_sections([name], root)
    out += [".SH FILES", ".TP", "\\fI~/.config/lookout/config.yaml\\fR",
            "The config, unless \\fB\\-\\-config\\fR or \\fBLOOKOUT_CONFIG\\fR names another.",
            ".SH SEE ALSO", "The README and docs/ of the lookout repository."]
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
