"""`riia --help`: the list of commands a data engineer reads first."""

from __future__ import annotations

import inspect
import re

from typer.testing import CliRunner

from riia.cli import app


def test_each_command_is_listed_with_its_summary_on_one_line() -> None:
    """The summary is the first paragraph of the command's docstring, its line breaks those of
    the source, not of the sentence: on a wide terminal each fits on the command's own line."""
    result = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "400", "TERMINAL_WIDTH": "400"})
    assert result.exit_code == 0, result.output
    listed = {}
    for line in result.output.splitlines():
        found = re.match(r"^│ (\w+) {2,}(\S.*?)\s*│$", line)
        if found:
            listed[found.group(1)] = found.group(2)
    commands = {info.name or info.callback.__name__: info.callback for info in app.registered_commands}
    assert set(listed) == set(commands), result.output
    for name, callback in commands.items():
        summary = " ".join(inspect.getdoc(callback).split("\n\n")[0].split()).replace("`", "")
        assert listed[name] == summary, f"`riia --help` breaks the summary of {name}:\n{result.output}"
