"""The GitHub workflows are valid, keep their secrets out of commands, and run on schedule."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
CHECK = Path(sys.executable).with_name("check-jsonschema")


def lint(*paths: Path) -> subprocess.CompletedProcess[str]:
    """The workflow schema that check-jsonschema vendors (SchemaStore's), offline."""
    command = [str(CHECK), "--builtin-schema", "vendor.github-workflows", *map(str, paths)]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def test_the_workflows_pass_the_schema() -> None:
    assert [p.name for p in WORKFLOWS] == ["tests.yml", "weekly.yml"]
    result = lint(*WORKFLOWS)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_broken_workflow_fails_the_schema(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    text = (ROOT / ".github" / "workflows" / "weekly.yml").read_text()
    broken.write_text(text.replace("runs-on: ubuntu-latest", "runs_on: ubuntu-latest", 1))
    assert lint(broken).returncode != 0


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_secrets_reach_commands_only_through_env(path: Path) -> None:
    """A secret written into a `run:` line would be expanded into the shell script itself."""
    workflow = yaml.safe_load(path.read_text())
    for job in workflow["jobs"].values():
        for step in job.get("steps", []):
            assert "secrets." not in step.get("run", ""), step


def test_the_weekly_build_runs_on_monday_and_by_hand_in_order() -> None:
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "weekly.yml").read_text())
    triggers = workflow[True]  # YAML reads the key `on` as True
    assert triggers["schedule"] == [{"cron": "30 6 * * 1"}]
    assert "week" in triggers["workflow_dispatch"]["inputs"]
    jobs = workflow["jobs"]
    assert jobs["deploy"]["needs"] == "build" and jobs["send"]["needs"] == ["build", "deploy"]
    runs = [s.get("run", "") for s in jobs["build"]["steps"]]
    order = ["report gather", "report verify", "git push", "report site"]
    positions = [next(i for i, r in enumerate(runs) if key in r) for key in order]
    assert positions == sorted(positions)


def test_the_readme_names_every_secret_the_workflows_use() -> None:
    used = set()
    for path in WORKFLOWS:
        used |= set(re.findall(r"secrets\.([A-Z_]+)", path.read_text()))
    readme = (ROOT / "README.md").read_text()
    assert used and not [name for name in sorted(used) if name not in readme]
