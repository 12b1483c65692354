"""The README's contests commands run as written (docs that cannot drift)."""
import re
import shlex
from pathlib import Path

README = Path(__file__).resolve().parents[3] / "README.md"


def readme_commands():
    section = README.read_text(encoding="utf-8").split("## Contests", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    commands = []
    for line in block.replace("\\\n", " ").splitlines():
        line = line.split("  #", 1)[0].strip()
        if line:
            commands.append(shlex.split(line))
    return commands


def without_optional(words):
    """A command without its ``[…]`` options (they show what may be added)."""
    text, out, depth = words, [], 0
    for word in text:
        depth += word.count("[")
        if depth == 0:
            out.append(word)
        depth -= word.count("]")
    return out


def test_the_readme_commands_run(cli):
    assert cli("units", "add", "Liên hiệp hội tỉnh Bắc Giang", "--code", "BG").exit_code == 0
    commands = readme_commands()
    assert [c[:3] for c in commands] == [["phoihop", "contests", "editions"]] * 3
    add, change, listing = (without_optional(c)[1:] for c in commands)
    answer = cli(*add)
    assert answer.exit_code == 0, answer.output
    name = add[3]
    answer = cli(*[name if word == "NAME" else word for word in change])
    assert answer.exit_code == 0, answer.output
    import json

    [edition] = json.loads(cli(*listing, "--json").output)
    assert edition["name"] == name
    assert [(t["tier"], t["quota"]) for t in edition["tiers"]][:3] == [("Nhất", 2), ("Nhì", 2), ("Ba", 3)]
    assert edition["tiers"][3]["min_score"] == 60.0 and edition["tiers"][0]["money_multiple"] == 2.5
