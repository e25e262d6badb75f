"""Read one document from bytes: decoding, markdown and HTML clean-up, portal page headers.

Each reader returns a :class:`ParsedDocument`: the clean ``text`` (what every offset in policytext refers to), the
``raw`` decoded text, and the metadata the file itself carries (YAML front matter, a portal page's header block,
HTML ``<meta>`` tags). Folder traversal, manifests and path patterns live in :mod:`policytext.corpus`.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from .errors import DecodeError

__all__ = [
    "ParsedDocument",
    "decode_bytes",
    "normalize_newlines",
    "split_front_matter",
    "clean_markdown",
    "clean_plain_text",
    "parse_portal_header",
    "html_to_text",
    "read_document",
]


@dataclass
class ParsedDocument:
    """A decoded document: clean text, raw text and the metadata found inside the file."""

    text: str
    raw: str
    metadata: dict = field(default_factory=dict)
    encoding: str = "utf-8"


# --------------------------------------------------------------------------- decoding

_MAGIC = {
    b"%PDF": "PDF",
    b"PK\x03\x04": "ZIP/Office (docx, xlsx)",
    b"\xd0\xcf\x11\xe0": "legacy Office (doc, xls)",
    b"\x89PNG": "PNG image",
    b"\xff\xd8\xff": "JPEG image",
    b"GIF8": "GIF image",
    b"\x1f\x8b": "gzip archive",
}


def decode_bytes(data: bytes, encoding: str | None = None, name: str = "<bytes>") -> tuple[str, str]:
    """Decode ``data`` and return ``(text, encoding)``.

    UTF-8 (with or without BOM), UTF-16 with BOM and GB18030 (a superset of GBK and GB2312) are detected. Binary
    data (PDF, Office, images, NUL bytes) raises :class:`~policytext.errors.DecodeError`.

    >>> decode_bytes("依法行政".encode("gbk"))
    ('依法行政', 'gb18030')
    >>> decode_bytes(b"\\xef\\xbb\\xbf\\xe6\\xb3\\x95")
    ('法', 'utf-8-sig')
    """
    if encoding is not None:
        try:
            return data.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError) as exc:
            raise DecodeError(
                f"{name}: cannot decode with encoding={encoding!r} ({exc}). Pass encoding=None to auto-detect "
                "UTF-8/UTF-16/GB18030."
            ) from None
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    for magic, kind in _MAGIC.items():
        if data.startswith(magic):
            raise DecodeError(f"{name}: binary file ({kind}), not text. Convert it to .txt or .html first.")
    if b"\x00" in data[:8192]:
        raise DecodeError(f"{name}: binary file (contains NUL bytes), not text.")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        raise DecodeError(
            f"{name}: bytes are neither UTF-8, UTF-16 nor GB18030/GBK. Re-save the file as UTF-8 or pass "
            "encoding=... to load_corpus."
        ) from None
    return text, "gb18030"


_RARE_NEWLINES = "\u2028\u2029\x0b\x0c\x85"
_NEWLINES = re.compile(r"\r\n?|[\u2028\u2029\x0b\x0c\x85]")


def normalize_newlines(text: str) -> str:
    """Turn CRLF, CR and Unicode line separators into ``\\n``."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if any(c in text for c in _RARE_NEWLINES):  # str.__contains__ is much faster than a regex scan
        text = _NEWLINES.sub("\n", text)
    return text


# --------------------------------------------------------------------------- front matter and markdown

