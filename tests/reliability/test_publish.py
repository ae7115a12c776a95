"""prepare_candidate / publish / discard / leftovers on real DuckDB files."""

from __future__ import annotations

import hashlib
import os
import signal
from pathlib import Path

import duckdb
import pytest

from runner.locking import DatabaseLocked
from runner.publish import (
    PublishConflict,
    candidate_path,
    cleanup_leftovers,
    discard,
    kept_failures,
    leftovers,
    prepare_candidate,
    previous_path,
    publish,
    rollback,
    wal_path,
)
from tests.checksums import content_checksum
from tests.reliability._processes import duckdb_code, holding, setup_lock_code, start, stop


@pytest.fixture
def live(tmp_path: Path) -> Path:
    """A live database with an owned table, user tables in two schemas and a view."""
    path = tmp_path / "simulation.duckdb"
    with duckdb.connect(str(path)) as connection:
        connection.execute("create table stg_old as select range as i from range(100)")
        connection.execute(
            "create table my_notes as select range as id, 'note ' || range as note, "
            "[range, 2] as tags from range(1000)"
        )
        connection.execute("create schema analysis")
        connection.execute("create table analysis.scratch as select 42 as answer")
        connection.execute("create view my_view as select count(*) as n from my_notes")
    return path


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def execute(path: Path, *statements: str) -> None:
    with duckdb.connect(str(path)) as connection:
        for statement in statements:
            connection.execute(statement)


def leave_wal(path: Path, statement: str) -> None:
    """Commit `statement` in another process and SIGKILL it before any checkpoint."""
    code = f"""
        import time, duckdb
        connection = duckdb.connect({str(path)!r})
        connection.execute("pragma disable_checkpoint_on_shutdown")
        connection.execute("set checkpoint_threshold = '1TB'")
        connection.execute({statement!r})
        print("ready", flush=True)
        time.sleep(600)
    """
    stop(start(code), signal.SIGKILL)
    assert wal_path(path).exists()


def test_candidate_is_a_full_copy_and_live_is_untouched(live: Path) -> None:
    before_bytes, before = sha256(live), content_checksum(live)
    candidate = prepare_candidate(live)
    assert candidate == candidate_path(live) == live.with_name("simulation.duckdb.candidate")
    assert content_checksum(candidate) == before
    assert sha256(live) == before_bytes
    assert {"main.my_notes", "analysis.scratch", "main.my_view (view)"} <= before.keys()
    with duckdb.connect(str(candidate), read_only=True) as connection:
        # same catalog name as the live file, so qualified names stay valid
        assert connection.execute("select current_database()").fetchone() == ("simulation",)


def test_no_live_database_returns_a_path_dbt_will_create(live: Path) -> None:
    missing = live.with_name("fresh.duckdb")
    candidate = prepare_candidate(missing)
    assert candidate == candidate_path(missing)
    assert not candidate.exists() and not missing.exists()
    execute(candidate, "create table stg_x as select 1 as x")
    publish(candidate, missing)
    assert content_checksum(missing).keys() == {"main.stg_x"}
    assert leftovers(missing) == []


def test_committed_changes_only_in_the_live_wal_are_carried_over(live: Path) -> None:
    leave_wal(live, "create table only_in_wal as select 7 as seven")
    before = content_checksum(live)  # read-only open: replays the WAL in memory only
    assert "main.only_in_wal" in before
    candidate = prepare_candidate(live)
    assert content_checksum(candidate) == before
    assert content_checksum(live) == before
    assert not wal_path(live).exists()  # folded into the live file before the copy


def test_stale_debris_is_replaced(live: Path) -> None:
    candidate = candidate_path(live)
    candidate.write_bytes(b"junk from a killed run")
    wal_path(candidate).write_bytes(b"junk wal")
    assert set(leftovers(live)) == {candidate, wal_path(candidate)}
    prepared = prepare_candidate(live)
    assert content_checksum(prepared) == content_checksum(live)
    assert not wal_path(candidate).exists()


def test_publish_replaces_live_with_the_candidate(live: Path) -> None:
    candidate = prepare_candidate(live)
    execute(
        candidate,
        "drop table stg_old",
        "create table stg_new as select range as j from range(5)",
    )
    expected = content_checksum(candidate)
    publish(candidate, live)
    after = content_checksum(live)
    assert after == expected
    assert "main.my_notes" in after and "main.stg_old" not in after
    assert leftovers(live) == []
    # the replaced database is kept beside it, nothing else
    assert sorted(p.name for p in live.parent.iterdir()) == [
        "simulation.duckdb",
        "simulation.duckdb.previous",
    ]


