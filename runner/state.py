"""The runner's own state beside a database: `.planwise/<db>/`.

    runs/<stamp>-<pid>-<command>/   one folder per run (dbt's target and logs, reports)
    last-success/                   the manifest of the setup the live file holds, and
                                    the inputs it was built from (`--quick` compares)
    last-run.json                   what `status` says about the last setup
    ../parse-cache/                 dbt's partial-parse files, shared by the databases

Nothing here is ever reached through a link the runner did not create: a linked
or misplaced state folder is refused with one line (exit 2), so deleting old runs
can never delete a user's folders.

`--quick`'s fingerprint is taken from what the build really used: the census by
content (sha256), the project's files by content, both read before the build and
again after it. A file that changed while dbt ran leaves no fingerprint, so the
next `--quick` asks dbt, whose state comparison reads the manifest of what it
parsed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import stat
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from runner.errors import PlanwiseError

# What dbt reads from a project: files at its root, and folders dbt_project.yml can rename.
DBT_FILES = ("dbt_project.yml", "selectors.yml", "profiles.yml", "packages.yml", "dependencies.yml")
DBT_FOLDERS = {
    "model-paths": "models",
    "seed-paths": "seeds",
    "test-paths": "tests",
    "macro-paths": "macros",
    "snapshot-paths": "snapshots",
    "analysis-paths": "analyses",
    "docs-paths": None,
}


def own_folder(folder: Path) -> Path:
    """`folder` when it is a real folder or does not exist yet; never a link or a file."""
    if folder.is_symlink():
        raise PlanwiseError(
            f"{folder}: the run-state folder is a symbolic link; planwise-run keeps its "
            "state only in folders it created itself",
            "remove the link (planwise-run creates the folder again)",
        )
    if folder.exists() and not folder.is_dir():
        raise PlanwiseError(
            f"{folder}: the run-state folder is a file, not a folder",
            "move the file away (planwise-run creates the folder again)",
        )
    return folder


def state_dir(db_path: Path) -> Path:
    """Per-database runner state, beside the database (checked: see own_folder)."""
    own_folder(db_path.parent / ".planwise")
    return own_folder(db_path.parent / ".planwise" / db_path.name)


def state_folder(db_path: Path, *parts: str) -> Path:
    """A folder inside the state folder, every step of the way checked."""
    folder = state_dir(db_path)
    for part in parts:
        folder = own_folder(folder / part)
    return folder


def parse_cache(db_path: Path) -> Path:
    """dbt's partial-parse files, shared by the databases of one directory."""
    own_folder(db_path.parent / ".planwise")
    return own_folder(db_path.parent / ".planwise" / "parse-cache")


def new_run_dir(db_path: Path, command: str, kept: int = 5) -> Path:
    """A fresh directory per run, named to sort by start time; beyond `kept`, the
    oldest go (only real folders: a link placed among them is left alone)."""
    runs = state_folder(db_path, "runs")
    runs.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime()) + f".{time.time_ns() % 10**9:09d}"
    run_dir = runs / f"{stamp}-{os.getpid()}-{command}"
    run_dir.mkdir()
    folders = [path for path in runs.iterdir() if path.is_dir() and not path.is_symlink()]
    for old in sorted(folders)[:-kept]:
        shutil.rmtree(old, ignore_errors=True)
    return run_dir


# --------------------------------------------------------------------------- --quick


def _identity(path: Path) -> list[int]:
    info = path.stat() if path.exists() else None
    return [info.st_size, info.st_mtime_ns] if info else []


def database_identity(live: Path) -> list[int]:
    """The live file's and its write-ahead log's size and mtime."""
    return [*_identity(live), *_identity(live.with_name(live.name + ".wal"))]


def _project_files(project: Path) -> list[Path]:
    """Every file dbt reads from the project: the root files and the folders
    dbt_project.yml names (dbt's defaults where it names none)."""
    config = yaml.safe_load((project / "dbt_project.yml").read_text(encoding="utf-8")) or {}
    folders = {
        folder
        for key, default in DBT_FOLDERS.items()
        for folder in config.get(key, [default] if default else [])
    }
    folders.add(config.get("packages-install-path", "dbt_packages"))
    files = [project / name for name in DBT_FILES if (project / name).is_file()]
    for folder in sorted(folders):
        files += sorted(path for path in (project / folder).rglob("*") if path.is_file())
    return files