_FRONT_MATTER = re.compile(r"\A\ufeff?-{3,}[ \t]*\n(.*?)\n(?:-{3,}|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
_FM_KEY = re.compile(r"^[A-Za-z_\u4e00-\u9fff][\w\u4e00-\u9fff-]*$")


_SIMPLE_FM_LINE = re.compile(r"([A-Za-z_\u4e00-\u9fff][\w\u4e00-\u9fff-]*):[ \t]*([^\s\[{'\"|>&*!%@`#][^#]*?)?[ \t]*")


def _simple_front_matter(block: str) -> dict | None:
    """Parse ``key: value`` lines without YAML features quickly; None when the block needs a YAML parser."""
    meta: dict = {}
    for line in block.split("\n"):
        if not line.strip():
            continue
        m = _SIMPLE_FM_LINE.fullmatch(line)
        if not m:
            return None
        value = m.group(2) or ""
        meta[m.group(1)] = int(value) if value.isdigit() and len(value) < 10 else value
    return meta


def split_front_matter(text: str) -> tuple[dict, str]:
    """Split YAML front matter (``---`` … ``---`` at the top) from the body.

    >>> split_front_matter("---\\ntitle: 政府工作报告\\nyear: 2023\\n---\\n正文")
    ({'title': '政府工作报告', 'year': 2023}, '正文')
    """
    m = _FRONT_MATTER.match(text)
    if not m:
        return {}, text
    block = m.group(1)
    meta = _simple_front_matter(block)
    if meta is None:
        try:
            import yaml

            meta = yaml.safe_load(block)
        except Exception:  # malformed YAML: fall back to simple key: value lines
            meta = None
    if not isinstance(meta, dict):
        meta = {}
        for line in block.splitlines():
            key, sep, value = line.partition(":")
            if sep and _FM_KEY.match(key.strip()):
                meta[key.strip()] = value.strip()
    meta = {str(k): v for k, v in meta.items() if _FM_KEY.match(str(k))}
    return meta, text[m.end() :]


_MD_BLOCK_RULES = [
    (re.compile(r"<details>.*?</details>", re.S | re.I), "\n"),  # collapsed tables of contents
    (re.compile(r"<!--.*?-->", re.S), ""),
    (re.compile(r"!\[[^\]]*\]\([^)]*\)"), ""),  # images
    (re.compile(r"\[([^\]]*)\]\([^)]*\)"), r"\1"),  # links -> their text
    (re.compile(r"<br\s*/?>", re.I), "\n"),
    (re.compile(r"</?[a-zA-Z][^<>]*>"), ""),  # other tags
]
_MD_HEADING = re.compile(r"#{1,6}[ \t]*")
_MD_RULE_LINE = re.compile(r"(?:-{3,}|\*{3,}|_{3,}|(?:[-*_][ \t]*){3,})")
_MD_TABLE_SEP = re.compile(r"\|?[ \t:|-]*-{3,}[ \t:|-]*")
_MD_EMPHASIS = re.compile(r"\*\*|__|~~|`")
_STRIP = " \t\u3000\xa0\u2002\u2003\ufeff"


def _markdown_lines(text: str):
    for line in text.split("\n"):
        s = line.strip(_STRIP)
        if not s:
            continue
        c = s[0]
        if c == "#":
            s = _MD_HEADING.sub("", s, count=1)
        elif c == ">":
            s = s.lstrip("> \t")
        elif c in "-*+_":
            if _MD_RULE_LINE.fullmatch(s):
                continue
            if len(s) > 1 and s[1] in " \t" and c != "_":
                s = s[2:].lstrip()
        elif c == "|" or s.endswith("|"):
            if _MD_TABLE_SEP.fullmatch(s):
                continue
            cells = [cell.strip(_STRIP) for cell in s.strip("|").split("|")]
            for cell in cells:
                if cell:
                    yield _MD_EMPHASIS.sub("", cell)
            continue
        if "*" in s or "_" in s or "`" in s or "~" in s:
            s = _MD_EMPHASIS.sub("", s)
        yield s


def clean_markdown(text: str) -> str:
    """Remove markdown and HTML residue, keeping the words.

    Headings lose their ``#``, emphasis markers and tags go, images disappear, links keep their text, table rows
    become one line per cell and ``<details>`` blocks (tables of contents) are dropped.

    >>> clean_markdown("## 一、总体要求\\n**坚持**[依法行政](http://x)。![](a.jpg)")
    '一、总体要求\\n坚持依法行政。'
    """
    for rx, repl in _MD_BLOCK_RULES:
        text = rx.sub(repl, text)
    if "&" in text:
        text = html.unescape(text)
    return clean_plain_text("\n".join(_markdown_lines(text)))


_INVISIBLE_CHARS = "\u200b\u200c\u200d\u2060\ufeff\x7f" + "".join(map(chr, range(0, 9))) + "".join(map(chr, range(14, 32)))
_INVISIBLE = re.compile(f"[{re.escape(_INVISIBLE_CHARS)}]")


def clean_plain_text(text: str) -> str:
    """Normalize newlines, drop invisible characters, indentation and blank lines (one paragraph per line).

    >>> clean_plain_text("\\u3000\\u3000第一段。\\r\\n\\r\\n  第二段。  ")
    '第一段。\\n第二段。'
    """
    text = normalize_newlines(text)
    if any(c in text for c in _INVISIBLE_CHARS):
        text = _INVISIBLE.sub("", text)
    if "\xa0" in text:
        text = text.replace("\xa0", " ")
    return "\n".join(s for s in (line.strip(_STRIP) for line in text.split("\n")) if s)


# --------------------------------------------------------------------------- portal pages

# Labels of the information-disclosure header block (政府信息公开) found on government portal pages, and the
# metadata field each one fills.
PORTAL_LABELS = {
    "文件名称": "title",
    "索引号": "index_no",
    "公开目录": "category",
    "主题分类": "category",
    "信息分类": "category",
    "公开责任部门": "publisher",
    "发布机构": "publisher",
    "发文机关": "publisher",
    "公开形式": "disclosure",
    "文号": "doc_no",
    "发文字号": "doc_no",
    "成文日期": "written_date",
    "发文日期": "written_date",
    "公开日期": "published_date",
    "发布日期": "published_date",
    "有效性": "validity",
}
_LABEL_RE = re.compile(
    r"(?:^|(?<=[ \t\u3000]))(" + "|".join(sorted(map(re.escape, PORTAL_LABELS), key=len, reverse=True)) + r")[ \t\u3000]*[:：]?[ \t\u3000]*"
)
_BREADCRUMB = re.compile(r"^[ \t\u3000]*(?:您的位置|您所在的位置|当前位置|所在位置|您现在的位置)[ \t]*[:：]?(.*)$")
_RESIDUE = re.compile(
    r"^[ \t\u3000【\[]*(?:字体|字号|打印|关闭|分享到|扫一扫|浏览次数|阅读次数|访问次数|来源[:：].{0,30}(?:浏览|点击)|"
    r"【大】|大\s*中\s*小|收藏|返回顶部|上一篇|下一篇)[^。]{0,40}$"
)
_DATE = re.compile(r"((?:19|20)\d{2})[-/.年]\s*(\d{1,2})[-/.月]\s*(\d{1,2})日?")


def _iso_date(value: str) -> str | None:
    m = _DATE.search(value or "")
    if not m:
        return None
    y, mo, d = (int(g) for g in m.groups())
    if not (1 <= mo <= 12 and 1 <= d <= 31):
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}"


