"""Parse the raw text of a Chinese Party/government regulation into Measure → Article → Item.

The rules are genre-level (they hold for regulations as published by Party and government bodies, as web pages,
PDF extractions or Markdown), never fitted to one sentence of one file:

* an article starts on a line ``第X条`` (optionally after Markdown ``#``), and only when X is the previous article's
  number + 1 (the first must be 1), so references to articles at the start of a line cannot open articles;
* ``第X编`` / ``第X章`` / ``第X节`` lines are structural headings (checked for sequence in the same way);
* items are paragraphs starting with ``（一）`` / ``(一)`` numbered 1, 2, 3 … in order;
* everything before 第一条 is front matter (forwarding notice, source line, preamble), everything after the last
  article from the first footer line on (Copyright, 备案号, 相关专题, bullets, a signature and date …) is back
  matter; the metadata (title, number, date, issuers, effective date) are read from them.

Offsets (``start``/``end``) are offsets into the raw text as decoded (after dropping a leading BOM).
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from fzqa.types import Article, Item, Measure

__all__ = [
    "ORG_WORDS",
    "REGULATION_WORDS",
    "CorpusError",
    "clean",
    "cn_number",
    "cn_numeral",
    "duplicate_articles",
    "parse_file",
    "parse_text",
    "read_text",
    "to_json",
]

# Words an issuing body's name ends with (signature lines, 来源 fields, "X、Y发布" lines).
ORG_WORDS: tuple[str, ...] = (
    "办公厅",
    "办公室",
    "委员会",
    "人民政府",
    "政府",
    "国务院",
    "中共中央",
    "党委",
    "省委",
    "市委",
    "县委",
    "区委",
    "党组",
    "部",
    "厅",
    "局",
    "会议",  # 中国共产党第十八届中央委员会第六次全体会议 (通过)
    "大会",
    # the same in traditional script
    "辦公廳",
    "委員會",
    "黨委",
    "黨組",
    "廳",
)
# Words a regulation's title ends with.
REGULATION_WORDS: tuple[str, ...] = (
    "办法",
    "条例",
    "规定",
    "准则",
    "细则",
    "规则",
    "意见",
    "决定",
    "纲要",
    "制度",
    # the same in traditional script
    "辦法",
    "條例",
    "規定",
    "準則",
    "細則",
    "規則",
    "意見",
    "決定",
    "綱要",
)


def visible(text: str) -> str:
    """The text as a reader sees it: invisible characters (zero-width, bidi controls, soft hyphen, BOM: every
    Unicode format character) and lone surrogates dropped, then NFKC. Pasted text then reads as typed text."""
    return unicodedata.normalize("NFKC", "".join(c for c in text if unicodedata.category(c) not in ("Cf", "Cs")))


class CorpusError(Exception):
    """A raw file that cannot be parsed: the message names the file, the line and what was expected."""


# --------------------------------------------------------------------------------------------------- numbers

_CN_DIGITS: dict[str, int] = {
    "零": 0,
    "〇": 0,
    "○": 0,
    "Ｏ": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "兩": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_UNITS: dict[str, int] = {"十": 10, "百": 100, "千": 1000}
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


# a provision cited by its number (the citation syntax of Chinese legal texts and its English rendering): 第六条,
# 第六条第（五）项, 第六条（五）, 第6条第5项, 第6条5项; in short, an article with its item: 5条5项, 六条三项 (an article
# alone needs its 第: 三条意见 counts opinions); Article 7, art. 6(2), Article 6, item 2, Article 5, item (3)
_CN_NUM = "零〇一二两三四五六七八九十百0-9"
_CITE_ZH = re.compile(
    rf"第([{_CN_NUM}]+)条(?:第?[(（]([{_CN_NUM}]+)[)）]项?|第?([{_CN_NUM}]+)[项款])?"
    rf"|(?<![{_CN_NUM}第])([{_CN_NUM}]+)条第?([{_CN_NUM}]+)[项款]"
)
_CITE_EN = re.compile(
    r"\bart(?:icle)?s?\.?\s*(\d+)(?:\s*\((\d+)\)|,?\s*(?:item|point|sub-?item|clause)\s*\(?(\d+)\)?)?", re.IGNORECASE
)
# the item first: item 6 of article 7 (groups: item, article)
_CITE_EN_ITEM_FIRST = re.compile(
    r"\b(?:item|point|sub-?item|clause)\s*\(?(\d+)\)?\s+(?:of|in)\s+(?:the\s+)?art(?:icle)?\.?\s*(\d+)", re.IGNORECASE
)


@dataclass(frozen=True)
class ProvisionRef:
    article: int
    item: int | None
    start: int  # offsets into the NFKC-normalised text
    end: int


def provision_refs(text: str) -> list[ProvisionRef]:
    """The provisions a text cites by number, in text order (offsets into its NFKC form): 第六条第（五）项 → 6, 5;
    第九条 → 9; Article 6, item 2 → 6, 2. 第一责任人 cites nothing."""
    t = unicodedata.normalize("NFKC", text)
    out: list[ProvisionRef] = []
    item_first = list(_CITE_EN_ITEM_FIRST.finditer(t))
    taken = [m.span() for m in item_first]
    found = [m for m in (*_CITE_ZH.finditer(t), *_CITE_EN.finditer(t)) if not any(s <= m.start() < e for s, e in taken)]
    for m in sorted((*found, *item_first), key=lambda m: m.start()):
        groups = [g for g in m.groups() if g]
        if m.re is _CITE_EN_ITEM_FIRST:
            groups.reverse()
        try:
            out.append(ProvisionRef(cn_number(groups[0]), cn_number(groups[1]) if len(groups) > 1 else None, *m.span()))
        except ValueError:
            continue
    return out


def cn_number(s: str) -> int:
    """Chinese or Arabic numerals → int (一百四十二→142, 十二→12, 两→2, 二〇一八→2018, ４２→42).

    A run of digit characters without units (二〇一八) is read digit by digit. Raises ValueError on anything else.
    """
    t = s.strip().translate(_FULLWIDTH_DIGITS)
    if not t:
        raise ValueError(f"not a number: {s!r}")
    if t.isascii() and t.isdigit():
        return int(t)
    if all(ch in _CN_DIGITS for ch in t):
        if len(t) == 1:
            return _CN_DIGITS[t]
        if t[0] in "两兩":
            raise ValueError(f"not a number: {s!r}")
        return int("".join(str(_CN_DIGITS[ch]) for ch in t))
    total = 0  # completed 万 groups
    section = 0  # value below 万
    digit: int | None = None
    last_unit = 10_000  # units must decrease inside a section
    zero_pending = False
    for ch in t:
        if ch in _CN_DIGITS:
            value = _CN_DIGITS[ch]
            if value == 0:
                if digit is not None:
                    raise ValueError(f"not a number: {s!r}")
                zero_pending = True
                continue
            if digit is not None:
                raise ValueError(f"not a number: {s!r}")
            digit, zero_pending = value, False
        elif ch in _CN_UNITS:
            unit = _CN_UNITS[ch]
            if unit >= last_unit or zero_pending:
                raise ValueError(f"not a number: {s!r}")
            if digit is None:
                if unit != 10:  # 十二 = 12 and 一百十 = 110, but 百 alone is junk
                    raise ValueError(f"not a number: {s!r}")
                digit = 1
            section += digit * unit
            digit = None
            last_unit = unit
        elif ch in "万萬":
            if digit is not None:
                section += digit
                digit = None
            if section == 0 or total:
                raise ValueError(f"not a number: {s!r}")
            total = section * 10_000
            section = 0
            last_unit = 10_000
            zero_pending = False
        else:
            raise ValueError(f"not a number: {s!r}")
    if digit is not None:
        section += digit
    elif zero_pending and not (section or total):
        raise ValueError(f"not a number: {s!r}")
    return total + section


# --------------------------------------------------------------------------------------------------- reading


def _decode(data: bytes, name: str) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = exc.start
        line = data[:offset].count(b"\n") + 1
        raise CorpusError(
            f"{name}: line {line}, byte offset {offset}: invalid UTF-8 byte 0x{data[offset]:02x} "
            f"(expected a UTF-8 text file)"
        ) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    _check_not_blank(text, name)
    return text


def _check_not_blank(text: str, name: str) -> None:
    if not text:
        raise CorpusError(f"{name}: line 1: empty file (expected the text of a regulation)")
    if not text.strip():
        lines = text.count("\n") + 1
        raise CorpusError(f"{name}: line 1-{lines}: only whitespace (expected the text of a regulation)")


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise CorpusError(f"{path}: line 0: cannot read the file ({exc.strerror or exc})") from None


def read_text(path: Path) -> str:
    """Read a raw file as strict UTF-8 (a leading BOM is dropped); CorpusError on bad bytes or an empty file."""
    path = Path(path)
    return _decode(_read_bytes(path), str(path))


# --------------------------------------------------------------------------------------------------- cleaning

# Structural markers and numerals are read in simplified and traditional script (條 節 編 兩 萬); only they are
# normalised (the kind of a heading, the value of a number): the text itself keeps its own characters.
_NUM = r"[零〇○一二两兩三四五六七八九十百千万萬0-9０-９]+"
_TRADITIONAL_KIND = {"條": "条", "編": "编", "節": "节"}
# Characters after 第X条 / 第X章 that show a reference rather than a heading (第三条、第四条 / 第五条第二款 / 第六条的).
_NOT_HEADING_NEXT = r"(?![、，,和及或至到之第的中所规規])"
_ART_RE = re.compile(rf"^\s*(?:#+\s*)?(第({_NUM})[条條]){_NOT_HEADING_NEXT}\s*")
_STRUCT_RE = re.compile(rf"^\s*(?:#+\s*)?第({_NUM})([编編章节節]){_NOT_HEADING_NEXT}\s*(.*?)\s*$")
_ITEM_RE = re.compile(r"^\s*[（(]\s*([零〇一二两兩三四五六七八九十百]+)\s*[）)]\s*")
_MD_HEADING_RE = re.compile(r"^\s*#{1,6}(?:\s|$)")
_HTML_COMMENT_RE = re.compile(r"^\s*<!--.*-->\s*$")

_TERMINATORS = "。；;！!？?：:…"
_CLOSERS = "”’」』）)》〉】］]\"'"
# Wide characters: CJK ideographs, CJK symbols and punctuation, full-width forms, curly quotes, dashes.
_WIDE = "\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\ufe30-\ufe4f\uff00-\uffef\u2018\u2019\u201c\u201d\u2014\u2026\u00b7"
_HALF_PUNCT = r"()\[\]<>,.;:!?\"'"
_SPACE_BETWEEN_RE = re.compile(rf"(?<=[{_WIDE}]) (?=[{_WIDE}{_HALF_PUNCT}])|(?<=[{_HALF_PUNCT}]) (?=[{_WIDE}])")


def _ends_sentence(line: str) -> bool:
    t = line.rstrip().rstrip(_CLOSERS)
    return bool(t) and t[-1] in _TERMINATORS


def _starts_block(line: str) -> bool:
    """A line that always starts a new paragraph: an item marker or an article heading."""
    return bool(_ITEM_RE.match(line) or _ART_RE.match(line))


def _squeeze(s: str) -> str:
    """Collapse whitespace to one space, then drop spaces next to CJK characters."""
    return _SPACE_BETWEEN_RE.sub("", re.sub(r"\s+", " ", s)).strip()


def _join(a: str, b: str) -> str:
    sep = " " if (a[-1].isascii() and a[-1].isalnum() and b[0].isascii() and b[0].isalnum()) else ""
    return a + sep + b


def clean(s: str) -> str:
    """Whitespace cleaning for article and item text.

    Lines broken inside a sentence (the line does not end with 。；：！？ …, possibly followed by a closing quote or
    bracket) are joined to the next non-blank line, across blank lines (page breaks); real paragraphs are kept,
    separated by one ``\\n``. Spaces between CJK characters are dropped, other whitespace runs become one space.
    Punctuation is kept as it is in the raw text.
    """
    paras: list[str] = []
    cur = ""
    for line in s.split("\n"):
        t = line.strip()
        if not t or _HTML_COMMENT_RE.match(t):
            continue
        if not cur:
            cur = t
        elif _ends_sentence(cur) or _starts_block(t):
            paras.append(cur)
            cur = t
        else:
            cur = _join(cur, t)
    if cur:
        paras.append(cur)
    return "\n".join(p for p in (_squeeze(p) for p in paras) if p)


# --------------------------------------------------------------------------------------------------- lines


@dataclass
class _Line:
    index: int
    start: int  # offset of the line's first character in the raw text
    text: str  # without the newline

    @property
    def end(self) -> int:
        return self.start + len(self.text)

    @property
    def stripped(self) -> str:
        return self.text.strip()


def _split_lines(raw: str) -> list[_Line]:
    lines: list[_Line] = []
    pos = 0
    for i, text in enumerate(raw.split("\n")):
        lines.append(_Line(i, pos, text))
        pos += len(text) + 1
    return lines


def _rstrip_end(raw: str, start: int, limit: int) -> int:
    """Offset just past the last non-blank character of raw[start:limit] (start if there is none)."""
    return start + len(raw[start:limit].rstrip())


# --------------------------------------------------------------------------------------------------- footers

_FOOTER_RE = re.compile(
    r"copyright|©|版权所有|版權所有|备案号|備案號|ICP[备证備證]|技术支持|相关专题|相关链接|相关新闻|相关阅读|责任编辑|编辑[：:]|打印本页|"
    r"关闭窗口|【打印】|【关闭】|分享到|扫一扫|上一篇|下一篇|网站地图|联系我们|主办单位|承办单位|返回顶部|"
    r"字体[：:]|发布时间[：:]|浏览次数|阅读次数|^来源[：:]",
    re.IGNORECASE,
)
_ALWAYS_FOOTER_RE = re.compile(r"copyright|©|版权所有|版權所有|ICP[备证備證]|备案号|備案號", re.IGNORECASE)
_BULLET_RE = re.compile(r"^[·•●○■□◆◇▪►▶\-*–—]\s*\S")
_ATTACHMENT_RE = re.compile(r"^附件\s*[0-9一二三四五六七八九十]*\s*[：:]?|^附\s*[：:]")


def _is_footer(line: str) -> bool:
    t = line.strip()
    if not t:
        return False
    if _ALWAYS_FOOTER_RE.search(t):
        return True
    short = len(t) <= 80 and not _ends_sentence(t)
    if short and _FOOTER_RE.search(t):
        return True
    if len(t) <= 40 and _BULLET_RE.match(t):
        return True
    return bool(_ATTACHMENT_RE.match(t)) and len(t) <= 60


# --------------------------------------------------------------------------------------------------- dates

_DATE_RES: tuple[re.Pattern[str], ...] = (
    re.compile(r"(?<!\d)(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"),
    re.compile(r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)"),
    re.compile(
        r"([〇零○一二三四五六七八九]{4})\s*年\s*([一二三四五六七八九十]{1,3})\s*月\s*([一二三四五六七八九十]{1,3})\s*日"
    ),
)
_ISSUE_VERBS_RE = re.compile(r"发布|印发|公布|通过|签发|下发|发文|發布|發佈|印發|公佈|通過|簽發|下發|發文")


def _dates(line: str) -> list[tuple[int, int, str]]:
    """(start, end, ISO date) of the valid dates in a line, in order."""
    t = line.translate(_FULLWIDTH_DIGITS)
    found: list[tuple[int, int, str]] = []
    for rx in _DATE_RES:
        for m in rx.finditer(t):
            try:
                y, mo, d = (cn_number(g) for g in m.groups())
                iso = _dt.date(y, mo, d).isoformat()
            except ValueError:
                continue
            if not any(s <= m.start() < e for s, e, _ in found):
                found.append((m.start(), m.end(), iso))
    return sorted(found)


def _is_date_only(line: str) -> bool:
    t = line.strip()
    ds = _dates(t)
    return len(ds) == 1 and ds[0][0] == 0 and not t[ds[0][1] :].strip(" ）)")


# --------------------------------------------------------------------------------------------------- metadata


def _ends_org(line: str) -> bool:
    t = line.strip()
    return bool(t) and len(t) <= 40 and t.endswith(ORG_WORDS) and not re.search(r"[，。；：:,;]", t)


def _title(front: list[str]) -> str:
    """The title from the front matter (the lines before the first article): a Markdown heading, else the last
    line ending in a regulation word (办法, 条例 …), else the first line; never a 第X条/章/节 line, so "" when the
    front matter has nothing else."""

    def heading(t: str) -> bool:
        return bool(_STRUCT_RE.match(t) or _ART_RE.match(t))

    for t in front:
        if _MD_HEADING_RE.match(t) and not heading(t):
            title = re.sub(r"\s+(?:19|20)\d{2}\s*年?$", "", t.strip().lstrip("#").strip())
            if title:
                return _squeeze(title)
    closers = re.escape(_CLOSERS)
    reg_end = re.compile(rf"(?:{'|'.join(REGULATION_WORDS)})[{closers}]?$")
    for t in reversed(front):
        s = t.strip()
        if s and len(s) <= 80 and not s.endswith("。") and reg_end.search(s) and not heading(s):
            return _squeeze(s)
    for t in front:
        s = t.strip().lstrip("#").strip()
        if s and not heading(t):
            return _squeeze(s)
    return ""


_DOCNO_RE = re.compile(r"[\u4e00-\u9fff]{1,12}\s*[〔\[【(（［]\s*(?:19|20)\d{2}\s*[〕\]】)）］]\s*第?\s*\d+\s*[号號]")
_ORDER_RE = re.compile(rf"(?:中华人民共和国)?[\u4e00-\u9fff]{{0,12}}?令\s*第\s*{_NUM}\s*[号號]")
_ORDER2_RE = re.compile(
    rf"(?:(?:中华人民共和国)?[\u4e00-\u9fff]{{0,10}}?(?:国务院|部|委员会|局|署|政府|办公厅))?第\s*{_NUM}\s*[号號]令"
)


def _blank_dates(line: str) -> str:
    """The line with its dates replaced by spaces (so that a number never starts inside a date)."""
    chars = list(line)
    for s, e, _ in _dates(line):
        chars[s:e] = " " * (e - s)
    return "".join(chars)


def _number(lines: list[str]) -> str | None:
    for rx in (_DOCNO_RE, _ORDER_RE, _ORDER2_RE):
        for t in lines:
            m = rx.search(_blank_dates(t))
            if m:
                return re.sub(r"\s+", "", m.group(0))
    return None


def _date(lines: list[str]) -> str | None:
    dated = [(t, ds[0][2]) for t in lines if (ds := _dates(t))]
    for t, iso in dated:
        if _ISSUE_VERBS_RE.search(t) and "施行" not in t:
            return iso
    for t, iso in dated:
        if "施行" not in t:
            return iso
    return dated[0][1] if dated else None


def _effective(lines: list[str]) -> str | None:
    for t in lines:
        if "施行" in t and (ds := _dates(t)):
            return ds[0][2]
    return None


_ON_ISSUE_RE = re.compile(r"自(?:发布|印发|公布|颁布)之日起(?:施行|生效)")


def _effective_in_articles(articles: Sequence[Article], issued: str | None) -> str | None:
    """The entry into force the measure's own last articles state: 本条例自2019年9月1日起施行, or 自发布之日起施行
    (the date of issue, when the text gives it)."""
    for a in reversed(articles):
        if "施行" in a.text or "生效" in a.text:
            if ds := _dates(a.text):
                return ds[0][2]
            if issued and _ON_ISSUE_RE.search(a.text):
                return issued
            return None
    return None


# 本条例由中央纪律检查委员会负责解释 / 本实施办法由自治区党委办公厅、自治区人民政府办公厅负责解释: the measure itself,
# then the body (not 具体应用中的问题由…解释, nor a 解释说明)
# or 本实施办法具体解释工作由自治区党委办公厅、自治区人民政府办公厅商有关单位承担 (the body, not whom it consults)
_MEASURE_ITSELF = r"本(?:实施)?(?:" + "|".join(REGULATION_WORDS) + r")[^。；;]{0,20}?"
_INTERPRETER_RES = (
    re.compile(_MEASURE_ITSELF + r"由\s*(?P<who>[^，。；,;:：]{2,60}?)\s*(?:负责|具体)?解释(?!说明)"),
    re.compile(
        _MEASURE_ITSELF + r"解释工作由\s*(?P<who>[^，。；,;:：]{2,60}?)\s*(?:商[^，。；,;]{1,20})?(?:负责|承担)"
    ),
)


def _interpreter(articles: Sequence[Article]) -> str | None:
    """The body a measure's own article names to interpret it, from the last article that names one."""
    for a in reversed(articles):
        for rx in _INTERPRETER_RES:
            m = rx.search(a.text)
            if m:
                return _squeeze(m.group("who"))
    return None


