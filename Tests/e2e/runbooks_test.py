"""Every runbook works as written (issue #7).

A runbook marks a command block as runnable with an HTML comment on the line before it, and may
follow it with the output it promises:

    <!-- runnable -->                (or <!-- runnable: exit=3 --> for a command that must fail)
    ```sh
    shepherd status
    ```
    <!-- expect -->
    ```text
    phase: ramping   percent: 5% (step 1/9)
    next step: 7.5% needs 100 relay calls (have …)
    ```

Each runbook runs against a fresh live demo stack (two `shepherd mock` processes and a
`shepherd serve` on the default policy, or the one a `<!-- stack: policy=PATH -->` line names,
with a rollback flag file), its runnable blocks in order,
with `bash -eo pipefail` in the repository's root and the `shepherd` binary on PATH. The
environment names the stack: SHEPHERD_URL, SHEPHERD_ADMIN_TOKEN, LEGACY_URL, RELAY_URL,
SHEPHERD_ROLLBACK_FLAG, SHEPHERD_STATE. Each expected line must appear in the output, in order;
`…` in an expected line matches anything. A block that fails, or whose output drifts, fails the
test with the block and what it printed.
"""

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from stack import ADMIN_TOKEN, BIN, ROOT, Stack

RUNBOOKS = ROOT / "runbooks"
MARKER = re.compile(r"<!--\s*(runnable|expect)(?::\s*([^>]*?))?\s*-->")
STACK = re.compile(r"<!--\s*stack:\s*policy=(\S+)\s*-->")
FENCE = re.compile(r"^```")


@dataclass
class Block:
    line: int
    code: str
    exit_code: int = 0
    expect: list | None = None


def parse(path):
    """The runnable blocks of a runbook, each with its expected output."""
    lines = path.read_text().splitlines()
    blocks, pending, i = [], None, 0
    while i < len(lines):
        match = MARKER.fullmatch(lines[i].strip())
        if not match:
            i += 1
            continue
        kind, options = match.group(1), match.group(2) or ""
        assert i + 1 < len(lines) and FENCE.match(lines[i + 1]), f"{path.name}:{i + 1}: a marker must precede a ``` block"
        end = i + 2
        while end < len(lines) and not FENCE.match(lines[end]):
            end += 1
        assert end < len(lines), f"{path.name}:{i + 2}: unclosed code block"
        body = "\n".join(lines[i + 2 : end])
        if kind == "runnable":
            exit_code = 0
            for option in options.split():
                key, _, value = option.partition("=")
                assert key == "exit", f"{path.name}:{i + 1}: unknown runnable option {option!r}"
                exit_code = int(value)
            pending = Block(line=i + 3, code=body, exit_code=exit_code)
            blocks.append(pending)
        else:
            assert pending is not None and pending.expect is None, f"{path.name}:{i + 1}: expect without a runnable block"
            pending.expect = [line for line in body.splitlines() if line.strip()]
        i = end + 1
    return blocks


def matches(expected_line, output_lines, start):
    """Index of the first output line at or after `start` matching `expected_line` (… is a wildcard)."""
    pattern = re.compile(".*".join(re.escape(part) for part in expected_line.strip().split("…")))
    for index in range(start, len(output_lines)):
        if pattern.search(output_lines[index]):
            return index
    return None


def runbook_files():
    return sorted(p for p in RUNBOOKS.glob("*.md") if p.name != "README.md")


def test_the_index_links_every_runbook():
    index = (RUNBOOKS / "README.md").read_text()
    for path in runbook_files():
        assert f"({path.name})" in index, f"runbooks/README.md does not link {path.name}"
    assert len(runbook_files()) >= 6


@pytest.mark.parametrize("path", runbook_files(), ids=lambda p: p.stem)
def test_runbook_is_short_starts_with_the_symptom_and_has_runnable_steps(path):
    text = path.read_text()
    prose = re.sub(r"```.*?```", "", text, flags=re.S)
    words = len(re.findall(r"\w+", prose))
    # About 230 words a minute, and the commands are read too: two minutes leaves ~450 words of prose.
    assert words <= 450, f"{path.name} has {words} words of prose; it must read in under two minutes"
    assert re.search(r"^## Symptom", text, re.M), f"{path.name} must start with its symptom"
    assert parse(path), f"{path.name} has no runnable block"


@pytest.mark.parametrize("path", runbook_files(), ids=lambda p: p.stem)
def test_runbook_commands_work_against_a_live_demo_stack(path, tmp_path):
    flag = tmp_path / "rollback.flag"
    named = STACK.search(path.read_text())
    policy = ROOT / (named.group(1) if named else "policies/default.yaml")
    with Stack(tmp_path, policy=policy, serve_args=["--rollback-flag-file", str(flag)]) as stack:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SHEPHERD_")}
        env.update(
            PATH=f"{Path(BIN).parent}{os.pathsep}{os.environ['PATH']}",
            SHEPHERD_URL=stack.base,
            SHEPHERD_ADMIN_TOKEN=ADMIN_TOKEN,
            LEGACY_URL=f"http://127.0.0.1:{stack.legacy_port}",
            RELAY_URL=f"http://127.0.0.1:{stack.relay_port}/v1",
            SHEPHERD_ROLLBACK_FLAG=str(flag),
            SHEPHERD_STATE=str(stack.state),
            RUNBOOK_TMP=str(tmp_path),
            NO_COLOR="1",
        )
        for block in parse(path):
            where = f"{path.name}:{block.line}"
            done = subprocess.run(
                ["bash", "-eo", "pipefail", "-c", block.code],
                cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
            )
            output = done.stdout + done.stderr
            shown = f"--- {where}\n{block.code}\n--- exit {done.returncode}, output:\n{output}"
            assert done.returncode == block.exit_code, f"expected exit {block.exit_code}\n{shown}"
            lines, at = output.splitlines(), 0
            for expected in block.expect or []:
                found = matches(expected, lines, at)
                assert found is not None, f"expected a line like {expected!r} (in order)\n{shown}"
                at = found + 1
