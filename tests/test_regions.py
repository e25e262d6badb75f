"""policytext.regions: level and region inference from names and titles."""

import pytest

from policytext.regions import infer_level, region_from_site, region_from_title, year_from_title


@pytest.mark.parametrize(
    "name,level",
    [
        ("国务院", "national"),
        ("陕西省", "province"),
        ("广西壮族自治区", "province"),
        ("重庆市", "province"),
        ("安康市", "city"),
        ("恩施土家族苗族自治州", "city"),
        ("锡林郭勒盟", "city"),
        ("汉滨区", "county-district"),
        ("南昌县", "county-district"),
        ("鄂温克族自治旗", "county-district"),
        ("大竹园镇", "township"),
        ("新城街道", "township"),
        ("陕西省安康市汉滨区", "county-district"),
        ("某某单位", None),
        ("", None),
        (None, None),
    ],
)
def test_infer_level(name, level):
    assert infer_level(name) == level


@pytest.mark.parametrize(
    "title,region",
    [
        ("汉滨区2023年度法治政府建设工作总结", "汉滨区"),
        ("2023年杭州市政府工作报告", "杭州市"),
        ("陕西省安康市汉滨区2022年法治政府建设年度报告", "陕西省安康市汉滨区"),
        ("关于印发南昌县法治政府建设工作要点的通知", "南昌县"),
        ("内蒙古自治区人民政府工作报告", "内蒙古自治区"),
        ("2014年政府工作报告", None),
        ("全市法治政府建设工作总结", None),
    ],
)
def test_region_from_title(title, region):
    assert region_from_title(title) == region


def test_region_from_site_and_year():
    assert region_from_site("安康市人民政府门户网站") == "安康市"
    assert region_from_site("首页") is None
    assert year_from_title("法治政府建设实施纲要（2021—2025年）") == 2021
    assert year_from_title("工作总结") is None