_SOURCE_RE = re.compile(r"来源\s*[:：]\s*([^\s|｜/]+)")
_PUBLISHED_BY_RE = re.compile(r"^\s*(.+?)\s*(?:联合|聯合)?(?:发布|印发|公布|發布|發佈|印發|公佈)")
# (2016年10月27日中国共产党第十八届中央委员会第六次全体会议通过): the body that adopted it, when no line names
# one that issued it (审议批准 is an approval, not an issue)
_ADOPTED_BY_RE = re.compile(r"^\s*(.+?(?:会议|大会|委员会))\s*(?:审议)?(?:通过|通過)")


def _issuers(lines: list[str]) -> tuple[str, ...]:
    # 1. a signature block: consecutive short lines ending in an organisation word just above a date line
    for i, t in enumerate(lines):
        if not _dates(t):
            continue
        block: list[str] = []
        j = i - 1
        while j >= 0 and (not lines[j].strip() or _ends_org(lines[j])):
            if lines[j].strip():
                block.append(_squeeze(lines[j]))
            elif block:
                break
            j -= 1
        if block:
            return tuple(reversed(block))
    # 2. a 来源 field of a web page's source line
    for t in lines:
        m = _SOURCE_RE.search(t)
        if m and _ends_org(m.group(1)):
            return (m.group(1),)
    # 3. a date line naming the bodies before 发布/印发/公布, else (4.) the meeting that adopted it (…全体会议通过)
    for rx in (_PUBLISHED_BY_RE, _ADOPTED_BY_RE):
        names = _date_line_issuers(lines, rx)
        if names:
            return names
    return ()


