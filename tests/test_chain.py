"""verify_chain and verify_folder on real folders, intact and damaged."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from gim_export import package
from gim_export.chain import (
    POSITION_FILE,
    PROBLEM_KINDS,
    Limits,
    read_position,
    verify_chain,
    verify_folder,
)
from gim_export.errors import ChainVerificationError, ConfigError
from gim_export.received import _directory_size, _RowCounter
from tests.chain_fixtures import (
    DAMAGES,
    DAY,
    START_TS,
    add_zip_entry,
    build_chain,
    data_offset,
    flip_csv_byte,
    flip_zip_byte,
    members,
    remove_file,
    resum,
    rewrite_zip,
    write_folder,
    zip_of,
)

_EXPORTED: dict[str, Path] = {}


def _infomart(request: pytest.FixtureRequest) -> str:
    """The sample Info Mart: the shared fixture, else one built here."""
    try:
        return str(request.getfixturevalue("infomart_dsn"))
    except pytest.FixtureLookupError:
        from gim_export import sample

        dsn = str(request.getfixturevalue("empty_db"))
        sample.build_infomart(dsn, sample.SampleSpec(days=5))
        return dsn


def _exported_chain(request: pytest.FixtureRequest, received: Path) -> list[Path]:
    """A chain written by the real exporter, copied to a receiving folder.

    The export runs once per session; each test gets its own copy to damage.
    """
    if "output" not in _EXPORTED:
        from gim_export.config import Settings
        from gim_export.exporter import export

        output = request.getfixturevalue("tmp_path_factory").mktemp("exported")
        settings = Settings(
            connection=_infomart(request),
            output_directory=output,
            retry_delay_seconds=0,
        )
        export(settings, catch_up=True, gap_wait_seconds=0.2)
        _EXPORTED["output"] = output
    received.mkdir()
    for folder in package.export_folders(_EXPORTED["output"]):
        shutil.copytree(folder, received / folder.name)
    folders = package.export_folders(received)
    assert len(folders) >= 3, "the sample Info Mart gives too short a chain"
    return folders


@pytest.fixture(params=["writer", "exporter"])
def chain(request: pytest.FixtureRequest, tmp_path: Path) -> list[Path]:
    """Folders of one chain in ``tmp_path/received``, from either source."""
    if request.param == "writer":
        return build_chain(tmp_path / "received")
    return _exported_chain(request, tmp_path / "received")


def pairs(directory: Path, **options: object) -> set[tuple[str, str]]:
    """The (folder, kind) pairs verify_chain reports."""
    report = verify_chain(directory, **options)  # type: ignore[arg-type]
    return {(problem.folder, problem.kind) for problem in report.problems}


def test_intact_chain_passes(chain: list[Path]) -> None:
    report = verify_chain(chain[0].parent)
    assert report.problems == ()
    assert [result.name for result in report.folders] == [f.name for f in chain]
    assert {result.status for result in report.folders} == {"ok"}
    assert report.folders[0].link == "first"
    assert {result.link for result in report.folders[1:]} == {"linked"}


@pytest.mark.parametrize("damage", DAMAGES)
def test_each_damage_is_reported_on_its_folder_only(
    chain: list[Path], damage: str
) -> None:
    expected = DAMAGES[damage](chain)
    assert pairs(chain[0].parent) == expected


def test_zip_mismatch_names_both_digests(tmp_path: Path) -> None:
    folders = build_chain(tmp_path)
    flip_zip_byte(folders)
    report = verify_chain(tmp_path)
    mismatch = next(p for p in report.problems if p.kind == "zip-sha1-mismatch")
    zip_path = zip_of(folders[1])
    assert mismatch.folder == folders[1].name
    assert mismatch.file == zip_path.name
    assert mismatch.found == package.file_sha1(zip_path)
    assert mismatch.expected is not None and mismatch.expected != mismatch.found
    assert mismatch.message == (
        f"{zip_path.name} has SHA-1 {mismatch.found}, "
        f"{zip_path.name}.sha1 says {mismatch.expected}"
    )


def test_gap_names_the_audit_keys_on_each_side(tmp_path: Path) -> None:
    folders = build_chain(tmp_path)
    shutil.rmtree(folders[1])
    (gap,) = verify_chain(tmp_path).problems
    assert (gap.folder, gap.other_folder) == (folders[2].name, folders[0].name)
    assert (gap.expected, gap.found) == ("100", "200")
    assert gap.message == (
        f"hwm-from 200 does not follow hwm-to 100 of {folders[0].name}: "
        "the audit keys after 100 up to 200 are missing"
    )


def test_several_problems_are_all_reported(tmp_path: Path) -> None:
    folders = build_chain(tmp_path, count=6)
    flip_zip_byte(folders[0:3])
    remove_file(".zip.sha1")(folders[1:4])
    flip_csv_byte(folders[2:5])
    shutil.rmtree(folders[4])
    assert pairs(tmp_path) == {
        (folders[1].name, "zip-sha1-mismatch"),
        (folders[1].name, "damaged-entry"),
        (folders[2].name, "missing-file"),
        (folders[3].name, "csv-sha1-mismatch"),
        (folders[5].name, "gap"),
    }


def test_raise_for_problems_carries_every_problem(tmp_path: Path) -> None:
    folders = build_chain(tmp_path)
    remove_file(".zip")(folders)
    (folders[2] / "extra.txt").write_text("x")
    report = verify_chain(tmp_path)
    with pytest.raises(ChainVerificationError) as caught:
        report.raise_for_problems()
    assert caught.value.problems == list(report.problems)
    assert str(caught.value) == (
        f"2 problems in 2 of 4 folders under {str(tmp_path)!r}"
    )


def test_verify_folder_returns_metadata_and_problems(tmp_path: Path) -> None:
    folders = build_chain(tmp_path)
    metadata, problems = verify_folder(folders[1])
    assert problems == []
    assert metadata is not None and (metadata.hwm_from, metadata.hwm_to) == (100, 200)
    flip_csv_byte(folders)
    assert [p.kind for p in verify_folder(folders[1])[1]] == ["csv-sha1-mismatch"]


def test_real_tools_agree_with_an_intact_folder(chain: list[Path]) -> None:
    folder = chain[1]
    if shutil.which("sha1sum") is None or shutil.which("unzip") is None:
        pytest.skip("sha1sum or unzip is not installed")
    summed = subprocess.run(
        ["sha1sum", "-c", f"{folder.name}.zip.sha1"], cwd=folder, capture_output=True
    )
    tested = subprocess.run(
        ["unzip", "-t", f"{folder.name}.zip"], cwd=folder, capture_output=True
    )
    assert summed.returncode == 0, summed.stderr
    assert tested.returncode == 0, tested.stdout
    assert b"No errors detected" in tested.stdout


@pytest.mark.parametrize(
    "name",
    [
        "../evil.csv",
        "sub/../../evil.csv",
        "/etc/evil.csv",
        "\\evil.csv",
        "C:evil.csv",
        "..\\..\\evil.csv",
        "evil\x1b[2J.csv",
    ],
    ids=["dotdot", "nested-dotdot", "absolute", "backslash", "drive", "dos", "escape"],
)
def test_hostile_entry_names_are_reported_not_followed(
    tmp_path: Path, name: str
) -> None:
    received = tmp_path / "a" / "b" / "received"
    folders = build_chain(received)
    assert add_zip_entry(name)(folders) == {(folders[1].name, "hostile-entry")}
    before = sorted(tmp_path.rglob("*"))
    assert pairs(received) == {(folders[1].name, "hostile-entry")}
    assert sorted(tmp_path.rglob("*")) == before


def test_symbolic_link_entry_is_hostile(tmp_path: Path) -> None:
    folders = build_chain(tmp_path)
    link = zipfile.ZipInfo("passwd.csv")
    link.external_attr = 0o120777 << 16
    path = zip_of(folders[1])
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr(link, "/etc/passwd")
    sha1 = package.sha1_line(package.file_sha1(path), path.name)
    (folders[1] / f"{path.name}.sha1").write_bytes(sha1)
    assert pairs(tmp_path) == {(folders[1].name, "hostile-entry")}


@pytest.mark.parametrize(
    ("entry", "kind"),
    [
        ("readme.txt", "unexpected-entry"),
        ("sub/interaction_fact.csv", "unexpected-entry"),
        ("interaction_fact.csv", "duplicate-entry"),
        ("agent_login.csv", "missing-entry"),
        ("agent_login.csv.sha1", "missing-entry"),
    ],
)
def test_member_list_is_checked(tmp_path: Path, entry: str, kind: str) -> None:
    folders = build_chain(tmp_path)
    duplicate = kind == "duplicate-entry"
    with pytest.warns(UserWarning) if duplicate else contextlib.nullcontext():
        rewrite_zip(folders[1], lambda entries: [*entries, (entry, b"a\n")])
    found = pairs(tmp_path)
    assert (folders[1].name, kind) in found
    assert {folder for folder, _ in found} == {folders[1].name}


def test_csv_missing_from_the_metadata_is_unlisted(tmp_path: Path) -> None:
    folders = build_chain(tmp_path)
    line = package.sha1_line(hashlib.sha1(b"a\n").hexdigest(), "extra.csv")
    rewrite_zip(
        folders[1], lambda e: [*e, ("extra.csv", b"a\n"), ("extra.csv.sha1", line)]
    )
    assert pairs(tmp_path) == {(folders[1].name, "unlisted-entry")}


def test_csv_listed_but_absent_is_missing(tmp_path: Path) -> None:
    folders = build_chain(tmp_path)
    rewrite_zip(folders[1], lambda e: [m for m in e if "resource_" not in m[0]])
    (problem,) = verify_chain(tmp_path).problems
    assert (problem.kind, problem.file) == ("missing-entry", "resource_.csv")


def test_wrong_row_count_in_the_metadata(tmp_path: Path) -> None:
    folders = build_chain(tmp_path)
    xml = folders[1] / f"{folders[1].name}.extracted.xml"
    xml.write_bytes(xml.read_bytes().replace(b'rows="3"', b'rows="4"'))
    (problem,) = verify_chain(tmp_path).problems
    assert (problem.kind, problem.expected, problem.found) == (
        "row-count-mismatch",
        "4",
        "3",
    )


_LAUGHS = (
    '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
    + "".join(
        f'<!ENTITY {b} "{("&" + a + ";") * 10}">'
        for a, b in zip("abcdefgh", "bcdefghi", strict=True)
    )
    + "]><export-metadata>&i;</export-metadata>"
)


@pytest.mark.parametrize(
    "xml",
    [
        b"<export-metadata><created-ts>1</created-ts>",
        _LAUGHS.encode(),
        ('<?xml version="1.0" encoding="UTF-16"?>' + _LAUGHS).encode("utf-16"),
        b"<export-metadata>" + b" " * (5 * 1024 * 1024) + b"</export-metadata>",
        b"<export-metadata><created-ts>1</created-ts></export-metadata>",
        b'<?xml version="1.0" encoding="x-unknown"?><export-metadata/>',
    ],
    ids=[
        "not-well-formed",
        "entities",
        "utf16-entities",
        "huge",
        "fields-missing",
        "unknown-encoding",
    ],
)
def test_bad_xml_is_reported_and_only_there(tmp_path: Path, xml: bytes) -> None:
    folders = build_chain(tmp_path)
    (folders[1] / f"{folders[1].name}.extracted.xml").write_bytes(xml)
    assert pairs(tmp_path) == {(folders[1].name, "bad-xml")}


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (b"<max-data-ts>", b"<max-data-ts>9999999", "max-data-ts 9999999"),
        (b'hwm-from audit-key="100"', b'hwm-from audit-key="-1"', "hwm-from -1 is"),
        (b'hwm-from audit-key="100"', b'hwm-from audit-key="201"', "hwm-to 200 is"),
        (b"<kind>regular", b"<kind>re-export", "lacks its <re-export>"),
    ],
    ids=["time-out-of-range", "negative-hwm", "hwm-backwards", "re-export-bare"],
)
def test_contradictory_xml_is_bad(
    tmp_path: Path, old: bytes, new: bytes, message: str
) -> None:
    folders = build_chain(tmp_path)
    xml = folders[1] / f"{folders[1].name}.extracted.xml"
    xml.write_bytes(xml.read_bytes().replace(old, new, 1))
    (problem,) = verify_chain(tmp_path).problems
    assert (problem.folder, problem.kind) == (folders[1].name, "bad-xml")
    assert message in problem.message


def test_zip_bomb_member_is_refused(tmp_path: Path) -> None:
    folders = build_chain(tmp_path)
    zeros = bytes(64 * 1024 * 1024)
    rewrite_zip(folders[1], lambda e: [*e, ("bomb.csv", zeros)])
    report = verify_chain(tmp_path)
    kinds = {(p.kind, p.file) for p in report.problems if p.kind == "oversized-entry"}
    assert kinds == {("oversized-entry", "bomb.csv")}
    assert {p.folder for p in report.problems} == {folders[1].name}


@pytest.mark.parametrize(
    ("limits", "file"),
    [
        (Limits(max_member_bytes=100), "interaction_fact.csv"),
        (Limits(max_ratio=1, ratio_floor=0), None),
        (Limits(max_directory_bytes=100), None),
    ],
    ids=["member-size", "total-ratio", "directory-size"],
)
def test_limits_refuse_before_reading(
    tmp_path: Path, limits: Limits, file: str | None
) -> None:
    build_chain(tmp_path)
    report = verify_chain(tmp_path, limits=limits)
    assert {p.kind for p in report.problems} == {"oversized-entry"}
    if file is not None:
        assert {p.file for p in report.problems} == {file}


def test_restart_is_accepted_and_shown(tmp_path: Path) -> None:
    build_chain(tmp_path, count=2)
    details = (
        (
            "restart",
            (("from-date", "2025-12-01"), ("reason", "test")),
        ),
    )
    write_folder(tmp_path, 50, 300, START_TS + 5 * DAY, kind="restart", details=details)
    write_folder(tmp_path, 300, 400, START_TS + 6 * DAY)
    report = verify_chain(tmp_path)
    assert report.problems == ()
    assert [r.link for r in report.folders] == ["first", "linked", "restart", "linked"]


def test_re_export_is_checked_on_its_own_and_shown(tmp_path: Path) -> None:
    folders = build_chain(tmp_path, count=3)
    details = (("re-export", (("span-from", "1"), ("span-to", "2"))),)
    name = f"{folders[1].name}_reexport_0001"
    write_folder(
        tmp_path, 13, 150, START_TS, kind="re-export", name=name, details=details
    )
    report = verify_chain(tmp_path)
    assert report.problems == ()
    assert [r.link for r in report.folders] == [
        "first",
        "linked",
        "re-export",
        "linked",
    ]


def test_re_export_after_the_wrong_folder(tmp_path: Path) -> None:
    folders = build_chain(tmp_path, count=3)
    details = (("re-export", (("span-from", "1"),)),)
    name = package.folder_name(150, START_TS + 2 * DAY, re_export=1)
    write_folder(
        tmp_path, 13, 150, START_TS, kind="re-export", name=name, details=details
    )
    assert pairs(tmp_path) == {(name, "misplaced-re-export")}
    assert folders


@pytest.mark.parametrize(
    ("kind", "name_suffix"),
    [("re-export", ""), ("regular", "_reexport_0001")],
    ids=["kind-without-suffix", "suffix-without-kind"],
)
def test_re_export_mark_must_agree(tmp_path: Path, kind: str, name_suffix: str) -> None:
    folders = build_chain(tmp_path, count=2)
    details = (("re-export", (("span-from", "1"),)),)
    name = folders[1].name + name_suffix if name_suffix else None
    write_folder(
        tmp_path, 200, 300, START_TS + 3 * DAY, kind=kind, name=name, details=details
    )
    found = pairs(tmp_path)
    assert ("name-mismatch" in {k for _, k in found}) and len(
        {f for f, _ in found}
    ) == 1


def test_overlap_and_max_data_ts_backwards(tmp_path: Path) -> None:
    folders = build_chain(tmp_path, count=2)
    late = write_folder(tmp_path, 150, 300, START_TS + DAY)
    assert pairs(tmp_path) == {
        (late.name, "overlap"),
        (late.name, "max-data-ts-backwards"),
    }
    assert folders


def test_name_that_sorts_out_of_stream_order(tmp_path: Path) -> None:
    build_chain(tmp_path, count=2)
    # Without zero padding, hwm 300 sorts after hwm 1000.
    stamp = dt.datetime.fromtimestamp(START_TS + 3 * DAY, dt.UTC)
    unpadded = f"export_300_{stamp:%Y_%m_%d_%H_%M_%S}"
    write_folder(tmp_path, 200, 300, START_TS + 3 * DAY, name=unpadded)
    ahead = write_folder(tmp_path, 300, 1000, START_TS + 4 * DAY)
    assert pairs(tmp_path) == {(unpadded, "out-of-order")}
    assert ahead


@pytest.mark.parametrize(
    ("make", "kind"),
    [
        (lambda d: (d / "export_notes.txt").write_text("x"), "not-a-folder"),
        (
            lambda d: (d / "export_latest").symlink_to(sorted(d.iterdir())[0]),
            "not-a-folder",
        ),
        (lambda d: (d / "export_misc").mkdir(), "bad-folder-name"),
    ],
    ids=["file", "symlink", "bad-name"],
)
def test_stray_entries_named_export(tmp_path: Path, make: object, kind: str) -> None:
    build_chain(tmp_path, count=2)
    make(tmp_path)  # type: ignore[operator]
    assert kind in {k for _, k in pairs(tmp_path)}


def test_symbolic_link_in_place_of_a_file(tmp_path: Path) -> None:
    folders = build_chain(tmp_path)
    zip_path = zip_of(folders[1])
    zip_path.unlink()
    zip_path.symlink_to("/dev/zero")
    assert pairs(tmp_path) == {(folders[1].name, "unreadable-file")}


def test_empty_directory_is_a_problem(tmp_path: Path) -> None:
    report = verify_chain(tmp_path)
    assert [(p.folder, p.kind) for p in report.problems] == [
        (tmp_path.name, "no-folders")
    ]
    assert report.summary() == (
        f"1 problem, no export folder verified under {str(tmp_path)!r}"
    )


def test_missing_directory_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="is not a directory"):
        verify_chain(tmp_path / "nowhere")


def test_tolerates_what_the_original_job_writes(tmp_path: Path) -> None:
    folders = build_chain(tmp_path, count=3)
    _as_original_job(folders[1])
    assert verify_chain(tmp_path).problems == ()
    rewrite_zip(
        folders[1], lambda e: [(n, d.replace(b"Agent", b"Agenz")) for n, d in e]
    )
    assert pairs(tmp_path) == {(folders[1].name, "csv-sha1-mismatch")}


def _as_original_job(folder: Path) -> None:
    """Upper-case CSV names, ``*`` and CRLF in sums, an XML without our fields."""

    def upper(entries: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
        result = []
        for name, data in entries:
            name = name.upper().replace(".CSV", ".csv").replace(".SHA1", ".sha1")
            if name.endswith(".sha1"):
                digest = data.split()[0].decode()
                data = f"{digest} *{name.removesuffix('.sha1')}\r\n".encode()
            result.append((name, data))
        return result

    rewrite_zip(folder, upper)
    sum_path = folder / f"{folder.name}.zip.sha1"
    digest = sum_path.read_text().split()[0]
    sum_path.write_bytes(f"{digest} *{folder.name}.zip\r\n".encode())
    xml = folder / f"{folder.name}.extracted.xml"
    metadata = package.Metadata.from_xml(xml.read_bytes())
    xml.write_text(
        "<export-metadata>"
        f"<created-ts>{metadata.created_ts}</created-ts>"
        "<gim-schema-version>8.5.116.20</gim-schema-version>"
        "<gim-version>8.5.116.20</gim-version>"
        f"<max-data-ts>{metadata.max_data_ts}</max-data-ts>"
        f'<hwm-from audit-key="{metadata.hwm_from}" created-ts="1"/>'
        f'<hwm-to audit-key="{metadata.hwm_to}" created-ts="2"/>'
        "</export-metadata>"
    )


def test_fast_skips_the_csv_files_only(tmp_path: Path) -> None:
    folders = build_chain(tmp_path)
    flip_csv_byte(folders)
    assert pairs(tmp_path, fast=True) == set()
    flip_zip_byte(folders[1:])
    assert pairs(tmp_path, fast=True) == {(folders[2].name, "zip-sha1-mismatch")}


def test_remember_then_verify_only_what_is_new(tmp_path: Path) -> None:
    folders = build_chain(tmp_path, count=3)
    assert verify_chain(tmp_path, remember=True).remembered == folders[2].name
    assert read_position(tmp_path).hwm_to == 300
    newer = write_folder(tmp_path, 300, 400, START_TS + 4 * DAY)
    flip_zip_byte(folders)  # damage in an old folder is not read again
    report = verify_chain(tmp_path, since="last")
    assert [r.name for r in report.folders] == [newer.name]
    assert report.problems == () and report.folders[0].link == "linked"


def test_since_still_checks_the_link(tmp_path: Path) -> None:
    folders = build_chain(tmp_path, count=4)
    shutil.rmtree(folders[2])
    report = verify_chain(tmp_path, since=folders[1].name)
    assert [(p.folder, p.kind, p.other_folder) for p in report.problems] == [
        (folders[3].name, "gap", folders[1].name)
    ]


def test_remember_stops_before_the_first_problem(tmp_path: Path) -> None:
    folders = build_chain(tmp_path, count=4)
    flip_csv_byte(folders)
    report = verify_chain(tmp_path, remember=True)
    assert report.remembered == folders[0].name
    text = (tmp_path / POSITION_FILE).read_text()
    assert f'folder = "{folders[0].name}"' in text and "hwm-to = 100" in text


@pytest.mark.parametrize(
    ("since", "message"),
    [
        ("yesterday", "is not an export folder name"),
        ("last", "no remembered position"),
    ],
)
def test_bad_since_is_a_usage_error(tmp_path: Path, since: str, message: str) -> None:
    build_chain(tmp_path, count=1)
    with pytest.raises(ConfigError, match=message):
        verify_chain(tmp_path, since=since)


def test_damaged_position_file_is_a_usage_error(tmp_path: Path) -> None:
    build_chain(tmp_path, count=1)
    (tmp_path / POSITION_FILE).write_text('folder = "x"\n')
    with pytest.raises(ConfigError, match="lacks a valid folder"):
        verify_chain(tmp_path, since="last")


@pytest.mark.parametrize(
    ("pieces", "rows"),
    [
        ([b"a,b\n1,2\n3,4\n"], 2),
        ([b"a,b\n1,2\n3,4"], 2),
        ([b"a,b\r\n1,2\r\n"], 1),
        ([b'a,b\n1,"x\ny"\n2,""\n'], 2),
        ([b'a,b\n1,"x', b'\n""y', b'""\n"\n2,3\n'], 2),
        ([b'a,b\n1,"', b'"\n2,3\n'], 2),
        ([b"a,b\n"], 0),
        ([b""], 0),
    ],
    ids=[
        "plain",
        "no-final-lf",
        "crlf",
        "quoted-lf",
        "split-quotes",
        "split-pair",
        "header-only",
        "empty",
    ],
)
def test_row_counter(pieces: list[bytes], rows: int) -> None:
    counter = _RowCounter()
    for piece in pieces:
        counter.feed(piece)
    assert counter.rows() == rows


def test_every_problem_kind_is_documented() -> None:
    text = (Path(__file__).parent.parent / "docs" / "receiving.md").read_text()
    assert [kind for kind in PROBLEM_KINDS if f"`{kind}`" not in text] == []


def test_damaged_folder_never_touches_outside(tmp_path: Path) -> None:
    folders = build_chain(tmp_path / "received")
    add_zip_entry("../../../outside.csv")(folders)
    verify_chain(tmp_path / "received")
    assert not (tmp_path / "outside.csv").exists()
    assert os.listdir(tmp_path) == ["received"]
    assert members(folders[1])


def test_zip64_directory_size_is_read_from_the_zip64_record(tmp_path: Path) -> None:
    folders = build_chain(tmp_path)
    path = zip_of(folders[1])
    data = bytearray(path.read_bytes())
    end = data.rfind(b"PK\x05\x06")
    with zipfile.ZipFile(path) as archive:
        directory_size = end - archive.start_dir
    # Move the size into a ZIP64 end record, as a writer does past 4 GiB.
    record = b"PK\x06\x06" + (44).to_bytes(8, "little") + bytes(12)
    record += (4).to_bytes(8, "little") * 2 + directory_size.to_bytes(8, "little")
    record += end.to_bytes(8, "little")
    locator = (
        b"PK\x06\x07" + bytes(4) + end.to_bytes(8, "little") + (1).to_bytes(4, "little")
    )
    data[end + 12 : end + 16] = b"\xff\xff\xff\xff"
    path.write_bytes(bytes(data[:end] + record + locator + data[end:]))
    with open(path, "rb") as handle:
        assert _directory_size(handle) == directory_size


@pytest.mark.parametrize(
    "method",
    [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA],
    ids=["stored", "deflated", "bzip2", "lzma"],
)
def test_members_of_every_method_are_read(tmp_path: Path, method: int) -> None:
    folders = build_chain(tmp_path)
    rewrite_zip(folders[1], lambda entries: entries, method)
    assert verify_chain(tmp_path).problems == ()


def test_member_inflating_far_past_one_block_is_read_whole(tmp_path: Path) -> None:
    folders = build_chain(tmp_path)
    big = b"a,b\n" + b"1,2\n" * (4 * 1024 * 1024)
    line = package.sha1_line(hashlib.sha1(big).hexdigest(), "big.csv")
    rewrite_zip(folders[1], lambda e: [*e, ("big.csv", big), ("big.csv.sha1", line)])
    found = pairs(tmp_path, limits=Limits(max_ratio=10**6))
    assert found == {(folders[1].name, "unlisted-entry")}


def test_stored_byte_flipped_fails_the_crc(tmp_path: Path) -> None:
    folders = build_chain(tmp_path)
    rewrite_zip(folders[1], lambda entries: entries, zipfile.ZIP_STORED)
    path = zip_of(folders[1])
    info = zipfile.ZipFile(path).getinfo("resource_.csv")
    data = bytearray(path.read_bytes())
    data[data_offset(info, data) + 5] ^= 0x01
    path.write_bytes(bytes(data))
    resum(folders[1])
    (problem,) = verify_chain(tmp_path).problems
    assert (problem.kind, problem.file) == ("damaged-entry", "resource_.csv")
    assert problem.message.startswith("zip entry 'resource_.csv': CRC-32 is ")


def test_local_header_naming_another_entry(tmp_path: Path) -> None:
    folders = build_chain(tmp_path)
    path = zip_of(folders[1])
    info = zipfile.ZipFile(path).getinfo("resource_.csv")
    data = bytearray(path.read_bytes())
    start = info.header_offset + 30
    data[start : start + 9] = b"resource1"
    path.write_bytes(bytes(data))
    resum(folders[1])
    (problem,) = verify_chain(tmp_path).problems
    assert problem.message == (
        "zip entry 'resource_.csv': its local header names b'resource1.csv'"
    )


GENERATION_1 = (("stream", (("generation", "1"),)),)


def _two_generations(directory: Path) -> list[Path]:
    """Three folders, then a restart from hwm 50 that repeats them as generation 1."""
    old = build_chain(directory, count=3)
    restart = (("restart", (("from-date", "2026-01-02 00:00:00"),)),)

    def repeat(hwm_from: int, hwm_to: int, days: int, kind: str = "regular") -> Path:
        max_data_ts = START_TS + days * DAY + 3600
        name = package.folder_name(hwm_to, max_data_ts, restart=1)
        details = GENERATION_1 + (restart if kind == "restart" else ())
        return write_folder(
            directory,
            hwm_from,
            hwm_to,
            max_data_ts,
            kind=kind,
            name=name,
            details=details,
        )

    first = repeat(50, 150, 1, kind="restart")
    second = repeat(150, 250, 2)
    third = write_folder(directory, 250, 350, START_TS + 4 * DAY, details=GENERATION_1)
    return [old[0], first, old[1], second, old[2], third]


def test_restart_generation_links_on_its_own(tmp_path: Path) -> None:
    folders = _two_generations(tmp_path)
    report = verify_chain(tmp_path)
    assert report.problems == ()
    assert [(r.name, r.link) for r in report.folders] == [
        (folders[0].name, "first"),
        (folders[1].name, "restart"),
        (folders[2].name, "linked"),
        (folders[3].name, "linked"),
        (folders[4].name, "linked"),
        (folders[5].name, "linked"),
    ]


def test_gap_inside_a_generation(tmp_path: Path) -> None:
    folders = _two_generations(tmp_path)
    shutil.rmtree(folders[3])
    (gap,) = verify_chain(tmp_path).problems
    assert (gap.folder, gap.kind, gap.other_folder) == (
        folders[5].name,
        "gap",
        folders[1].name,
    )


def test_restart_suffix_must_match_the_generation(tmp_path: Path) -> None:
    build_chain(tmp_path, count=2)
    name = package.folder_name(300, START_TS + 3 * DAY, restart=2)
    write_folder(
        tmp_path, 200, 300, START_TS + 3 * DAY, name=name, details=GENERATION_1
    )
    assert pairs(tmp_path) == {(name, "name-mismatch")}


def test_remembered_position_follows_the_newest_generation(tmp_path: Path) -> None:
    folders = _two_generations(tmp_path)
    assert verify_chain(tmp_path, remember=True).remembered == folders[5].name
    position = read_position(tmp_path)
    assert (position.generation, position.hwm_to) == (1, 350)
    newer = write_folder(tmp_path, 350, 450, START_TS + 5 * DAY, details=GENERATION_1)
    report = verify_chain(tmp_path, since="last")
    assert [(r.name, r.link) for r in report.folders] == [(newer.name, "linked")]
    assert report.problems == ()
