"""The offline drafter writes proper prose for any notes, not only the sample (issue 14.4).

A property test over generated notes (bodies, years, agencies, topics, numbers): no repeated sentence, the
agency and the year stated once per part, every note fact present, no untraced number, no ASCII quote or
Markdown. Then the township notes of the issue, and the instructions it follows or declines.
"""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.drafting import PARTS, Drafter, guard_text, load_settings, parse_notes
from assistant.drafting.offline import draft_offline, drop_restated, formal, strip_subject
from assistant.schema import Report, load_report, load_report_file, report_to_data

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = load_report_file(ROOT / "assistant" / "samples" / "sample_report.yaml")
AGENCIES = [("青山县白云镇人民政府", "government"), ("某市统计局", "department"), ("某县人民政府", "government"),
            ("某区市场监督管理局", "department")]
TOPICS = ["主动公开", "依申请公开", "政府信息管理", "平台建设", "监督保障"]
VERBS = ["发布", "更新", "公开", "开展", "组织", "编制", "推送", "解读"]
OBJECTS = ["政策文件", "工作动态", "通知公告", "专题培训", "政策解读", "便民信息", "财政预决算", "重点领域信息"]
UNITS = ["条", "篇", "场", "次", "期", "人次"]


def _report(year: int, agency: str, body: str) -> Report:
    data = report_to_data(SAMPLE)
    data.update(year=year, agency=agency, body_type=body)
    data["narrative"] = {}
    return load_report(data)


@st.composite
def bullet(draw: st.DrawFn) -> str:
    verb, obj, unit = draw(st.sampled_from(VERBS)), draw(st.sampled_from(OBJECTS)), draw(st.sampled_from(UNITS))
    n = draw(st.integers(min_value=11, max_value=9999))
    style = draw(st.sampled_from(["plain", "ascii", "quoted", "spaced"]))
    if style == "ascii":
        return f"{verb}{obj}{n}{unit},持续提升公开质量;做到应公开尽公开"
    if style == "quoted":
        return f'通过"{obj}"栏目{verb}信息 {n} {unit}'
    if style == "spaced":
        return f"全年{verb}{obj} {n} {unit}。"
    return f"{verb}{obj}{n}{unit}"


@st.composite
def notes_case(draw: st.DrawFn) -> tuple[str, Report]:
    year = draw(st.integers(min_value=2021, max_value=2030))
    agency, body = draw(st.sampled_from(AGENCIES))
    short = agency.removesuffix("人民政府")
    lines = ["# 总体情况", f"- {year}年，{short}坚持以人民为中心，全面推进政务公开"]
    for topic in draw(st.lists(st.sampled_from(TOPICS), min_size=1, max_size=5, unique=True)):
        lines.append(f"## {topic}")
        lines += [f"- {b}" for b in draw(st.lists(bullet(), min_size=1, max_size=3, unique=True))]
    problems = draw(st.lists(st.sampled_from(OBJECTS), min_size=1, max_size=3, unique=True))
    lines.append("# 存在问题")
    lines += [f"- {p}公开的及时性有待提高" for p in problems]
    lines.append("# 改进情况")
    lines += [f"- 建立{p}公开台账，定期督促" for p in problems]
    lines += ["# 其他需要报告的事项", "- 本年度未收取信息处理费"]
    return "\n".join(lines) + "\n", _report(year, agency, body)


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"[。；\n]", text) if len(s) >= 6]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(notes_case())
def test_offline_prose_for_generated_notes(case: tuple[str, Report]) -> None:
    text, report = case
    notes = parse_notes(text)
    year = f"{report.year}年"
    for part in PARTS:
        draft = draft_offline(part, notes, report)
        said = _sentences(draft)
        assert len(said) == len(set(said)), (part, draft)  # no repeated sentence
        assert draft.count(report.agency) <= 1 and draft.count(year) <= 1, (part, draft)
        assert '"' not in draft and "'" not in draft and "**" not in draft and not re.search(r"^#", draft, re.M)
        assert not re.search(r"[\u4e00-\u9fff][,;:]|[,;:][\u4e00-\u9fff]", draft), draft  # Chinese punctuation
        assert [f for f in guard_text(part, draft, notes, report) if f.rule == "G1"] == [], draft
        for note in notes.bullets.get(part, []):  # every note fact present
            if part == "overview":
                fact = strip_subject(formal(note), report) if note in notes.general else (drop_restated([note], report) or [""])[0]
            elif part == "other_matters":
                fact = formal(note)
            else:
                fact = formal(note)
            for clause in re.split(r"[，；]", fact):  # each clause of it, once (a repeated clause is said once)
                assert clause in draft, (part, clause, draft)