def _date_line_issuers(lines: list[str], rx: re.Pattern[str]) -> tuple[str, ...]:
    """The bodies a date line names before the verb ``rx`` matches (2022年2月25日 中共中央、国务院发布)."""
    for t in lines:
        ds = _dates(t)
        if not ds:
            continue
        m = rx.match(t[ds[0][1] :])
        if not m:
            continue
        seg = _squeeze(m.group(1))
        order = re.match(r"(.+?)令\s*第", seg)
        if order:
            seg = order.group(1)
        names: list[str] = []
        for part in (x.strip() for x in re.split(r"[、，,；;]", seg)):
            subs = [x.strip() for x in re.split(r"[和及与]", part)]
            if len(subs) > 1 and all(_ends_org(x) for x in subs):  # 中共中央和国务院, not 中华人民共和国国务院
                names.extend(subs)
            elif _ends_org(part):
                names.append(part)
        if names:
            return tuple(names)
    return ()


# --------------------------------------------------------------------------------------------------- parsing


@dataclass
class _OpenArticle:
    number: int
    start: int  # offset of 第
    body_start: int  # offset just past the heading and its separator
    line: int  # index of the heading line
    part: str | None
    chapter: str | None
    section: str | None
    limit: int = -1  # offset where the article's region ends (next heading, footer or end of text)


