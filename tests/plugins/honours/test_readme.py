"""The README's honours commands run as written (docs that cannot drift)."""
import json
import re
import shlex
from pathlib import Path

from tests.plugins.honours.conftest import UNIT

README = Path(__file__).resolve().parents[3] / "README.md"


def readme_commands():
    section = README.read_text(encoding="utf-8").split("## Honours", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    return [shlex.split(line.split("  #", 1)[0]) for line in block.replace("\\\n", " ").splitlines()
            if line.split("  #", 1)[0].strip()]


def without_optional(words):
    """A command without its ``[…]`` options (they show what may be added)."""
    out, depth = [], 0
    for word in words:
        depth += word.count("[")
        if depth == 0:
            out.append(word)
        depth -= word.count("]")
    return out


def with_optional(words):
    """A command with its ``[…]`` options, brackets taken off."""
    return [word.strip("[]") for word in words]


def test_the_readme_commands_run(cli):
    assert cli("units", "add", UNIT, "--code", "PT").exit_code == 0
    commands = readme_commands()
    assert [c[:3] for c in commands] == [["phoihop", "honours", "rounds"]] * 3
    for command in (with_optional(commands[0])[1:], without_optional(commands[0])[1:]):  # with every option, then the least
        answer = cli(*command)
        assert answer.exit_code == 0, answer.output
    [made] = json.loads(cli(*without_optional(commands[1])[1:], "--json").output)
    assert (made["year"], made["council_size"], made["deadline"], made["money"]) == (
        2023, 13, "2023-03-31", {"Tân Tiến sĩ": 2_000_000})
    answer = cli(*commands[2][1:])
    assert answer.exit_code == 0 and json.loads(cli("honours", "rounds", "list", "--json").output)[0]["closed"]
