"""The corpus parser, on the real files: the two measures of the project and five more regulations."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from fzqa.corpus import CorpusError, clean, cn_number, parse_file, parse_text, read_text, to_json
from fzqa.types import Article, Measure

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
EXTRA = ROOT / "tests" / "data" / "corpus-extra"

GUANGXI = CORPUS / "guangxi-2018.txt"
GUIZHOU = CORPUS / "guizhou-2020.txt"
ACCOUNTABILITY = EXTRA / "central-2016-ccp-accountability-regulation.txt"
INNER_PARTY = EXTRA / "central-2016-inner-party-political-life-norms.txt"
DISCIPLINARY = EXTRA / "central-2018-ccp-disciplinary-regulation.txt"
DECISION = EXTRA / "central-2019-major-administrative-decision-procedure.txt"
PETITION = EXTRA / "central-2022-petition-work-regulation.txt"

ARTICLE_COUNTS = {
    GUANGXI: 12,
    GUIZHOU: 12,
    ACCOUNTABILITY: 13,
    INNER_PARTY: 0,  # a 准则 written in numbered sections (一、…), not in articles
    DISCIPLINARY: 142,
    DECISION: 44,
    PETITION: 50,
}
ITEM_COUNTS = {
    ACCOUNTABILITY: {6: 6, 7: 3},  # art. 7 has a second list restarting at （一）: only the first is kept as items
    DECISION: {3: 5, 10: 3, 17: 3, 27: 3, 29: 6, 36: 3},
    PETITION: {5: 5, 8: 3, 11: 7, 14: 7, 22: 3, 26: 6, 31: 6, 32: 3, 41: 4, 42: 4, 44: 3, 45: 4, 46: 7},
}
_CACHE: dict[Path, Measure] = {}


def parsed(path: Path) -> Measure:
    if path not in _CACHE:
        _CACHE[path] = parse_file(path)
    return _CACHE[path]


def art(m: Measure, n: int) -> Article:
    (a,) = [a for a in m.articles if a.number == n]
    return a


# ------------------------------------------------------------------------------------------- counts and offsets


@pytest.mark.parametrize("path", list(ARTICLE_COUNTS), ids=lambda p: p.stem)
def test_article_counts_and_sequence(path: Path) -> None:
    m = parsed(path)
    assert len(m.articles) == ARTICLE_COUNTS[path]
    assert [a.number for a in m.articles] == list(range(1, len(m.articles) + 1))
    assert m.id == path.stem
    assert m.source == str(path)
    assert len(m.sha256) == 64


@pytest.mark.parametrize("path", list(ARTICLE_COUNTS), ids=lambda p: p.stem)
def test_offsets_cover_the_text(path: Path) -> None:
    raw = read_text(path)
    m = parsed(path)
    previous_end = 0
    for a in m.articles:
        assert a.text, a.number
        assert raw[a.start] == "第" and not raw[a.end - 1].isspace()
        assert a.start >= previous_end
        previous_end = a.end
        assert a.text in clean(raw[a.start : a.end])
        assert a.lead and a.text.startswith(a.lead)
        if not a.items:
            assert a.lead == a.text
        for it in a.items:
            assert a.start < it.start < it.end <= a.end
            assert it.text and it.text in clean(raw[it.start : it.end])
            assert it.text in a.text
            assert raw[it.start] in "（("
        assert [it.number for it in a.items] == list(range(1, len(a.items) + 1))


@pytest.mark.parametrize("path", [GUANGXI, GUIZHOU])
def test_item_counts_of_the_two_measures(path: Path) -> None:
    m = parsed(path)
    expected = {5: 6, 6: 6}
    if path == GUIZHOU:
        expected[9] = 5
    assert {a.number: len(a.items) for a in m.articles if a.items} == expected


@pytest.mark.parametrize("path", list(ITEM_COUNTS), ids=lambda p: p.stem)
def test_item_counts_of_extras(path: Path) -> None:
    assert {a.number: len(a.items) for a in parsed(path).articles if a.items} == ITEM_COUNTS[path]


def test_disciplinary_items_total() -> None:
    m = parsed(DISCIPLINARY)
    assert sum(len(a.items) for a in m.articles) == 91
    assert len(art(m, 4).items) == 5


# ------------------------------------------------------------------------------------------- words


def test_guangxi_words() -> None:
    m = parsed(GUANGXI)
    assert art(m, 1).text.startswith("为深入贯彻落实党中央和自治区关于全面推进法治建设的部署要求")
    assert art(m, 2).text == "本实施办法适用于全区县级以上党委和政府主要负责人。"
    assert art(m, 12).text == "本实施办法自印发之日起施行。"
    a5 = art(m, 5)
    assert a5.lead == "党委主要负责人在推进法治建设中应具体履行以下主要职责："
    assert a5.items[0].text.startswith("充分发挥党委在推进本地法治建设中的领导核心作用")
    # the half-width (四) (五) (六) markers are items like the full-width （一）（二）（三）
    assert a5.items[3].text.startswith("支持本级人大、政府、政协、法院、检察院")
    assert a5.items[5].text.startswith("深入推进法治宣传教育")
    assert art(m, 6).items[0].text.startswith("加强对本地法治政府建设的组织领导")
    # punctuation is kept as in the raw text
    assert "“谁执法谁普法”" in art(m, 6).items[5].text


def test_guangxi_page_break_is_joined() -> None:
    a4 = art(parsed(GUANGXI), 4)
    assert "推动本地贯彻落实党中央" in a4.text
    assert "\n" not in a4.text


def test_guizhou_words() -> None:
    m = parsed(GUIZHOU)
    assert art(m, 1).text.startswith("为贯彻落实习近平总书记全面依法治国新理念新思想新战略")
    assert art(m, 5).lead == "党委主要负责人在推进法治建设中应当履行以下主要职责:"
    assert art(m, 5).items[0].text.startswith("充分发挥党委在推进本地区法治建设中的领导核心作用。")
    assert art(m, 9).lead.startswith("党政主要负责人不履行或者不正确履行")
    assert art(m, 9).items[4].text == "其他应予以问责的失职失责情形。"
    assert art(m, 12).text == "本办法自发布之日起施行。"


def test_extra_words() -> None:
    acc = parsed(ACCOUNTABILITY)
    assert "重要讲话精神" in art(acc, 2).text  # the space between two CJK characters is dropped
    a7 = art(acc, 7)
    assert [it.text[:2] for it in a7.items] == ["检查", "通报", "改组"]
    assert "对党的领导干部的问责方式包括：" in a7.text and "纪律处分。" in a7.text
    assert a7.text.endswith("上述问责方式，可以单独使用，也可以合并使用。")
    assert art(acc, 4).text.endswith("重点是主要负责人。")  # a second paragraph stays in its article
    dec = parsed(DECISION)
    a3 = art(dec, 3)
    assert a3.items[-1].text.endswith("其他重大事项。")
    assert "法律、行政法规" not in a3.items[-1].text  # the paragraph after the last item is article text
    assert "法律、行政法规对本条第一款规定事项的决策程序另有规定的" in a3.text
    assert art(parsed(PETITION), 50).text == "本条例自2022年5月1日起施行。"


def test_articles_past_one_hundred() -> None:
    m = parsed(DISCIPLINARY)
    assert art(m, 100).text.startswith("在分配、购买住房中侵犯国家、集体利益")
    assert art(m, 142).text == "本条例自2018年10月1日起施行。"
    assert art(m, 111).number == 111


# ------------------------------------------------------------------------------------------- structure


def test_disciplinary_parts_and_chapters() -> None:
    m = parsed(DISCIPLINARY)
    a1 = art(m, 1)
    assert (a1.part, a1.chapter, a1.section) == ("第一编 总则", "第一章 指导思想、原则和适用范围", None)
    assert (art(m, 44).part, art(m, 44).chapter) == ("第二编 分则", "第六章 对违反政治纪律行为的处分")
    assert art(m, 138).chapter == "第十一章 对违反生活纪律行为的处分"
    # a new part resets the chapter
    assert (art(m, 139).part, art(m, 139).chapter) == ("第三编 附则", None)
    assert len({a.chapter for a in m.articles if a.chapter}) == 11


def test_decision_chapters_and_sections() -> None:
    m = parsed(DECISION)
    assert (art(m, 1).chapter, art(m, 1).section, art(m, 1).part) == ("第一章 总则", None, None)
    assert (art(m, 10).chapter, art(m, 10).section) == ("第二章 决策草案的形成", "第一节 决策启动")
    assert art(m, 22).section == "第四节 风险评估"
    assert (art(m, 25).chapter, art(m, 25).section) == ("第三章 合法性审查和集体讨论决定", "第一节 合法性审查")
    # a new chapter resets the section
    assert (art(m, 34).chapter, art(m, 34).section) == ("第四章 决策执行和调整", None)
    assert art(m, 44).chapter == "第六章 附则"
    assert "##" not in "".join(a.text for a in m.articles)


# ------------------------------------------------------------------------------------------- leaks


LEAKS = (
    "来源",
    "Copyright",
    "相关专题",
    "综合新闻",
    "备案号",
    "现印发给你们",
    "此件公开发布",
    "桂办发",
    "习近平总书记在中央全面依法治国委员会第一次会议上",
    "INFO END",
    "第一章",
    "阅读",
)


@pytest.mark.parametrize("path", list(ARTICLE_COUNTS), ids=lambda p: p.stem)
def test_no_front_or_back_matter_leaks(path: Path) -> None:
    for a in parsed(path).articles:
        for leak in LEAKS:
            assert leak not in a.text, (a.number, leak)


def test_guizhou_last_article_is_cut_before_the_footer() -> None:
    raw = read_text(GUIZHOU)
    last = parsed(GUIZHOU).articles[-1]
    assert raw[last.start : last.end] == "第十二条\n\n本办法自发布之日起施行。"


# ------------------------------------------------------------------------------------------- metadata


def test_metadata_of_the_two_measures() -> None:
    gx = parsed(GUANGXI)
    assert gx.title == "广西贯彻《党政主要负责人履行推进法治建设第一责任人职责规定》实施办法"
    assert gx.number == "桂办发〔2018〕1号"
    assert gx.date == "2018-01-09"
    assert gx.issuers == ("中共广西壮族自治区委员会办公厅", "广西壮族自治区人民政府办公厅")
    assert gx.effective == "2018-01-09"  # art. 12: 自印发之日起施行, so the date of issue
    gz = parsed(GUIZHOU)
    assert gz.title == "贵州省贯彻落实《党政主要负责人履行推进法治建设第一责任人职责规定》实施办法"
    assert gz.number is None
    assert gz.date == "2020-09-09"
    assert gz.issuers == ("中共贵州省委办公厅",)
    assert gz.effective == "2020-09-09"  # art. 12: 自发布之日起施行, so the date of publication


def test_metadata_of_extras() -> None:
    dec = parsed(DECISION)
    assert dec.title == "重大行政决策程序暂行条例"
    assert dec.number == "中华人民共和国国务院令第713号"  # the full form, as the text says it
    assert dec.date == "2019-04-20"
    assert dec.effective == "2019-09-01"
    assert dec.issuers == ("中华人民共和国国务院",)
    pet = parsed(PETITION)
    assert pet.title == "信访工作条例"
    assert pet.date == "2022-02-25"  # the date it was published (发布), not the date it was approved
    assert pet.issuers == ("中共中央", "国务院")
    assert pet.number is None
    assert pet.effective == "2022-05-01"  # from the last article: 本条例自2022年5月1日起施行
    dis = parsed(DISCIPLINARY)
    assert dis.title == "中国共产党纪律处分条例"  # the trailing " 2018" of the Markdown title is dropped
    assert (dis.number, dis.date, dis.issuers) == (None, None, ())
    assert dis.effective == "2018-10-01"  # 第一百四十二条 本条例自2018年10月1日起施行
    inner = parsed(INNER_PARTY)
    assert inner.title == "关于新形势下党内政治生活的若干准则"
    assert inner.date == "2016-10-27"
    assert parsed(ACCOUNTABILITY).title == "中国共产党问责条例"
    assert parsed(ACCOUNTABILITY).effective == "2016-07-08"  # art. 13, the last
    assert inner.effective is None  # no articles, and its header names no entry into force
    # (2016年10月27日中国共产党第十八届中央委员会第六次全体会议通过): the plenum that adopted it
    assert inner.issuers == ("中国共产党第十八届中央委员会第六次全体会议",)
    # the body each one's own article names to interpret it (本条例由…负责解释); none where no article does
    assert pet.interpreted_by == "国家信访局"  # 第四十九条
    assert dis.interpreted_by == "中央纪律检查委员会"  # 第一百四十一条
    assert parsed(ACCOUNTABILITY).interpreted_by == "中央纪律检查委员会"  # 第十二条
    assert dec.interpreted_by is None and inner.interpreted_by is None
    # no line names the accountability regulation's issuer or date of issue: none is made up
    assert (parsed(ACCOUNTABILITY).issuers, parsed(ACCOUNTABILITY).date) == ((), None)


def test_interpreting_body_of_the_two_measures() -> None:
    # 本实施办法具体解释工作由自治区党委办公厅、自治区人民政府办公厅商有关单位承担: the body, not whom it consults
    assert parsed(GUANGXI).interpreted_by == "自治区党委办公厅、自治区人民政府办公厅"
    assert parsed(GUIZHOU).interpreted_by == "省委依法治省办"  # 本办法具体解释工作由省委依法治省办承担


def test_no_articles_is_not_an_error() -> None:
    m = parsed(INNER_PARTY)
    assert m.articles == ()
    assert to_json(m)["articles"] == []


def test_to_json_contract() -> None:
    data = to_json(parsed(GUANGXI))
    assert {"title", "number", "date", "articles"} <= set(data)
    assert set(data) <= {"title", "number", "date", "articles", "id", "issuers", "effective", "interpreted_by"}
    articles = data["articles"]
    assert isinstance(articles, list) and len(articles) == 12
    a5 = articles[4]
    assert set(a5) == {"number", "chapter", "text", "items", "part", "section", "start", "end"}
    assert a5["number"] == 5 and len(a5["items"]) == 6
    assert set(a5["items"][0]) == {"number", "text", "start", "end"}
    assert data["issuers"] == ["中共广西壮族自治区委员会办公厅", "广西壮族自治区人民政府办公厅"]


def test_parsing_is_deterministic() -> None:
    for path in (GUANGXI, GUIZHOU, DECISION):
        assert parse_file(path) == parse_file(path)
        assert to_json(parse_file(path)) == to_json(parse_file(path))


# ------------------------------------------------------------------------------------------- numbers and cleaning


@pytest.mark.parametrize(
    ("s", "n"),
    [
        ("一百四十二", 142),
        ("十二", 12),
        ("十", 10),
        ("二十", 20),
        ("一百零五", 105),
        ("一千零五十", 1050),
        ("两", 2),
        ("二〇一八", 2018),
        ("二零二二", 2022),
        ("零", 0),
        ("〇", 0),
        ("４２", 42),
        ("713", 713),
        ("一万二千", 12000),
    ],
)
def test_cn_number(s: str, n: int) -> None:
    assert cn_number(s) == n


@pytest.mark.parametrize("s", ["", " ", "abc", "百", "十百", "一十十", "二〇一八年", "第一"])
def test_cn_number_junk(s: str) -> None:
    with pytest.raises(ValueError):
        cn_number(s)


def test_clean() -> None:
    assert clean("推动\n\n本地贯彻") == "推动本地贯彻"
    assert clean("  重要讲话 精神 ") == "重要讲话精神"
    assert clean("第一句。\n\n第二句。") == "第一句。\n第二句。"
    assert clean("包括\n(一)甲；\n（二）乙。") == "包括\n(一)甲；\n（二）乙。"
    assert clean("本条例(以下简称决策事项),包括:") == "本条例(以下简称决策事项),包括:"  # half-width kept
    assert clean("Copyright 2016\nICP") == "Copyright 2016 ICP"


# ------------------------------------------------------------------------------------------- general rules


def test_heading_forms_and_stray_lines() -> None:
    raw = (
        "# 某某办法\n\n"
        "第1条 甲。\n"
        "第二条乙，依照\n"
        "第一条规定执行，并依照\n"  # a reference at the start of a line: not a heading (wrong number, and 规)
        "第五条 办理。\n"  # out of sequence and inside a sentence: not a heading
        "## 第一章 附则\n"
        "第三条\n\n丁。\n"
    )
    m = parse_text(raw, "x")
    assert [a.number for a in m.articles] == [1, 2, 3]
    assert m.articles[1].text == "乙，依照第一条规定执行，并依照\n第五条办理。"
    assert m.articles[2].chapter == "第一章 附则" and m.articles[1].chapter is None
    assert m.articles[2].text == "丁。"
    assert m.title == "某某办法"
    assert [a.line for a in m.articles] == [3, 4, 8]
    assert not [w for w in m.warnings if "article" in w]


def test_signature_and_attachment_are_back_matter() -> None:
    raw = (
        "某某市人民政府\n关于印发某某规定的通知\n\n"
        "某府发〔2021〕7号\n\n"
        "某某规定\n\n"
        "第一条 甲。\n\n第二条 本规定自2021年3月1日起施行。\n\n"
        "某某市人民政府办公室\n2021年2月1日\n\n附件：名单\n"
    )
    m = parse_text(raw, "x")
    assert [a.text for a in m.articles] == ["甲。", "本规定自2021年3月1日起施行。"]
    assert m.title == "某某规定"
    assert m.number == "某府发〔2021〕7号"
    assert m.date == "2021-02-01"  # from the back matter, the front matter has no date
    assert m.issuers == ("某某市人民政府办公室",)


def test_chinese_dates_and_bracket_forms() -> None:
    m = parse_text("某某条例\n国办发[2019]5号\n二〇一八年一月九日\n第一条 甲。\n", "x")
    assert (m.number, m.date) == ("国办发[2019]5号", "2018-01-09")


# ------------------------------------------------------------------------------------------- bad inputs


def test_empty_file(tmp_path: Path) -> None:
    p = tmp_path / "empty.txt"
    p.write_bytes(b"")
    with pytest.raises(CorpusError, match=r"empty\.txt: line 1: empty file"):
        parse_file(p)
    with pytest.raises(CorpusError, match="empty"):
        read_text(p)


def test_whitespace_only_file(tmp_path: Path) -> None:
    p = tmp_path / "blank.txt"
    p.write_text(" \n\u3000\n\t\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=r"blank\.txt: line 1-4: only whitespace"):
        parse_file(p)
    with pytest.raises(CorpusError):
        parse_text("  \n ", "x")


def test_non_utf8_file(tmp_path: Path) -> None:
    p = tmp_path / "gbk.txt"
    p.write_bytes("第一条 甲。\n".encode() + "第二条 乙。".encode("gbk"))
    with pytest.raises(CorpusError) as exc:
        parse_file(p)
    msg = str(exc.value)
    assert "gbk.txt" in msg and "line 2" in msg and "byte offset 17" in msg and "UTF-8" in msg


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match=r"missing\.txt"):
        parse_file(tmp_path / "missing.txt")


def test_bom_is_dropped(tmp_path: Path) -> None:
    p = tmp_path / "bom.txt"
    p.write_bytes("\ufeff某某办法\n第一条 甲。\n".encode())
    assert read_text(p).startswith("某某办法")
    m = parse_file(p)
    assert m.id == "bom" and m.title == "某某办法" and m.articles[0].start == 5


# ----------------------------------------------------------------------------------- numbering, script, metadata


def _write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def _line_of(text: str, needle: str, nth: int = 1) -> int:
    """1-based line of the nth line that starts with ``needle``."""
    hits = [i for i, ln in enumerate(text.split("\n"), 1) if ln.startswith(needle)]
    return hits[nth - 1]


def test_a_duplicated_article_is_kept_and_reported_with_both_lines(tmp_path: Path) -> None:
    raw = read_text(GUIZHOU)
    a3 = raw[raw.index("第三条") : raw.index("第四条")]
    text = raw.replace("第四条", a3 + "第四条", 1)  # 第三条 twice, the copy just before 第四条
    p = _write(tmp_path, "guizhou-dup.txt", text)
    m = parse_file(p)
    assert [a.number for a in m.articles] == [1, 2, 3, 3, *range(4, 13)]
    first, second = _line_of(text, "第三条"), _line_of(text, "第三条", 2)
    assert [a.line for a in m.articles if a.number == 3] == [first, second]
    assert m.articles[2].text == m.articles[3].text  # not glued into one article
    (dup,) = [w for w in m.warnings if "occurs" in w]
    assert f"{p}:{first} and {p}:{second}" in dup and "第三条 (article 3) occurs 2 times" in dup


def test_articles_out_of_order_and_gaps_are_kept_in_document_order(tmp_path: Path) -> None:
    text = "某某办法\n（2021年5月1日印发）\n\n第一条 甲。\n\n第三条 丙。\n\n第二条 乙。\n\n第四条 丁。\n\n第七条 庚。\n"
    p = _write(tmp_path, "order.txt", text)
    m = parse_file(p)
    assert [a.number for a in m.articles] == [1, 3, 2, 4, 7]
    assert [a.text for a in m.articles] == ["甲。", "丙。", "乙。", "丁。", "庚。"]
    assert m.warnings == (
        f"{p}:8: 第二条 (article 2) comes after 第三条 (article 3): the articles are out of order",
        f"{p}:12: articles 5-6 missing: no 第五条 … 第六条 before 第七条 (article 7)",
    )
    assert m.title == "某某办法" and m.date == "2021-05-01"


def test_a_measure_that_starts_past_article_one_reports_the_missing_ones(tmp_path: Path) -> None:
    p = _write(tmp_path, "tail.txt", "某某办法\n2021年5月1日\n\n第三条 丙。\n第四条 丁。\n")
    m = parse_file(p)
    assert [a.number for a in m.articles] == [3, 4]
    assert m.warnings == (f"{p}:4: articles 1-2 missing: no 第一条 … 第二条 before 第三条 (article 3)",)


def test_a_reference_wrapped_to_the_start_of_a_line_stays_text(tmp_path: Path) -> None:
    p = _write(
        tmp_path, "wrap.txt", "某某办法\n2021年5月1日\n第一条 甲。\n第二条 违反本办法\n第五条 规定的，予以处理。\n"
    )
    m = parse_file(p)
    assert [a.number for a in m.articles] == [1, 2]
    assert m.articles[1].text == "违反本办法\n第五条规定的，予以处理。"
    assert m.warnings == ()


HANT = """# 某某省實施辦法條例