def project_digest(project: Path) -> str:
    """sha256 of every file dbt reads from the project, with its path."""
    digest = hashlib.sha256()
    for path in _project_files(project):
        digest.update(f"{path.relative_to(project)}\0".encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


_DIGESTS: dict[tuple[str, int, int, int, int, int], str] = {}  # this process's, by file state


def file_digest(path: Path) -> str | None:
    """A file's sha256, streamed; None for no file. Read once per process while the
    file's state (device, inode, size, mtime and ctime, which no user can set back)
    stays the same: a setup reads its census before and after the build."""
    if not path.is_file():
        return None
    info = path.stat()
    key = (str(path), info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)
    if key not in _DIGESTS:
        with path.open("rb") as handle:
            _DIGESTS[key] = hashlib.file_digest(handle, "sha256").hexdigest()
    return _DIGESTS[key]


def _last(db_path: Path) -> Path:
    return state_dir(db_path) / "last-success"


def forget(db_path: Path) -> None:
    """The live file no longer is what the last recorded setup left."""
    last = _last(db_path)
    own_folder(last)
    shutil.rmtree(last, ignore_errors=True)


def remember(db_path: Path, manifest: Path, inputs: dict[str, Any]) -> None:
    """Keep the manifest of the setup the live file now holds, with the inputs it
    was built from and the live file's identity (a dropped table or a restored
    file is a change)."""
    forget(db_path)
    last = _last(db_path)
    staging = last.with_name(f".last-success.{os.getpid()}")
    staging.mkdir(parents=True)
    shutil.copy2(manifest, staging / "manifest.json")
    recorded = {**inputs, "database": database_identity(db_path)}
    (staging / "inputs.json").write_text(json.dumps(recorded))
    os.replace(staging, last)


def recorded(db_path: Path) -> dict[str, Any] | None:
    """The inputs of the setup the live file holds, when one is recorded."""
    with contextlib.suppress(OSError, ValueError):
        found = json.loads((_last(db_path) / "inputs.json").read_text())
        return found if isinstance(found, dict) else None
    return None


def last_manifest_dir(db_path: Path) -> Path:
    """Where the recorded setup's manifest is (dbt's --state)."""
    return _last(db_path)


def changed_inputs(db_path: Path, inputs: dict[str, Any]) -> list[str] | None:
    """The inputs that differ from the recorded setup's, the live file's identity
    included; None when no setup is recorded."""
    found = recorded(db_path)
    if found is None:
        return None
    now = {**inputs, "database": database_identity(db_path)}
    return [key for key, value in now.items() if found.get(key) != value]


def settled(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """The inputs to record after a build: those read before it, with the project
    and census left unknown when they changed while dbt ran (dbt may have read
    either version), so the next `--quick` never calls them up to date."""
    return {key: value if after.get(key) == value else None for key, value in before.items()}


# --------------------------------------------------------------------------- rollback


def file_identity(path: Path) -> list[int]:
    """The file itself (never a link's target): kind, device, inode, size, mtime."""
    info = path.lstat()
    return [stat.S_IFMT(info.st_mode), info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns]


def record_previous(db_path: Path, previous: Path) -> None:
    """Note which file `<db>.previous` is: the database a publish (or a rollback)
    just replaced, so a rollback may restore it even when no setup built it."""
    with contextlib.suppress(OSError):
        folder = state_dir(db_path)
        folder.mkdir(parents=True, exist_ok=True)
        write_private(folder / "previous.json", json.dumps(file_identity(previous)))


def write_private(path: Path, text: str) -> None:
    """Replace `path` with `text` atomically: a fresh temporary file (mkstemp: O_EXCL,
    mode 0600, never through a link) renamed over it, which replaces a planted link
    rather than writing through it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temporary, path)
    except BaseException:  # a full disk: no temporary file stays behind
        Path(temporary).unlink(missing_ok=True)
        raise


def recorded_previous(db_path: Path) -> list[int] | None:
    """The identity `record_previous` noted, if any."""
    with contextlib.suppress(OSError, ValueError):
        found = json.loads((state_dir(db_path) / "previous.json").read_text())
        return found if isinstance(found, list) else None
    return None