@dataclass
class _Structure:
    part: str | None = None
    chapter: str | None = None
    section: str | None = None
    last_part: int = 0
    last_chapter: int = 0
    last_section: int = 0
    part_since_chapter: bool = False
    seen_article: bool = False
    consumed: set[int] = field(default_factory=set)

    def accept(self, kind: str, n: int, heading: str) -> bool:
        """Record a 编/章/节 heading if its number follows the sequence (any heading before 第一条 is accepted,
        so that a table of contents cannot block the real headings)."""
        free = not self.seen_article
        if kind == "编":
            if not (free or n == self.last_part + 1):
                return False
            self.part, self.chapter, self.section = heading, None, None
            self.last_part, self.last_section, self.part_since_chapter = n, 0, True
        elif kind == "章":
            if not (free or n == self.last_chapter + 1 or (n == 1 and self.part_since_chapter)):
                return False
            self.chapter, self.section = heading, None
            self.last_chapter, self.last_section, self.part_since_chapter = n, 0, False
        else:
            if not (free or n == self.last_section + 1):
                return False
            self.section, self.last_section = heading, n
        return True


def _struct_heading(lines: list[_Line], i: int) -> tuple[str, int, str, int | None] | None:
    """(kind, number, normalised heading, index of a title line below it) for a 第X编/章/节 line, else None."""
    m = _STRUCT_RE.match(lines[i].text)
    if not m:
        return None
    try:
        n = cn_number(m.group(1))
    except ValueError:
        return None
    rest = _squeeze(m.group(3))
    if len(rest) > 40 or (rest and rest[-1] in "。；;，,：:"):
        return None
    kind = _TRADITIONAL_KIND.get(m.group(2), m.group(2))
    base = f"第{m.group(1)}{m.group(2)}"  # as written (第一節 stays 第一節)
    title_line: int | None = None
    if not rest:
        # the title may be on the next non-blank line ("第一章" / "总则")
        for j in range(i + 1, min(i + 4, len(lines))):
            t = lines[j].stripped
            if not t:
                continue
            if len(t) <= 20 and not _ends_sentence(t) and not _starts_block(t) and not _STRUCT_RE.match(t):
                rest, title_line = _squeeze(t), j
            break
    return kind, n, f"{base} {rest}" if rest else base, title_line