def test_publish_folds_a_candidate_wal_first(live: Path) -> None:
    candidate = prepare_candidate(live)
    leave_wal(candidate, "create table stg_from_wal as select 1 as one")
    publish(candidate, live)
    assert not wal_path(live).exists() and not wal_path(candidate).exists()
    assert "main.stg_from_wal" in content_checksum(live)


def test_discard_removes_candidate_and_leaves_live_identical(live: Path) -> None:
    before_bytes, before = sha256(live), content_checksum(live)
    candidate = prepare_candidate(live)
    leave_wal(candidate, "create table stg_half_built as select 1 as x")
    assert discard(candidate, keep=0) is None
    assert not candidate.exists() and not wal_path(candidate).exists()
    assert leftovers(live) == []
    assert sha256(live) == before_bytes
    assert content_checksum(live) == before


def test_discard_keep_renames_the_failed_candidate_and_keeps_only_the_newest(
    live: Path,
) -> None:
    candidate = prepare_candidate(live)
    leave_wal(candidate, "create table stg_failed as select 1 as x")
    kept = discard(candidate, keep=2)
    assert kept is not None and kept.name.startswith("simulation.duckdb.failed-")
    assert not candidate.exists()
    assert leftovers(live) == []
    assert kept_failures(live) == [kept]
    assert "main.stg_failed" in content_checksum(kept)  # its WAL moved along with it
    second = discard(prepare_candidate(live), keep=2)
    assert second is not None and second != kept
    assert kept_failures(live) == sorted([kept, second])
    third = discard(prepare_candidate(live), keep=2)  # the oldest goes, with its WAL
    assert kept_failures(live) == [second, third] and not wal_path(kept).exists()
    assert not kept.exists()


def test_publish_refuses_when_another_program_wrote_to_live(live: Path) -> None:
    candidate = prepare_candidate(live)
    execute(candidate, "create table stg_new as select 1 as x")
    execute(live, "create table written_meanwhile as select 1 as x")
    foreign = content_checksum(live)
    with pytest.raises(PublishConflict, match="changed while the setup ran"):
        publish(candidate, live)
    assert content_checksum(live) == foreign
    assert candidate.exists()
    discard(candidate, keep=False)
    assert leftovers(live) == []


def test_publish_refuses_while_a_reader_holds_live(live: Path) -> None:
    before = sha256(live)
    candidate = prepare_candidate(live)
    with holding(duckdb_code(str(live), read_only=True)) as reader:
        with pytest.raises(DatabaseLocked) as caught:
            publish(candidate, live)
        assert f"PID {reader.pid}" in caught.value.holder
    assert sha256(live) == before
    publish(candidate, live)  # works once the reader has gone


def test_prepare_refuses_while_a_writer_holds_live(live: Path) -> None:
    with holding(duckdb_code(str(live), read_only=False)) as writer:
        with pytest.raises(DatabaseLocked) as caught:
            prepare_candidate(live)
        assert f"PID {writer.pid}" in caught.value.holder


def test_another_running_setup_owns_its_candidate(live: Path) -> None:
    candidate = prepare_candidate(live)
    with holding(setup_lock_code(str(live))) as other:
        assert leftovers(live) == []
        assert cleanup_leftovers(live) == []
        assert candidate.exists()
        with pytest.raises(DatabaseLocked) as caught:
            prepare_candidate(live)
        assert f"PID {other.pid}" in caught.value.holder
    assert candidate in cleanup_leftovers(live)
    assert not candidate.exists()


