"""Output that never loses data (issue 11): folder names that stay inside --out and never collide,
atomic replace with recovery after a crash, environment errors with exit code 4, quiet broken pipes,
and a report failure that never costs the results."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, SCENARIOS

from burden import cli
from burden import output
from burden.output import OutputError, recover, slug, write_folder


def env():
    e = dict(os.environ)
    e["PYTHONPATH"] = str(ROOT / "src") + (os.pathsep + e["PYTHONPATH"] if e.get("PYTHONPATH") else "")
    return e


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "burden", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=120, env=env())


def scenario_file(tmp_path: Path, name, file="s.yaml", **changes) -> Path:
    d = yaml.safe_load((SCENARIOS / "base.yaml").read_text())
    d["name"] = name
    d.pop("overrides", None), d.pop("scenarios", None)
    d.update(changes)
    p = tmp_path / file
    p.write_text(yaml.safe_dump(d, allow_unicode=True), encoding="utf-8")
    return p


def tree(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` (relative name -> bytes)."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def temporaries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob(".burden-*"))


# ---------------------------------------------------------------------------------------------- 1. names

NASTY = ["..", ".", "...", "a/../../b", "../../etc", "/etc/passwd", "/", "a\x00b", "x" * 300, "基" * 200,
         "   ", "", " . ", "a\\b", "C:\\x", "con", "NUL", "compare", "-rf", ".hidden", "a:b*c?d|e<f>g\"h",
         "tab\tnew\nline", "base", "Base", "BASE", "base [pellet_opportunity]", "base_pellet_opportunity",
         "base-5ec1f7e7", "基准方案", "球团方案", "café", "cafe\u0301", "ＡＢＣ", "abc", "नमस्ते", "a\u200fb",
         "scenario", "scenario-5ec1f7e7"]


@pytest.mark.parametrize("name", NASTY)
def test_folder_names_stay_inside_out(name, tmp_path):
    f = slug(name)
    assert f and f not in (".", "..") and not f.startswith((".", "-"))
    assert "/" not in f and "\\" not in f and "\x00" not in f and os.sep not in f
    assert len(f.encode("utf-8")) <= output.MAX_NAME_BYTES + 9
    d = tmp_path / f
    d.mkdir()  # a valid single folder name on this file system
    assert d.resolve().parent == tmp_path.resolve()
    assert slug(name) == f  # the same name gets the same folder every run


def test_folder_names_never_collide():
    assert len({slug(n) for n in NASTY}) == len(set(NASTY))


def test_folder_names_are_readable_and_stable():
    assert slug("基准方案") == "基准方案" and slug("球团方案") == "球团方案"  # Unicode letters kept
    assert slug("base") == "base" and slug("high_pellet") == "high_pellet"
    # a name that is not its own folder name: readable part and a hash of the name (fixed across runs)
    assert slug("USTB sheet 5-1") == "ustb_sheet_5-1-" + output.name_hash("USTB sheet 5-1")
    assert slug("..") == "scenario-5ec1f7e7"
    assert slug("Base") == "base-7b47361a"  # no clash with "base" on a case-insensitive file system
    assert slug("ＡＢＣ").startswith("abc-") and slug("cafe\u0301") == "café-" + output.name_hash("cafe\u0301")


def test_dotdot_name_deletes_nothing_beside_the_output_folder(tmp_path):
    proj = tmp_path / "dd" / "proj"
    (proj / "data").mkdir(parents=True)
    sentinels = {proj / "notes.txt": b"keep me", proj / "data" / "plant.csv": b"a,b\n1,2\n"}
    for p, b in sentinels.items():
        p.write_bytes(b)
    before = tree(proj)
    r = run("solve", scenario_file(tmp_path, ".."), "--out", proj / "out")
    assert r.returncode == 0, r.stderr
    after = tree(proj)
    assert {k: v for k, v in after.items() if not k.startswith("out/")} == before
    (folder,) = (proj / "out").iterdir()
    assert folder.name == slug("..") == "scenario-5ec1f7e7"
    assert json.loads((folder / "result.json").read_text())["scenario"] == ".."
    assert temporaries(tmp_path) == []


def test_dot_name_keeps_earlier_results(tmp_path):
    out = tmp_path / "out"
    assert run("solve", SCENARIOS / "base.yaml", "--out", out).returncode == 0
    earlier = tree(out / "base")
    r = run("solve", scenario_file(tmp_path, "."), "--out", out)
    assert r.returncode == 0, r.stderr
    assert tree(out / "base") == earlier
    assert sorted(p.name for p in out.iterdir()) == ["base", slug(".")]


def test_unicode_names_get_their_own_folders(tmp_path):
    out = tmp_path / "out"
    for name, file in (("基准方案", "a.yaml"), ("球团方案", "b.yaml")):
        r = run("solve", scenario_file(tmp_path, name, file), "--out", out)
        assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in out.iterdir()) == sorted(["基准方案", "球团方案"])
    for name in ("基准方案", "球团方案"):
        assert json.loads((out / name / "result.json").read_text(encoding="utf-8"))["scenario"] == name


# ------------------------------------------------------------------------------------- 2. atomic replace

def dead_pid() -> int:
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


def make(folder: Path, files: dict[str, bytes]) -> Path:
    for rel, b in files.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_bytes(b)
    return folder


OLD = {"result.json": b"old", "report/report.html": b"<old>"}
NEW = {"result.json": b"new", "summary.txt": b"new summary"}


def test_write_folder_replaces_wholly(tmp_path):
    t = tmp_path / "base"
    write_folder(OLD, t)
    assert tree(t) == OLD
    write_folder(NEW, t)
    assert tree(t) == NEW  # nothing of the old folder survives (no stale report/)
    assert temporaries(tmp_path) == []
    assert oct(t.stat().st_mode & 0o777) != oct(0o700)  # an ordinary folder, not mkdtemp's private one


def test_crash_after_rename_aside_restores_the_old_folder(tmp_path):
    """The crash of the issue: the old folder renamed aside, the new one not yet in."""
    pid = dead_pid()
    make(tmp_path / f".burden-base.{pid}.0123abcd.old", OLD)
    make(tmp_path / f".burden-base.{pid}.4567abcd.new", NEW)
    # a reader puts the old folder back ...
    assert recover(tmp_path / "base") is True
    assert tree(tmp_path / "base") == OLD
    assert temporaries(tmp_path) == []
    # ... and so does the next writer of any folder below it (burden report writes base/report)
    os.rename(tmp_path / "base", tmp_path / f".burden-base.{pid}.89abcdef.old")
    from burden.report import write_files

    write_files({"report.html": b"<new>"}, tmp_path / "base" / "report", root=tmp_path)
    assert tree(tmp_path / "base") == {"result.json": b"old", "report/report.html": b"<new>"}
    assert temporaries(tmp_path) == []


def test_compare_reads_a_run_an_interrupted_solve_left_aside(base_args, tmp_path, capsys):
    out = tmp_path / "out"
    assert cli.main(["solve", *base_args, "--out", str(out)]) == 0
    os.rename(out / "base", out / f".burden-base.{dead_pid()}.0123abcd.old")  # killed mid-replace
    run_file = str(out / "base" / "result.json")
    assert cli.main(["compare", run_file, run_file, "--no-write"]) == 0, capsys.readouterr().err
    assert (out / "base" / "result.json").is_file() and temporaries(out) == []


def test_stale_temporaries_cleaned_live_ones_kept(tmp_path):
    dead = dead_pid()
    make(tmp_path / "base", OLD)
    stale = [f".burden-base.{dead}.0123abcd.new", f".burden-base.{dead}.1123abcd.old",
             f".burden-base.{dead}.2123abcd.del"]
    live_owner = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        live = [f".burden-base.{live_owner.pid}.3123abcd.new", f".burden-base.{live_owner.pid}.4123abcd.old"]
        others = [f".burden-other.{dead}.5123abcd.new", ".burden-notours", "base.bak"]
        for n in stale + live + others:
            make(tmp_path / n, {"x": b"1"})
        write_folder(NEW, tmp_path / "base")
        assert tree(tmp_path / "base") == NEW
        left = sorted(p.name for p in tmp_path.iterdir())
        assert left == sorted(["base", *live, *others])  # only the stale ones of this target
    finally:
        live_owner.kill()
        live_owner.wait()
    recover(tmp_path / "base")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["base", *others])


def test_failure_while_moving_in_keeps_the_old_folder(tmp_path, monkeypatch):
    t = make(tmp_path / "base", OLD)
    real = os.rename

    def rename(a, b):
        if str(a).endswith(".new"):
            raise OSError(errno.EIO, "Input/output error")
        return real(a, b)

    monkeypatch.setattr(output.os, "rename", rename)
    with pytest.raises(OutputError, match="Input/output error"):
        write_folder(NEW, t)
    monkeypatch.undo()
    assert tree(t) == OLD
    assert temporaries(tmp_path) == []


def test_failure_while_writing_keeps_the_old_folder(tmp_path):
    t = make(tmp_path / "base", OLD)
    with pytest.raises(ValueError):
        write_folder({"a.csv": b"1", "../escape.csv": b"2"}, t)
    assert tree(t) == OLD and not (tmp_path / "escape.csv").exists()
    assert temporaries(tmp_path) == []


@pytest.fixture(scope="module")
def base_args():
    return [str(SCENARIOS / "base.yaml")]


def test_solve_report_writes_results_and_report_in_one_step(base_args, tmp_path, monkeypatch, capsys):
    calls = []
    real = output.write_folder
    monkeypatch.setattr(output, "write_folder", lambda files, target, **k: calls.append(sorted(files)) or
                        real(files, target, **k))
    rc = cli.main(["solve", *base_args, "--out", str(tmp_path), "--report", "--format", "json", "--no-plots"])
    assert rc == 0, capsys.readouterr().err
    assert len(calls) == 1 and "result.json" in calls[0] and "report/report.json" in calls[0]
    assert (tmp_path / "base" / "report" / "report.json").is_file()


@pytest.mark.parametrize("error, code", [(RuntimeError("layout"), 1), ("input", 4)])
def test_report_failure_never_discards_the_results(base_args, tmp_path, monkeypatch, capsys, error, code):
    from burden.errors import InputError
    import burden.report.pdf as pdf

    make(tmp_path / "base", OLD)

    def boom(rep):
        raise InputError("the font cannot be read") if error == "input" else error

    monkeypatch.setattr(pdf, "render_pdf", boom)
    rc = cli.main(["solve", *base_args, "--out", str(tmp_path), "--report", "--format", "pdf,json"])
    err = capsys.readouterr().err
    assert rc == code
    assert "the results were written to" in err and str(tmp_path / "base") in err
    assert ("please report it" in err) == (code == 1)
    files = tree(tmp_path / "base")
    assert json.loads(files["result.json"])["status"] == "optimal"
    assert not any(k.startswith("report/") for k in files)  # the old report went with the old results
    assert temporaries(tmp_path) == []


# ---------------------------------------------------------------------------------- 3. environment errors

def assert_exit_4(r, path, reason):
    assert r.returncode == 4, (r.returncode, r.stderr)
    assert str(path) in r.stderr and reason in r.stderr, r.stderr
    assert "please report" not in r.stderr and "Traceback" not in r.stderr


def test_out_is_a_file(tmp_path):
    f = tmp_path / "out"
    f.write_text("not a folder")
    for cmd in (["solve"], ["report", "--format", "json"]):
        r = run(cmd[0], SCENARIOS / "base.yaml", *cmd[1:], "--out", f)
        assert_exit_4(r, f, "is a file")
        assert "Scenario:" not in r.stdout  # found before anything is solved
    assert f.read_text() == "not a folder"


def test_out_below_a_file(tmp_path):
    f = tmp_path / "file"
    f.write_text("x")
    r = run("solve", SCENARIOS / "base.yaml", "--out", f / "out")
    assert_exit_4(r, f, "is a file")


def test_out_symlink_to_a_folder_is_followed(tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    r = run("solve", SCENARIOS / "base.yaml", "--out", tmp_path / "link")
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "real" / "base" / "result.json").is_file() and (tmp_path / "link").is_symlink()


def test_out_dangling_symlink(tmp_path):
    (tmp_path / "link").symlink_to(tmp_path / "nowhere")
    r = run("solve", SCENARIOS / "base.yaml", "--out", tmp_path / "link")
    assert_exit_4(r, tmp_path / "link", "does not exist")


def test_result_folder_that_is_a_symlink_is_refused(tmp_path):
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "keep.txt").write_text("keep")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "base").symlink_to(tmp_path / "elsewhere")
    r = run("solve", SCENARIOS / "base.yaml", "--out", tmp_path / "out")
    assert_exit_4(r, tmp_path / "out" / "base", "symbolic link")
    assert (tmp_path / "out" / "base").is_symlink() and (tmp_path / "elsewhere" / "keep.txt").read_text() == "keep"


def read_only_out(tmp_path) -> Path:
    """A folder where nothing can be made: a read-only folder, or (as root, whom permission bits
    do not stop) a path under /proc."""
    if os.geteuid() != 0:
        d = tmp_path / "ro"
        d.mkdir()
        d.chmod(0o555)
        return d / "out"
    if not Path("/proc/self").is_dir():
        pytest.skip("no /proc to stand for a read-only location")
    return Path("/proc/burden-test-out")


def test_read_only_location(tmp_path):
    out = read_only_out(tmp_path)
    try:
        for cmd in (["solve"], ["report", "--format", "json"], ["solve", "--report", "--format", "json"]):
            r = run(cmd[0], SCENARIOS / "base.yaml", *cmd[1:], "--out", out)
            assert_exit_4(r, out, "cannot be created")
    finally:
        if out.parent.name == "ro":
            out.parent.chmod(0o755)


def test_no_space_left(base_args, tmp_path, monkeypatch, capsys):
    make(tmp_path / "base", OLD)
    real_open = open

    def full(path, mode="r", *a, **k):
        if "w" in mode and ".burden-" in str(path):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        return real_open(path, mode, *a, **k)

    monkeypatch.setattr(output, "open", full, raising=False)
    rc = cli.main(["solve", *base_args, "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert rc == 4, err
    assert "No space left on device" in err and str(tmp_path / "base") in err and "please report" not in err
    assert tree(tmp_path / "base") == OLD
    assert temporaries(tmp_path) == []


def test_broken_pipe_exits_quietly_and_still_writes(tmp_path):
    """The reader closes before anything is printed: every write to stdout fails with EPIPE."""
    p = subprocess.Popen([sys.executable, "-m", "burden", "solve", str(SCENARIOS / "base.yaml"), "--out",
                          str(tmp_path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env())
    p.stdout.close()
    err = p.stderr.read().decode()
    assert p.wait(timeout=120) == 0, err
    assert err == ""
    assert (tmp_path / "base" / "result.json").is_file()


def test_head_1_exits_quietly(tmp_path):
    """``burden solve --json ... | head -1``: the JSON (240 kB) is more than a pipe holds."""
    p = subprocess.Popen([sys.executable, "-m", "burden", "solve", str(SCENARIOS / "base.yaml"), "--json",
                          "--out", str(tmp_path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env())
    first = p.stdout.readline()
    p.stdout.close()
    err = p.stderr.read().decode()
    assert p.wait(timeout=120) == 0, err
    assert first.strip() == b"{" or first.startswith(b"{")
    assert "Traceback" not in err and "please report" not in err and "Exception ignored" not in err
    assert (tmp_path / "base" / "result.json").is_file()


def test_unwritable_out_found_before_solving(tmp_path, monkeypatch):
    """What a non-root user meets in a folder without write permission (root ignores the bits)."""
    monkeypatch.setattr(output.os, "access", lambda p, m: False)
    with pytest.raises(OutputError, match="cannot be created: .* is not writable") as e:
        output.check_out_dir(tmp_path / "out")
    assert str(tmp_path / "out") in str(e.value) and e.value.exit_code == 4
    assert not (tmp_path / "out").exists()