def _paragraphs(raw: str, start: int, end: int) -> list[tuple[int, int, bool]]:
    """Logical paragraphs of raw[start:end] as (start, end, starts with an item marker); a line broken inside a
    sentence continues its paragraph, an item marker always starts one."""
    paras: list[list[int]] = []  # [start, end]
    markers: list[bool] = []
    last_text = ""
    pos = start
    for piece in raw[start:end].split("\n"):
        t = piece.strip()
        if t and not _HTML_COMMENT_RE.match(t):
            s = pos + (len(piece) - len(piece.lstrip()))
            e = pos + len(piece.rstrip())
            is_marker = bool(_ITEM_RE.match(t))
            if not paras or _ends_sentence(last_text) or is_marker or _ART_RE.match(t):
                paras.append([s, e])
                markers.append(is_marker)
            else:
                paras[-1][1] = e
            last_text = t
        pos += len(piece) + 1
    return [(p[0], p[1], mk) for p, mk in zip(paras, markers, strict=True)]


def _items(raw: str, body_start: int, body_end: int) -> tuple[Item, ...]:
    """The enumerated items of an article body.

    Items are the marker paragraphs numbered 1, 2, 3 … in order. A paragraph without a marker between two items
    belongs to the item before it; paragraphs after the last item are article-level text. When the numbering
    breaks (a second list restarting at （一）, as in 中国共产党问责条例 第七条, or a skipped number) only the first
    list is kept as items, so that item numbers stay unique and in order; the rest remains in the article's text.
    """
    paras = _paragraphs(raw, body_start, body_end)
    found: list[tuple[int, int]] = []  # (paragraph index, number)
    for k, (s, _e, is_marker) in enumerate(paras):
        if not is_marker:
            continue
        m = _ITEM_RE.match(raw[s:_e])
        try:
            n = cn_number(m.group(1)) if m else -1
        except ValueError:
            n = -1
        if n == len(found) + 1:
            found.append((k, n))
        elif found:
            break
    items: list[Item] = []
    for idx, (k, n) in enumerate(found):
        last = found[idx + 1][0] - 1 if idx + 1 < len(found) else k
        s, e = paras[k][0], paras[last][1]
        m = _ITEM_RE.match(raw[s:e])
        text_start = s + m.end() if m else s
        items.append(Item(number=n, text=clean(raw[text_start:e]), start=s, end=e))
    return tuple(items)