def test_checksum_is_order_independent_but_sees_duplicates(tmp_path: Path) -> None:
    one, two, three = (tmp_path / f"{name}.duckdb" for name in ("one", "two", "three"))
    execute(one, "create table t as select range as i from range(50) order by i")
    execute(two, "create table t as select range as i from range(50) order by i desc")
    execute(
        three,
        "create table t as select range as i from range(50) union all select 7 union all select 7",
    )
    assert content_checksum(one) == content_checksum(two)
    assert content_checksum(one) != content_checksum(three)
    # a column named like the row alias must not narrow the hash to that column
    four, five = tmp_path / "four.duckdb", tmp_path / "five.duckdb"
    execute(four, "create table t as select 1 as __planwise_row, 'a' as other")
    execute(five, "create table t as select 1 as __planwise_row, 'b' as other")
    assert (
        content_checksum(four)["main.t"].split(" rows=")[1]
        != (content_checksum(five)["main.t"].split(" rows=")[1])
    )
    with pytest.raises(FileNotFoundError):
        content_checksum(tmp_path / "missing.duckdb")


def test_disk_full_during_the_copy_leaves_no_debris_and_live_intact(live: Path) -> None:
    """A file-size limit (RLIMIT_FSIZE) makes the copy fail like a full disk."""
    execute(
        live, "create table padding as select range as i, md5(range::varchar) from range(200000)"
    )
    before_bytes = sha256(live)
    code = f"""
        import resource, signal
        from pathlib import Path
        from runner.publish import prepare_candidate
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        limit = {live.stat().st_size // 4}
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
        try:
            prepare_candidate(Path({str(live)!r}))
        except OSError as error:
            print("ready", flush=True)
            print(error.errno, flush=True)
    """
    process = start(code)
    stop(process)
    assert sha256(live) == before_bytes
    assert leftovers(live) == []
    assert sorted(p.name for p in live.parent.iterdir()) == ["simulation.duckdb"]


# --------------------------------------------------------------------------- previous / rollback


def marker(path: Path) -> int:
    with duckdb.connect(str(path), read_only=True) as connection:
        row = connection.execute("select max(i) from stg_old").fetchone()
    assert row is not None
    return int(row[0])


def publish_version(live: Path, version: int, keep_previous: bool = True) -> bool:
    candidate = prepare_candidate(live)
    execute(candidate, f"create or replace table stg_old as select {version} as i")
    return publish(candidate, live, keep_previous=keep_previous)


def test_publish_keeps_the_replaced_database_as_previous(live: Path) -> None:
    assert publish_version(live, 1)
    assert (marker(live), marker(previous_path(live))) == (1, 99)
    assert publish_version(live, 2)
    assert (marker(live), marker(previous_path(live))) == (2, 1)
    assert previous_path(live) not in leftovers(live)
    assert not publish_version(live, 3, keep_previous=False)
    assert marker(live) == 3 and not previous_path(live).exists()


def test_rollback_swaps_live_and_previous(live: Path) -> None:
    publish_version(live, 1)
    publish_version(live, 2)
    rollback(live)
    assert (marker(live), marker(previous_path(live))) == (1, 2)
    rollback(live)  # a second rollback undoes the first
    assert (marker(live), marker(previous_path(live))) == (2, 1)
    assert leftovers(live) == []


def test_rollback_without_previous_or_over_a_wal_changes_nothing(live: Path) -> None:
    before = sha256(live)
    with pytest.raises(FileNotFoundError, match="no previous database"):
        rollback(live)
    publish_version(live, 1)
    leave_wal(live, "insert into stg_old values (7)")
    with pytest.raises(PublishConflict, match="uncheckpointed"):
        rollback(live)
    assert marker(previous_path(live)) == 99 and sha256(previous_path(live)) == before


# --------------------------------------------------------------------------- file modes


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def test_published_database_keeps_the_live_mode_and_a_first_one_is_private(
    live: Path, tmp_path: Path
) -> None:
    live.chmod(0o640)
    publish_version(live, 1)
    assert mode(live) == 0o640
    first = tmp_path / "first" / "simulation.duckdb"
    first.parent.mkdir()
    candidate = prepare_candidate(first)
    execute(candidate, "create table stg_new as select 1 as i")
    candidate.chmod(0o644)  # as DuckDB creates it under a usual umask
    publish(candidate, first)
    assert mode(first) == 0o600
    candidate = prepare_candidate(first)
    execute(candidate, "create or replace table stg_new as select 2 as i")
    publish(candidate, first, new_mode=0o644)  # new_mode is for a first database only
    assert mode(first) == 0o600


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another owner needs root")
def test_published_database_keeps_the_live_owner(live: Path) -> None:
    os.chown(live, 65534, 65534)
    publish_version(live, 1)
    assert (live.stat().st_uid, live.stat().st_gid) == (65534, 65534)