def test_the_township_notes_of_the_issue_read_as_one_opening() -> None:
    report = _report(2025, "青山县白云镇人民政府", "government")
    notes = parse_notes("# 总体情况\n- 2025年，白云镇坚持以习近平新时代中国特色社会主义思想为指导，扎实推进政务公开\n"
                        "## 依申请公开\n- 共收到政府信息公开申请3件，全年收到申请3件\n")
    overview = draft_offline("overview", notes, report)
    opening = overview.splitlines()[0]
    assert "2025年，青山县白云镇人民政府坚持以习近平" in opening
    assert overview.count("2025年") == 1 and "人民政府2025年" not in overview and "，白云镇坚持" not in overview
    # The table sentence states 收到3件; the notes' restatements of the same figure are merged into it.
    assert overview.count("申请3件") == 1, overview


def test_ascii_quotes_and_punctuation_are_normalised() -> None:
    notes = parse_notes('# 存在问题\n- 对"放管服"改革的解读不够深入,形式单一;更新不及时\n')
    text = draft_offline("problems", notes, SAMPLE)
    assert text == "一是对“放管服”改革的解读不够深入，形式单一；更新不及时。"


def test_improvements_answer_the_problems_they_pair_with() -> None:
    notes = parse_notes("# 存在问题\n- 解读形式单一\n- 更新不够及时\n# 改进情况\n- 丰富图解、视频等解读形式\n- 建立更新台账\n")
    text = draft_offline("improvements", notes, SAMPLE)
    assert text == "一是针对解读形式单一的问题，丰富图解、视频等解读形式；二是针对更新不够及时的问题，建立更新台账。"


def _offline(part: str, instruction: str, notes_text: str | None = None) -> tuple[str, str, str | None]:
    notes = parse_notes(notes_text or (ROOT / "assistant" / "samples" / "sample_notes.md").read_text("utf-8"))
    drafter = Drafter(load_settings(offline=True))
    plain = drafter.draft_part(part, notes, SAMPLE).text
    result = drafter.draft_part(part, notes, SAMPLE, instruction=instruction)
    return plain, result.text, result.notice


def test_more_concise_drops_the_opening_and_merges_sentences() -> None:
    plain, concise, notice = _offline("overview", "更简洁")
    assert plain.startswith("为保障公民、法人和其他组织依法获取政府信息") and not concise.startswith("为保障")
    assert len(concise) < len(plain) and concise.count("。") < plain.count("。")
    assert notice is not None and "已按“更简洁”" in notice


def test_emphasis_puts_the_topic_first() -> None:
    plain, moved, notice = _offline("problems", "突出信息公开业务")
    assert moved.startswith("一是信息公开业务工作水平有待提升") and moved != plain
    assert notice is not None and "调到最前面" in notice
    _, overview, _ = _offline("overview", "突出平台建设")
    assert overview.splitlines()[1].startswith("（一）政府信息公开平台建设")


def test_other_instructions_are_declined_in_words() -> None:
    plain, text, notice = _offline("problems", "写得更生动一些")
    assert text == plain and notice is not None and "离线起草无法按“写得更生动一些”改写" in notice
    _, _, notice = _offline("problems", "突出疫情防控")
    assert notice is not None and "没有关于“疫情防控”的内容" in notice


def test_an_offline_rewrite_works_on_the_text_as_it_stands() -> None:
    """更简洁 / 突出X shorten or reorder the current text, the clerk's hand edits included — not a fresh draft."""
    notes = parse_notes((ROOT / "assistant" / "samples" / "sample_notes.md").read_text("utf-8"))
    drafter = Drafter(load_settings(offline=True))
    edited = "一是手工补写的问题说明。二是信息公开业务工作水平有待提升。"
    moved = drafter.draft_part("problems", notes, SAMPLE, instruction="突出信息公开业务", previous_text=edited)
    assert moved.text.startswith("一是信息公开业务工作水平有待提升") and "手工补写的问题说明" in moved.text
    kept = drafter.draft_part("problems", notes, SAMPLE, instruction="写得更生动一些", previous_text=edited)
    assert kept.text == edited and kept.notice is not None and "内容未变" in kept.notice