def _starts_paragraph(lines: list[_Line], i: int) -> bool:
    """Line i begins a paragraph: the line before it (blank lines skipped) ends a sentence or is a heading."""
    for j in range(i - 1, -1, -1):
        t = lines[j].stripped
        if not t or _HTML_COMMENT_RE.match(t):
            continue
        bare_article = (m := _ART_RE.match(t)) is not None and not t[m.end() :].strip()
        return _ends_sentence(t) or bool(_STRUCT_RE.match(t) or _MD_HEADING_RE.match(t)) or bare_article
    return True


def _is_article_heading(lines: list[_Line], i: int, m: re.Match[str], n: int, expected: int) -> bool:
    """A 第X条 line opens an article when X is the number expected next; a line with another number does only
    when it is set out as a heading (第X条 followed by a space or the end of the line, at the start of a
    paragraph, or anywhere before the first article), so that a reference wrapped to the start of a line
    (…依照\n第五条 规定) stays text. Such an article is kept, and its number reported (a duplicate, a gap, or
    out of order)."""
    if n == expected:
        return True
    if n < 1:
        return False
    after = lines[i].text[m.end(1) :]
    return (not after or after[0].isspace()) and (expected == 1 or _starts_paragraph(lines, i))


def _numbering_warnings(name: str, articles: list[Article]) -> list[str]:
    """Articles that are missing (a gap in the numbers) or out of order, in document order; duplicates are in
    :func:`duplicate_articles`."""
    out: list[str] = []
    first_line: dict[int, int] = {}
    highest = 0
    for a in articles:
        if a.number in first_line:
            continue
        first_line[a.number] = a.line
        if a.number < highest:
            out.append(
                f"{name}:{a.line}: 第{cn_numeral(a.number)}条 (article {a.number}) comes after "
                f"第{cn_numeral(highest)}条 (article {highest}): the articles are out of order"
            )
        highest = max(highest, a.number)
    n = 1
    while n <= highest:
        if n in first_line:
            n += 1
            continue
        gap_end = n
        while gap_end + 1 not in first_line:
            gap_end += 1
        missing = f"article {n}" if gap_end == n else f"articles {n}-{gap_end}"
        nxt = gap_end + 1
        out.append(
            f"{name}:{first_line[nxt]}: {missing} missing: no 第{cn_numeral(n)}条"
            + (f" … 第{cn_numeral(gap_end)}条" if gap_end > n else "")
            + f" before 第{cn_numeral(nxt)}条 (article {nxt})"
        )
        n = nxt
    return out