def _parse_label_line(line: str) -> dict:
    found = list(_LABEL_RE.finditer(line))
    out: dict = {}
    for i, m in enumerate(found):
        end = found[i + 1].start() if i + 1 < len(found) else len(line)
        value = line[m.end() : end].strip(" \t\u3000:：")
        key = PORTAL_LABELS[m.group(1)]
        if value and key not in out:
            out[key] = value
    return out


def parse_portal_header(text: str, max_lines: int = 40) -> tuple[dict, str]:
    """Extract the breadcrumb and the disclosure header block of a page saved from a government portal.

    The breadcrumb line (您的位置:…) and the header block (文件名称, 索引号, 公开目录, 公开责任部门, 公开形式, 文号,
    成文日期, 公开日期, 有效性) become metadata and are removed from the body, together with the title line when it
    repeats the header's title and with page residue such as 【字体：大 中 小】 or 打印本页. Dates become ISO strings.
    Text without a header is returned unchanged with empty metadata.

    Returns
    -------
    (metadata, body) : tuple of dict and str
        Keys that can appear: ``breadcrumb``, ``site``, ``title``, ``index_no``, ``category``, ``publisher``,
        ``disclosure``, ``doc_no``, ``written_date``, ``published_date``, ``validity``.

    Examples
    --------
    >>> meta, body = parse_portal_header(
    ...     "您的位置:汉滨区人民政府 > 政府法制\\n标题行\\n文件名称 标题行\\n索引号 /2024-01 公开目录: 政府法制\\n"
    ...     "文号 成文日期: 2024年04月02日\\n正文。")
    >>> meta["site"], meta["title"], meta["written_date"], body
    ('汉滨区人民政府', '标题行', '2024-04-02', '正文。')
    """
    lines = text.split("\n")
    meta: dict = {}
    drop: set[int] = set()
    header_lines: list[int] = []
    for i, line in enumerate(lines[:max_lines]):
        m = _BREADCRUMB.match(line)
        if m and "breadcrumb" not in meta:
            crumbs = [c.strip() for c in re.split(r"[>＞»→]|&gt;", m.group(1)) if c.strip()]
            meta["breadcrumb"] = " > ".join(crumbs)
            if crumbs:
                meta["site"] = crumbs[0]
            drop.add(i)
            continue
        stripped = line.strip(" \t\u3000")
        lm = _LABEL_RE.match(stripped)
        if lm and (len(stripped) < 120):
            fields = _parse_label_line(stripped)
            # a body sentence can start with a label word (文号管理…); a header line has several labels or one
            # short value without sentence punctuation
            single_ok = len(stripped) < 50 and not any(p in stripped for p in "。，,；")
            if fields and (len(_LABEL_RE.findall(stripped)) > 1 or single_ok):
                header_lines.append(i)
                for k, v in fields.items():
                    meta.setdefault(k, v)
                continue
        if _RESIDUE.match(line) and len(stripped) < 60:
            drop.add(i)
    if not header_lines and "breadcrumb" not in meta:
        return {}, text
    drop.update(header_lines)
    title = meta.get("title")
    last_header = max(header_lines) if header_lines else max(drop)
    for i, line in enumerate(lines[: last_header + 3]):
        if title and line.strip(" \t\u3000") == title and i not in drop:
            drop.add(i)
    for key in ("written_date", "published_date"):
        if key in meta:
            iso = _iso_date(meta[key])
            if iso:
                meta[key] = iso
    body = "\n".join(line for i, line in enumerate(lines) if i not in drop)
    return meta, body


