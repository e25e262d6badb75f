"""Region names and administrative levels of documents.

A document's ``region`` is the administrative division it reports on (陕西省, 安康市, 汉滨区, 大河镇, or 国务院 for
national documents) and its ``level`` one of :data:`LEVELS`. Both come from metadata when a manifest, path pattern
or front matter gives them; otherwise they are inferred here from the page's site name or the title.
"""

from __future__ import annotations

import re

__all__ = ["LEVELS", "infer_level", "region_from_site", "region_from_title", "year_from_title"]

LEVELS = ("national", "province", "city", "county-district", "township")

_NATIONAL = {"国务院", "中央", "全国", "中国", "中华人民共和国", "中共中央", "国家"}
_MUNICIPALITIES = {"北京市", "天津市", "上海市", "重庆市", "北京", "天津", "上海", "重庆"}
_SARS = {"香港特别行政区", "澳门特别行政区", "台湾省"}

# suffix -> level, longest suffix first
_SUFFIX_LEVELS = [
    ("特别行政区", "province"),
    ("自治区", "province"),
    ("省", "province"),
    ("自治州", "city"),
    ("地区", "city"),
    ("盟", "city"),
    ("州", "city"),
    ("市", "city"),
    ("自治县", "county-district"),
    ("自治旗", "county-district"),
    ("新区", "county-district"),
    ("林区", "county-district"),
    ("特区", "county-district"),
    ("区", "county-district"),
    ("县", "county-district"),
    ("旗", "county-district"),
    ("街道办事处", "township"),
    ("街道", "township"),
    ("民族乡", "township"),
    ("苏木", "township"),
    ("镇", "township"),
    ("乡", "township"),
]
_ORG_TAIL = re.compile(r"(?:人民政府门户网站|政府门户网站|人民政府网站|人民政府|门户网站|政府网站|政府|网站|委员会|办公室)$")
_GENERIC_PLACE = re.compile(r"^(?:全|各|本|我|该|市|区|县|省|镇|乡)(?:市|区|县|省|镇|乡|州|旗)$")
# what follows a place name at the start of a title (汉滨区2023年…, 杭州市政府工作报告, 陕西省人民政府关于…)
_AFTER_PLACE = ("人民政府", "政府", "人民代表", "人大", "党委", "委员会", "年", "法治", "关于", "国民经济", "工作",
                "第", "司法", "依法", "十")
_TITLE_LEAD = re.compile(r"^(?:(?:19|20)\d{2}\s*年度?|关于|印发|中共)+")
_SUFFIX_CHARS = set("".join(s for s, _ in _SUFFIX_LEVELS))


def infer_level(region: str | None) -> str | None:
    """Administrative level of a region name, from its suffix (the last division in a chained name).

    >>> infer_level("汉滨区"), infer_level("陕西省安康市"), infer_level("上海市"), infer_level("国务院")
    ('county-district', 'city', 'province', 'national')
    >>> infer_level("大竹园镇"), infer_level("广西壮族自治区"), infer_level("某单位") is None
    ('township', 'province', True)
    """
    if not region or not isinstance(region, str):
        return None
    name = region.strip()
    if name in _NATIONAL:
        return "national"
    if name in _MUNICIPALITIES or name in _SARS:
        return "province"
    for suffix, level in _SUFFIX_LEVELS:
        if name.endswith(suffix) and len(name) > len(suffix):
            return level
    return None


def region_from_site(site: str | None) -> str | None:
    """Region of a portal from its site name (the first breadcrumb item).

    >>> region_from_site("汉滨区人民政府"), region_from_site("安康市人民政府门户网站"), region_from_site("首页")
    ('汉滨区', '安康市', None)
    """
    if not site:
        return None
    name = site.strip()
    while True:
        shorter = _ORG_TAIL.sub("", name)
        if shorter == name:
            break
        name = shorter
    return name if infer_level(name) and not _GENERIC_PLACE.match(name) else None


def region_from_title(title: str | None) -> str | None:
    """The first place name in a title.

    >>> region_from_title("汉滨区2023年度法治政府建设工作总结")
    '汉滨区'
    >>> region_from_title("2023年杭州市政府工作报告"), region_from_title("政府工作报告") is None
    ('杭州市', True)
    """
    if not title:
        return None
    rest = _TITLE_LEAD.sub("", title.strip())
    best = None
    for i in range(2, min(len(rest), 16) + 1):
        if rest[i - 1] not in _SUFFIX_CHARS:
            continue
        name, after = rest[:i], rest[i:]
        if after and "\u4e00" <= after[0] <= "\u9fff" and not after.startswith(_AFTER_PLACE):
            continue
        if infer_level(name) and not _GENERIC_PLACE.match(name) and not name.startswith(("全", "各")):
            best = name
    return best


_YEAR = re.compile(r"((?:19|20)\d{2})\s*(?:年|—|-|～)")


def year_from_title(title: str | None) -> int | None:
    """The first four-digit year in a title (2023年度…, 2021—2025 …).

    >>> year_from_title("汉滨区2023年度法治政府建设工作总结"), year_from_title("工作总结") is None
    (2023, True)
    """
    if not title:
        return None
    m = _YEAR.search(title)
    return int(m.group(1)) if m else None