def duplicate_articles(m: Measure) -> list[str]:
    """One message per article number that occurs more than once, naming file:line of every occurrence.

    Provision IRIs and citations are keyed by (measure, article number), so a measure with a duplicated number
    cannot go into the graph; the parser keeps both articles (in document order) and reports it."""
    name = m.source or m.id
    lines: dict[int, list[int]] = {}
    for a in m.articles:
        lines.setdefault(a.number, []).append(a.line)
    return [
        f"{' and '.join(f'{name}:{ln}' for ln in where)}: 第{cn_numeral(n)}条 (article {n}) occurs "
        f"{len(where)} times; provision IRIs and citations are keyed by the article number, so each number may "
        f"occur once in a measure"
        for n, where in lines.items()
        if len(where) > 1
    ]


_TRADITIONAL_MARKERS_RE = re.compile(rf"^\s*(?:#+\s*)?第{_NUM}[條編節]", re.MULTILINE)


def parse_text(
    raw: str,
    measure_id: str,
    source: str | None = None,
    fallback_title: str | None = None,
    fallback_date: str | None = None,
) -> Measure:
    """Parse the raw text of a regulation (no articles is not an error: the Measure has zero articles).

    What the parser notices is in ``Measure.warnings`` (file:line …): article numbers that are duplicated, missing
    or out of order (all articles are kept, in document order), no title line (the title is then
    ``fallback_title``, e.g. the catalogue's, else the file name; never an article line), no date (then
    ``fallback_date``), traditional script."""
    name = source or measure_id
    if raw.startswith("\ufeff"):
        raw = " " + raw[1:]  # a BOM left in place: read it as a space, so that offsets stay those of the caller
    _check_not_blank(raw, name)
    lines = _split_lines(raw)
    struct = _Structure()
    opened: list[_OpenArticle] = []
    current: _OpenArticle | None = None

    def close(limit: int) -> None:
        nonlocal current
        if current is not None:
            current.limit = limit
            current = None

    for line in lines:
        if line.index in struct.consumed:
            continue
        m = _ART_RE.match(line.text)
        if m:
            try:
                n = cn_number(m.group(2))
            except ValueError:
                n = -1
            if _is_article_heading(lines, line.index, m, n, opened[-1].number + 1 if opened else 1):
                close(line.start)
                current = _OpenArticle(
                    number=n,
                    start=line.start + m.start(1),
                    body_start=line.start + m.end(),
                    line=line.index,
                    part=struct.part,
                    chapter=struct.chapter,
                    section=struct.section,
                )
                opened.append(current)
                struct.seen_article = True
                continue
        sh = _struct_heading(lines, line.index)
        if sh is not None:
            kind, n, heading, title_line = sh
            if struct.accept(kind, n, heading):
                close(line.start)
                if title_line is not None:
                    struct.consumed.add(title_line)
                continue
        if _MD_HEADING_RE.match(line.text):
            close(line.start)  # a non-structural heading is not article text
    close(len(raw))

    # back matter: from the first footer line (or attachment, or signature and date) after the last article
    back_start = len(raw)
    if opened:
        last = opened[-1]
        for line in lines[last.line + 1 :]:
            if line.start >= last.limit:
                break
            if _is_footer(line.text):
                back_start = line.start
                break
            if _is_date_only(line.text):
                back_start = line.start
                j = line.index - 1
                while j > last.line and (not lines[j].stripped or _ends_org(lines[j].text)):
                    if lines[j].stripped:
                        back_start = lines[j].start
                    j -= 1
                break
        last.limit = min(last.limit, back_start)

    articles: list[Article] = []
    for a in opened:
        end = _rstrip_end(raw, a.start, a.limit)
        body_start = min(a.body_start, end)
        text = clean(raw[body_start:end])
        items = _items(raw, body_start, end)
        lead = clean(raw[body_start : items[0].start]) if items else text
        articles.append(
            Article(
                number=a.number,
                text=text,
                start=a.start,
                end=end,
                lead=lead,
                items=items,
                chapter=a.chapter,
                section=a.section,
                part=a.part,
                line=a.line + 1,
            )
        )

    # front matter: before 第一条; without articles, the lines before the first sentence paragraph
    if opened:
        front = [ln.text for ln in lines if ln.end <= opened[0].start]
    else:
        front = []
        for ln in lines:
            if ln.stripped.endswith("。"):
                break
            front.append(ln.text)
    back = [ln.text for ln in lines if ln.start >= back_start]
    meta_lines = [t for t in front if not _HTML_COMMENT_RE.match(t)]
    measure = Measure(id=measure_id, title="", articles=tuple(articles), source=source)
    warnings = [*duplicate_articles(measure), *_numbering_warnings(name, articles)]
    first_line = articles[0].line if articles else 1
    title = _title(meta_lines)
    if not title:
        stem = Path(source).stem if source else measure_id
        title = fallback_title or stem
        origin = "corpus/measures.toml" if fallback_title and fallback_title != stem else "the file name"
        warnings.append(
            f"{name}:{first_line}: no title line before the first article; the title is {title!r}, from {origin}"
        )
    date = _date(meta_lines) or _date(back)
    if date is None:
        date = fallback_date
        warnings.append(
            f"{name}: no date of issue or publication in the text"
            + (f"; the date is {date}, from corpus/measures.toml" if date else " (add one to corpus/measures.toml)")
        )
    if _TRADITIONAL_MARKERS_RE.search(raw):
        warnings.append(
            f"{name}: traditional script: the articles were read (第X條/節/編 as 第X条/节/编, the text kept as "
            f"written), but the norm extraction knows role names and cue words in simplified script only: convert "
            f"the file to simplified script (e.g. opencc -c t2s) before building the graph"
        )
    return dataclasses.replace(
        measure,
        title=title,
        number=_number(meta_lines) or _number(back),
        issuers=_issuers(meta_lines) or _issuers(back),
        date=date,
        effective=_effective(meta_lines) or _effective(back) or _effective_in_articles(measure.articles, date),
        interpreted_by=_interpreter(measure.articles),
        warnings=tuple(warnings),
    )