（2021年3月1日印發）

第一編 總則

第一章 一般規定

第一條 為了規範管理，制定本條例。

第二條 本條例所稱「負責人」，是指下列人員：
（一）黨委主要負責人；
（二）政府主要負責人。

第二章 職責

第一節 年度職責

第三條 政府主要負責人每年至少兩次聽取匯報。

第二編 附則

第四條 本條例自發布之日起施行。
"""


def test_traditional_script_is_read_and_kept_as_written(tmp_path: Path) -> None:
    p = _write(tmp_path, "hant.txt", HANT)
    m = parse_file(p)
    assert [(a.number, len(a.items)) for a in m.articles] == [(1, 0), (2, 2), (3, 0), (4, 0)]
    a1, a2, a3, a4 = m.articles
    assert (a1.part, a1.chapter, a1.section) == ("第一編 總則", "第一章 一般規定", None)
    assert (a3.chapter, a3.section) == ("第二章 職責", "第一節 年度職責")
    assert (a4.part, a4.chapter) == ("第二編 附則", None)
    assert a2.text.startswith("本條例所稱「負責人」，是指下列人員：")  # the quote in its own characters
    assert [it.text for it in a2.items] == ["黨委主要負責人；", "政府主要負責人。"]
    assert a3.text == "政府主要負責人每年至少兩次聽取匯報。"
    assert m.title == "某某省實施辦法條例" and m.date == "2021-03-01"
    assert any("traditional script" in w and "t2s" in w for w in m.warnings)


def test_a_seed_with_traditional_article_headings_parses_as_the_seed() -> None:
    raw = read_text(GUIZHOU)
    hant = re.sub(r"(?m)^(第[一二三四五六七八九十]+)条", r"\1條", raw)
    assert hant.count("條") == 12
    m, seed = parse_text(hant, "guizhou-2020"), parsed(GUIZHOU)
    assert [(a.number, a.text, [it.text for it in a.items]) for a in m.articles] == [
        (a.number, a.text, [it.text for it in a.items]) for a in seed.articles
    ]
    assert m.title == seed.title


@pytest.mark.parametrize(("numeral", "n"), [("兩", 2), ("兩百", 200), ("一萬二千", 12000), ("萬", -1)])
def test_cn_number_traditional(numeral: str, n: int) -> None:
    if n < 0:
        with pytest.raises(ValueError):
            cn_number(numeral)
    else:
        assert cn_number(numeral) == n


def test_no_title_line_falls_back_and_warns(tmp_path: Path) -> None:
    p = _write(tmp_path, "untitled-2021.txt", "第一条 为了甲，制定本办法。\n\n第二条 本办法自2021年5月1日起施行。\n")
    m = parse_file(p)
    assert m.title == "untitled-2021"  # never the article line
    assert f"{p}:1: no title line before the first article; the title is 'untitled-2021', from the file name" in (
        m.warnings
    )
    assert m.date is None and any("no date of issue or publication" in w for w in m.warnings)
    c = parse_file(p, fallback_title="某某办法", fallback_date="2021-04-01")
    assert (c.title, c.date) == ("某某办法", "2021-04-01")
    assert any("the title is '某某办法', from corpus/measures.toml" in w for w in c.warnings)
    assert any("the date is 2021-04-01, from corpus/measures.toml" in w for w in c.warnings)


def test_the_seeds_have_no_warnings() -> None:
    assert parsed(GUANGXI).warnings == () and parsed(GUIZHOU).warnings == ()
    for path in (DECISION, PETITION, INNER_PARTY):
        assert parsed(path).warnings == (), path
