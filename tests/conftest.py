from __future__ import annotations

import importlib.util
import os
import socket
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WEEKS = ROOT / "data" / "weeks"
SEED = WEEKS / "2025-W45.yaml"
# A few committed weeks, for the tests that build a site: the seed week and the weeks beside
# the pages readers met first. Copied into a folder of their own (`sample_weeks`), they are
# that folder's whole archive, so a site of them builds in seconds.
SAMPLE_WEEKS = ("2025-W19", "2025-W38", "2025-W44", "2025-W45", "2026-W03", "2026-W04")


def seed_alone(folder: Path) -> Path:
    """The seed week with the week before it (for its week-over-week comparison) in a folder of
    their own, once: its archive is that one week."""
    weeks = folder / "seed-weeks"
    weeks.mkdir(parents=True, exist_ok=True)
    for name in ("2025-W44.yaml", "2025-W45.yaml", "2025-W45.editorial.yaml"):
        if not (weeks / name).exists():
            (weeks / name).write_bytes((WEEKS / name).read_bytes())
    return weeks / SEED.name


def sample_weeks(folder: Path) -> list[Path]:
    """The sample weeks (with the seed's editorial file) copied into `folder`, oldest first."""
    folder.mkdir(parents=True, exist_ok=True)
    for label in SAMPLE_WEEKS:
        for name in (f"{label}.yaml", f"{label}.editorial.yaml"):
            if (WEEKS / name).exists():
                (folder / name).write_bytes((WEEKS / name).read_bytes())
    return [folder / f"{label}.yaml" for label in SAMPLE_WEEKS]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--slow", action="store_true", help="run the slow tests too (CI does)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Slow tests run with --slow or in CI (CI=true), and are skipped, said so, otherwise."""
    if config.getoption("--slow") or os.environ.get("CI"):
        return
    skip = pytest.mark.skip(reason="slow: run with --slow (CI runs it)")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands resolve data/weeks relative to the working folder, as a user runs them."""
    monkeypatch.chdir(ROOT)


LOOPBACK = {"127.0.0.1", "::1", "localhost"}


@pytest.fixture(autouse=True)
def _no_internet(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Tests never touch the internet: a lookup of any other host fails, and fails the test
    afterwards too, even where the code under test turns the failure into a quiet gap."""
    tried: list[str] = []
    lookup = socket.getaddrinfo

    def loopback_only(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name not in LOOPBACK:
            tried.append(name)
            raise socket.gaierror(f"tests never touch the internet: {name}")
        return lookup(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", loopback_only)
    yield
    assert not tried, f"the test tried to reach {sorted(set(tried))}"


def derive_module(weeks: Path) -> ModuleType:
    """scripts/derive_weeks.py, writing into `weeks`: real weeks made from data/series/."""
    spec = importlib.util.spec_from_file_location("derive", ROOT / "scripts" / "derive_weeks.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.WEEKS = weeks
    weeks.mkdir(parents=True, exist_ok=True)
    return module


def load_raw(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


@pytest.fixture
def week_variant(tmp_path: Path) -> Callable[..., Path]:
    """Write a changed copy of a committed week (and its editorial file) into tmp_path."""

    def make(
        change: Callable[[dict[str, Any]], None], source: Path = SEED, editorial: bool = True
    ) -> Path:
        data = load_raw(source)
        change(data)
        path = tmp_path / source.name
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        side = source.with_name(source.name.replace(".yaml", ".editorial.yaml"))
        if editorial and side.exists():
            (tmp_path / side.name).write_text(side.read_text(encoding="utf-8"), encoding="utf-8")
        return path

    return make


def edition_of(
    path: Path, previous: bool = True, site_url: str = "", history: Path = ROOT / "data" / "history"
) -> Any:
    """A week's edition as `report build` makes it: with the week before it when that file
    lies beside it, the weeks of record beside it as its archive, and the committed price
    history (or the store in `history`)."""
    from report.archive import Archive
    from report.edition import build_edition
    from report.history import HistoryStore
    from report.weekfile import load_previous, load_week_files

    files = load_week_files(path)
    before = load_previous(files) if previous else None
    if history not in _ARCHIVES:
        _ARCHIVES[history] = Archive(HistoryStore(history))
    archive = _ARCHIVES[history]
    return build_edition(files, before, archive.history, site_url, archive.before(path))


_ARCHIVES: dict[Path, Any] = {}  # one archive a history store, for edition_of
