"""policytext.readers: decoding, markdown/HTML clean-up and portal headers."""

from __future__ import annotations

import pytest

from policytext.errors import DecodeError
from policytext.readers import (
    clean_markdown,
    decode_bytes,
    html_to_text,
    parse_portal_header,
    read_document,
    split_front_matter,
)

TEXT = "汉滨区坚持依法行政，全年办理行政审批服务事项20.56万件。"


@pytest.mark.parametrize(
    "data,encoding",
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + TEXT.encode("utf-8"), "utf-8-sig"),
        (TEXT.encode("gbk"), "gb18030"),
        (TEXT.encode("gb18030"), "gb18030"),
        ("\ufeff".encode("utf-16-le") + TEXT.encode("utf-16-le"), "utf-16"),
    ],
)
def test_decoding_is_detected(data, encoding):
    text, used = decode_bytes(data)
    assert text.lstrip("\ufeff") == TEXT
    assert used == encoding


@pytest.mark.parametrize("data,kind", [(b"%PDF-1.7 ...", "PDF"), (b"PK\x03\x04xx", "ZIP"), (b"ab\x00cd", "NUL")])
def test_binary_files_are_refused_with_the_reason(data, kind):
    with pytest.raises(DecodeError, match=kind):
        decode_bytes(data, name="x.txt")


def test_undecodable_bytes_name_the_file_and_the_fix():
    with pytest.raises(DecodeError, match=r"bad\.txt.*encoding="):
        decode_bytes(b"\x81\x20\xff\xfe\x80" * 3, name="bad.txt")


def test_forced_encoding_error_is_clear():
    with pytest.raises(ValueError, match="cannot decode with encoding='utf-8'"):
        decode_bytes(TEXT.encode("gbk"), encoding="utf-8")


def test_front_matter_simple_and_yaml():
    meta, body = split_front_matter("---\ntitle: 2023年杭州市政府工作报告\nsource: https://x.cn/a.html\n---\n\n正文")
    assert meta == {"title": "2023年杭州市政府工作报告", "source": "https://x.cn/a.html"}
    assert body.strip() == "正文"
    meta, _ = split_front_matter("---\ntags: [法治, 政府]\nyear: 2021\n----\n正文")
    assert meta == {"tags": ["法治", "政府"], "year": 2021}
    assert split_front_matter("没有元数据")[0] == {}


def test_markdown_residue_is_removed():
    md = (
        "# 政府工作报告\n\n<details>\n<summary>目录</summary>\n\n- 一、回顾\n</details>\n\n"
        "**一、2022年工作回顾**\n\n> 2023年2月19日\n\n![图](images/a.jpg \"专栏1\")\n"
        "- 新建学校85所\n\n| 序号 | 领域 | 任务 |\n| --- | --- | --- |\n| 1 | 交通 | 改造路口<br>优化公交 |\n"
        "详见[附件](http://a.cn)。&nbsp;\n---\n"
    )
    out = clean_markdown(md)
    assert out.split("\n") == [
        "政府工作报告", "一、2022年工作回顾", "2023年2月19日", "新建学校85所", "序号", "领域", "任务",
        "1", "交通", "改造路口", "优化公交", "详见附件。",
    ]


SEED_HEAD = (
    "您的位置:汉滨区人民政府 > 政府信息公开 > 政府法制 > 正文内容\n\n"
    "汉滨区2023年度法治政府建设工作总结\n\n"
    "文件名称 汉滨区2023年度法治政府建设工作总结\n"
    "索引号 /2024-0000 公开目录: 政府法制\n"
    "公开责任部门 公开形式: 主动公开\n"
    "文号 成文日期: 2024年04月02日\n"
    "有效性 有效 公开日期: 2024-04-02 10:28\n\n"
    "       2023年,汉滨区坚持依法行政。\n"
)


def test_portal_header_becomes_metadata_and_leaves_the_body():
    doc = read_document(SEED_HEAD.encode("utf-8"), "txt")
    assert doc.text == "2023年,汉滨区坚持依法行政。"
    m = doc.metadata
    assert m["title"] == "汉滨区2023年度法治政府建设工作总结"
    assert m["site"] == "汉滨区人民政府"
    assert m["index_no"] == "/2024-0000"
    assert m["category"] == "政府法制"
    assert m["disclosure"] == "主动公开"
    assert m["written_date"] == "2024-04-02"
    assert m["published_date"] == "2024-04-02"
    assert m["validity"] == "有效"
    assert "publisher" not in m and "doc_no" not in m  # empty fields stay absent
    assert doc.raw.startswith("您的位置")


def test_body_sentences_starting_with_a_label_word_are_kept():
    meta, body = parse_portal_header("文号管理规范化工作全面推进，全年审核规范性文件8件，清理文件26件，修订完善5件，废止11件，效果明显。")
    assert meta == {} and body.startswith("文号管理")


def test_html_visible_text_and_meta():
    page = """<html><head><meta charset="gbk"><title>汉滨区政府</title>
    <meta name="ArticleTitle" content="汉滨区2023年度法治政府建设工作总结">
    <meta name="PubDate" content="2024-04-02 10:28"><style>p{color:red}</style>
    <script>var x = "不要我";</script></head><body>
    <nav><a>首页</a><a>政务公开</a></nav><div class="menu">导航 链接 很多</div>
    <div class="TRS_Editor"><p>一、坚持党的领导。</p><p>一是加强学习。&nbsp;二是落实责任。</p></div>
    <footer>版权所有</footer></body></html>"""
    doc = read_document(page.encode("gbk"), "html")
    assert doc.text == "一、坚持党的领导。\n一是加强学习。 二是落实责任。"
    assert doc.metadata["title"] == "汉滨区2023年度法治政府建设工作总结"
    assert doc.metadata["published_date"] == "2024-04-02 10:28"
    assert doc.encoding == "gb18030"  # detected; a superset of the declared gbk


def test_html_without_content_container_keeps_body_text():
    text, meta = html_to_text("<body><h1>标题</h1><p>第一段。</p><script>x</script><p>第二段。</p></body>")
    assert text == "标题\n第一段。\n第二段。"
    assert meta == {}