# --------------------------------------------------------------------------- HTML

_SKIP_TAGS = {"script", "style", "noscript", "nav", "header", "footer", "aside", "form", "select", "iframe",
              "button", "svg", "template", "head"}
_BLOCK_TAGS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section", "article",
               "ul", "ol", "dd", "dt", "blockquote", "pre", "td", "th", "hr", "title"}
_CONTENT_HINTS = re.compile(r"TRS_Editor|TRS_UEDITOR|\bzoom\b|article[-_]?con|artic|\bcontent\b|conTxt|"
                            r"\bmain[-_]?text|news[-_]?con|detail|zwnr|pages_content|view TRS", re.I)
_META_KEYS = {
    "articletitle": "title",
    "pubdate": "published_date",
    "firstpublishedtime": "published_date",
    "contentsource": "publisher",
    "sitename": "site",
    "columnname": "category",
    "keywords": "keywords",
    "description": "description",
}
_VOID = {"br", "hr", "img", "meta", "link", "input", "area", "base", "col", "embed", "source", "wbr"}


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip_depth = 0
        self.meta: dict = {}
        self.title_parts: list[str] = []
        self.in_title = False
        # content container: (depth at which it opened, start index into parts)
        self.depth = 0
        self.content_start: int | None = None
        self.content_depth: int | None = None
        self.content_spans: list[tuple[int, int]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta":
            key = (attrs.get("name") or attrs.get("property") or "").lower()
            if key in _META_KEYS and attrs.get("content"):
                self.meta.setdefault(_META_KEYS[key], attrs["content"].strip())
            return
        if tag == "title":
            self.in_title = True
        if tag in _SKIP_TAGS:
            self.skip_depth += 1
            return
        if tag in _VOID:
            if tag in _BLOCK_TAGS:
                self.parts.append("\n")
            return
        self.depth += 1
        if self.content_depth is None and self.skip_depth == 0:
            marker = " ".join(str(attrs.get(a) or "") for a in ("class", "id"))
            if marker and _CONTENT_HINTS.search(marker):
                self.content_depth = self.depth
                self.content_start = len(self.parts)
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag == "title":
            self.in_title = False
        if tag in _SKIP_TAGS:
            self.skip_depth = max(0, self.skip_depth - 1)
            return
        if tag in _VOID:
            return
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")
        if self.content_depth is not None and self.depth == self.content_depth:
            self.content_spans.append((self.content_start or 0, len(self.parts)))
            self.content_depth = None
        self.depth = max(0, self.depth - 1)

    def handle_data(self, data):
        if self.in_title:
            self.title_parts.append(data)
        if self.skip_depth:
            return
        self.parts.append(data)


def html_to_text(markup: str) -> tuple[str, dict]:
    """Visible text of an HTML page and the metadata of its ``<meta>`` tags.

    Scripts, styles, navigation, headers, footers and forms are dropped. When the page has an article container
    used by government content systems (``TRS_Editor``, ``zoom``, ``article-content`` …) and it holds most of the
    text, only that container is kept, which removes menus and link lists around it.

    >>> html_to_text("<html><head><title>T</title><script>x()</script></head>"
    ...              "<body><nav>首页</nav><p>依法行政。</p></body></html>")
    ('依法行政。', {'html_title': 'T'})
    """
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    meta = dict(parser.meta)
    title = "".join(parser.title_parts).strip()
    if title:
        meta["html_title"] = title
    full = "".join(parser.parts)
    best = ""
    for a, b in parser.content_spans:
        candidate = "".join(parser.parts[a:b])
        if len(candidate.strip()) > len(best.strip()):
            best = candidate
    han = re.compile(r"[\u4e00-\u9fff]")
    text = full
    if best and len(han.findall(best)) >= 0.3 * max(1, len(han.findall(full))):
        text = best
    return clean_plain_text(text), meta


# --------------------------------------------------------------------------- one document

_TITLE_WORDS = re.compile(r"报告|总结|纲要|规划|计划|方案|意见|通知|决定|办法|要点|公报|讲话")


def _looks_like_title(line: str) -> bool:
    """A first line that names the document (汉滨区2023年度法治政府建设工作总结), not a sentence or a heading."""
    return (
        4 <= len(line) <= 60
        and line[-1] not in "。！？；，,;：:"
        and _TITLE_WORDS.search(line) is not None
        and not re.match(r"[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[）)]|\d+[.、．]", line)
    )


_HTML_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_-]+)""", re.I)


def read_document(data: bytes, kind: str, name: str = "<bytes>", encoding: str | None = None) -> ParsedDocument:
    """Decode and clean one document.

    Parameters
    ----------
    data : bytes
        The file's bytes.
    kind : {"txt", "md", "html"}
        The format (from the file extension).
    name : str
        Used in error messages.
    encoding : str, optional
        Force an encoding instead of auto-detection.
    """
    if kind == "html" and encoding is None:
        m = _HTML_CHARSET.search(data[:4096])
        declared = m.group(1).decode("ascii", "ignore").lower() if m else None
        try:
            raw, used = decode_bytes(data, None, name)
        except DecodeError:
            if not declared:
                raise
            raw, used = decode_bytes(data, declared, name)
    else:
        raw, used = decode_bytes(data, encoding, name)
    raw = normalize_newlines(raw)
    meta: dict = {}
    if kind == "html":
        body, meta = html_to_text(raw)
    elif kind == "md":
        meta, body = split_front_matter(raw)
        body = clean_markdown(body)
    else:
        fm, body = split_front_matter(raw)
        meta.update(fm)
        body = clean_plain_text(body)
    portal, body = parse_portal_header(body)
    for k, v in portal.items():
        meta.setdefault(k, v)
    if not meta.get("title"):
        first = body.split("\n", 1)[0]
        if _looks_like_title(first):
            meta["title"] = first
    return ParsedDocument(text=body, raw=raw, metadata=meta, encoding=used)