def parse_file(
    path: Path, measure_id: str | None = None, fallback_title: str | None = None, fallback_date: str | None = None
) -> Measure:
    """Read and parse a raw file; the id defaults to the file stem, ``sha256`` is that of the bytes parsed (a
    hash of exactly what was read, so that a file changed afterwards is seen as changed)."""
    path = Path(path)
    data = _read_bytes(path)
    raw = _decode(data, str(path))
    m = parse_text(raw, measure_id or path.stem, str(path), fallback_title, fallback_date)
    return dataclasses.replace(m, sha256=hashlib.sha256(data).hexdigest())


def to_json(m: Measure) -> dict[str, object]:
    """The JSON contract: title, number, date, articles [number, chapter, text, items [number, text]] plus
    id, issuers, effective, interpreted_by and, per article, part, section, start, end and, per item, start, end."""
    return {
        "id": m.id,
        "title": m.title,
        "number": m.number,
        "date": m.date,
        "effective": m.effective,
        "issuers": list(m.issuers),
        "interpreted_by": m.interpreted_by,
        "articles": [
            {
                "number": a.number,
                "part": a.part,
                "chapter": a.chapter,
                "section": a.section,
                "text": a.text,
                "start": a.start,
                "end": a.end,
                "items": [{"number": it.number, "text": it.text, "start": it.start, "end": it.end} for it in a.items],
            }
            for a in m.articles
        ],
    }


_CN_DIGIT_CHARS = "零一二三四五六七八九"


def cn_numeral(n: int) -> str:
    """An integer as Chinese numerals, the inverse of :func:`cn_number` (6 → 六, 12 → 十二, 142 → 一百四十二)."""
    if n < 0:
        raise ValueError(f"no Chinese numeral for {n}")
    if n < 10:
        return _CN_DIGIT_CHARS[n]
    if n < 20:
        return "十" + (_CN_DIGIT_CHARS[n % 10] if n % 10 else "")
    out = ""
    for value, unit in ((10000, "万"), (1000, "千"), (100, "百"), (10, "十")):
        if n >= value:
            out += cn_numeral(n // value) + unit if value == 10000 else _CN_DIGIT_CHARS[n // value] + unit
            n %= value
            if 0 < n < value // 10:
                out += "零"
    return out + (_CN_DIGIT_CHARS[n] if n else "")
