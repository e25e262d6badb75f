"""Tests for policytext.gazetteer: administrative divisions from jionlp's location data."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pandas as pd
import pytest

from policytext import gazetteer as gz
from policytext.errors import BackendNotAvailableError, ParameterError
from policytext.gazetteer import COLUMNS, LEVELS, Gazetteer, load_gazetteer

SHARED = Path(os.environ.get("POLICYTEXT_SHARED", Path(__file__).resolve().parents[2] / "shared"))
ADMIN = SHARED / "corpora" / "admin-divisions"


@pytest.fixture(scope="session")
def gaz(tmp_path_factory) -> Gazetteer:
    """The real gazetteer, built once per session into a private cache directory."""
    mp = pytest.MonkeyPatch()
    mp.setenv("POLICYTEXT_CACHE", str(tmp_path_factory.mktemp("ptcache")))
    try:
        yield load_gazetteer()
    finally:
        mp.undo()


# ----------------------------------------------------------------------------------------------- table


def test_table_shape(gaz):
    t = gaz.table
    assert list(t.columns) == list(COLUMNS)
    assert gaz.levels == LEVELS
    counts = t["level"].value_counts()
    assert counts["province"] == 34
    assert 330 <= counts["city"] <= 345
    assert counts["county-district"] > 2800
    assert counts["township"] > 38000
    assert counts["zone"] > 500
    assert counts["village-community"] == 0  # villages only with villages=True
    coded = t[t["level"].isin(["province", "city", "county-district"])]
    assert coded["adcode"].dropna().str.fullmatch(r"\d{6}").all()
    assert t.loc[t["level"] == "township", "adcode"].isna().all()
    # every parent code refers to a division in the table
    assert set(t["parent"].dropna()) <= set(t["adcode"].dropna())
    assert "jionlp" in gaz.version and "township=" in repr(gaz)


@pytest.mark.parametrize(
    "name, short",
    [
        ("安康市", "安康"), ("汉滨区", "汉滨"), ("陕西省", "陕西"), ("内蒙古自治区", "内蒙古"),
        ("广西壮族自治区", "广西"), ("上海市", "上海"), ("南昌县", "南昌"),
        ("大竹园镇", ""), ("大河镇", ""),        # townships: no safe short form
        ("平安区", ""), ("合作市", ""), ("长治市", ""),  # short form is a common word: dropped
        ("吉林市", ""),                          # jionlp's short form equals the full name
    ],
)
def test_short_forms(gaz, name, short):
    rows = gaz.table[gaz.table["name"] == name]
    assert len(rows) >= 1
    assert set(rows["short"]) == {short}


def test_short_forms_are_conservative(gaz):
    t = gaz.table
    shorts = [s for a in t["aliases"] if a for s in a.split("|")]
    assert all(len(s) >= 2 for s in shorts)
    excluded, _ = gz._read_exclude()
    assert not excluded & set(shorts)
    assert not {"高新区", "经开区", "示范区", "市直辖", "省直辖"} & set(shorts)
    assert (t.loc[t["level"].isin(["township", "village-community"]), "short"] == "").all()
    # the short form is always the first alias
    has = t[t["short"] != ""]
    assert (has["aliases"].str.split("|").str[0] == has["short"]).all()


def test_municipality_and_pseudo_divisions(gaz):
    t = gaz.table.set_index("name", drop=False)
    assert t.loc["上海市", "level"] == "province"  # no duplicate city row for a municipality
    assert (gaz.table["name"] == "上海市").sum() == 1
    assert (t.loc["嘉定区", "province"], t.loc["嘉定区", "city"], t.loc["嘉定区", "parent"]) == (
        "上海市", "上海市", "310000"
    )
    assert not gaz.table["name"].isin(["省直辖行政区划", "市直辖行政区划"]).any()
    assert t.loc["济源市", "parent"] == "410000"
    assert t.loc["浦东新区", "level"] == "county-district"
    assert t.loc["长春净月高新技术产业开发区", "level"] == "zone"
    assert t.loc["绿园区", "level"] == "county-district"


# --------------------------------------------------------------------------------------------- lookups


def test_lookup_unique_township(gaz):
    rows = gaz.lookup("大竹园镇")
    assert rows[["name", "level", "town", "county", "city", "province", "parent"]].values.tolist() == [
        ["大竹园镇", "township", "大竹园镇", "汉滨区", "安康市", "陕西省", "610902"]
    ]


@pytest.mark.parametrize("region", ["汉滨区", "安康市", "陕西省安康市汉滨区", "安康市汉滨区", "汉滨"])
def test_lookup_prefers_region(gaz, region):
    rows = gaz.lookup("大河镇", region=region)
    assert rows[["county", "city"]].values.tolist() == [["汉滨区", "安康市"]]
    assert gaz.resolve("大河镇", region=region)["county"] == "汉滨区"


def test_lookup_ambiguous_without_region(gaz):
    rows = gaz.lookup("大河镇")
    assert len(rows) > 5 and set(rows["name"]) == {"大河镇"}
    assert gaz.resolve("大河镇") is None
    # a region that is only a province with two 大河镇 stays ambiguous
    shaanxi = gaz.lookup("大河镇", region="陕西省")
    assert len(shaanxi) >= 2 and set(shaanxi["province"]) == {"陕西省"}
    assert gaz.resolve("大河镇", region="陕西省") is None
    # a region that names no place leaves all candidates
    assert len(gaz.lookup("大河镇", region="国务院")) == len(rows)
    # a region elsewhere: nothing inside it, so the broader parts and finally all candidates are used
    assert len(gaz.lookup("大河镇", region="北京市")) == len(rows)


def test_lookup_short_forms_and_paths(gaz):
    assert gaz.lookup("汉滨")["name"].tolist() == ["汉滨区"]
    assert gaz.resolve("陕西")["name"] == "陕西省"
    assert gaz.lookup("陕西省安康市汉滨区大竹园镇")["name"].tolist() == ["大竹园镇"]
    assert gaz.lookup("安康市汉滨区")["name"].tolist() == ["汉滨区"]
    # an enclosing unit of the region is preferred too
    assert gaz.lookup("安康", region="汉滨区")["level"].tolist() == ["city"]
    assert gaz.lookup("朝阳区", region="北京市")["city"].tolist() == ["北京市"]
    assert len(gaz.lookup("朝阳区")) >= 2
    assert gaz.resolve("南昌县")["city"] == "南昌市"
    # full paths as found in document metadata
    assert gaz.resolve("浙江省杭州市上城区清波街道")[["name", "county"]].tolist() == ["清波街道", "上城区"]
    assert gaz.resolve("江西省南昌县")["name"] == "南昌县"
    assert gaz.resolve("山西省太原市尖草坪区")["parent_name"] == "太原市"


def test_lookup_unknown_and_errors(gaz):
    empty = gaz.lookup("不存在的地方镇")
    assert empty.empty and list(empty.columns) == list(COLUMNS)
    assert gaz.resolve("不存在的地方镇") is None
    assert gaz.lookup("平安").empty  # excluded short form
    with pytest.raises(ParameterError):
        gaz.lookup(123)
    with pytest.raises(ParameterError):
        gaz.lookup("大河镇", region=5)


def test_surface_forms(gaz):
    forms = gaz.surface_forms()
    assert forms["大竹园镇"] == "township"
    assert forms["汉滨"] == forms["汉滨区"] == "county-district"
    assert forms["陕西"] == forms["陕西省"] == "province"
    assert forms["吉林"] == "province" and forms["吉林市"] == "city"  # highest level wins
    assert "平安" not in forms and "平安区" in forms
    assert all(len(f) >= 2 for f in forms)
    assert gaz.surface_forms() is forms  # cached
    no_short = gaz.surface_forms(shorts=False)
    assert "汉滨" not in no_short and "汉滨区" in no_short
    upper = gaz.surface_forms(levels=["province", "city"])
    assert set(upper.values()) == {"province", "city"} and "汉滨区" not in upper
    with pytest.raises(ParameterError, match="levels"):
        gaz.surface_forms(levels=["town"])
    # generic full names (城区, 郊区 …) only on request
    assert not gz.GENERIC_NAMES & set(forms)
    assert "城区" in gaz.surface_forms(generic=True)


def test_generic_township_names_dropped(gaz):
    t = gaz.table
    lower = t[t["level"].isin(["township", "zone"]) & (t["county"] != t["name"])]
    for generic in ("开发区", "林业局", "良种场", "农场", "区直辖行政区划", "城区", "社区"):
        assert generic not in set(lower["name"]), generic
    assert (lower["name"].str.len() >= 2).all()


# -------------------------------------------------------------------------------- parsing (synthetic)

SAMPLE = (
    "上海市\t310000\t上海\n"
    "\t上海市\t310000\t上海\n"
    "\t\t嘉定区\t310114\t嘉定\n"
    "\t\t\t华亭镇\n"
    "\t\t\t\t北新村\n"
    "\t\t\t\t北新村\n"
    "\t\t\t嘉定工业区\n"
    "河南省\t410000\t河南\n"
    "\t省直辖行政区划\t419000\t省直辖\n"
    "\t\t济源市\t419001\t济源\n"
    "\t\t\t济源市下冶镇\n"
    "\t\t\t\t上冶村\n"
    "广东省\t440000\t广东\n"
    "\t东莞市\t441900\t东莞\n"
    "\t\t市直辖行政区划\t441900\t市直辖\n"
    "\t\t\t万江街道\n"
    "\t\t平安区\t441999\t平安\n"
    "\t\t东莞经济技术开发区\t441971\t经开区\n"
    "\t\t\t良种场\n"
    "\t\t\t\t场部社区\n"
)


def test_parse_synthetic():
    payload = gz._build(SAMPLE, frozenset({"平安"}), villages=True)
    t = payload["table"]
    g = Gazetteer(t, _index=payload["index"], _region_index=payload["region_index"], _forms=payload["forms"])
    rows = {(r.name, r.level): r for r in t.itertuples(index=False)}
    assert ("上海市", "city") not in rows
    assert rows[("嘉定区", "county-district")].city == "上海市"
    assert rows[("嘉定工业区", "zone")].parent == "310114"
    assert rows[("下冶镇", "township")].parent == "419001"  # county prefix stripped
    assert rows[("下冶镇", "township")].city == ""
    assert rows[("万江街道", "township")].parent == "441900"
    assert rows[("万江街道", "township")].county == ""
    assert rows[("万江街道", "township")].town == "万江街道"  # the path includes the division itself
    assert rows[("平安区", "county-district")].short == ""
    assert rows[("东莞经济技术开发区", "zone")].short == ""
    village = rows[("北新村", "village-community")]
    assert (village.town, village.parent_name, village.parent) == ("华亭镇", "华亭镇", "310114")
    assert (t["name"] == "北新村").sum() == 1  # duplicate line dropped
    # villages come after every other division, and the region index skips them
    assert list(t["level"]).index("village-community") > max(
        i for i, lvl in enumerate(t["level"]) if lvl != "village-community"
    )
    assert "北新村" not in payload["region_index"] and "北新村" in payload["index"]
    # a generic township-level name is dropped; its villages hang from the county
    assert "良种场" not in set(t["name"])
    farm = rows[("场部社区", "village-community")]
    assert (farm.town, farm.county, farm.parent_name, farm.parent) == ("", "东莞经济技术开发区", "东莞经济技术开发区", "441971")
    assert g.lookup("北新村", region="嘉定区")["town"].tolist() == ["华亭镇"]
    assert g.lookup("上海市嘉定区华亭镇北新村")["name"].tolist() == ["北新村"]
    assert "北新村" not in g.surface_forms()
    assert g.surface_forms(levels=LEVELS)["北新村"] == "village-community"
    # an index-less Gazetteer builds its indexes lazily and agrees
    lazy = Gazetteer(t)
    assert lazy.lookup("北新村", region="嘉定区")["town"].tolist() == ["华亭镇"]
    assert lazy.surface_forms() == g.surface_forms()


def test_gazetteer_pickles(gaz):
    clone = pickle.loads(pickle.dumps(gaz))
    assert clone.resolve("大河镇", region="汉滨区")["county"] == "汉滨区"
    assert clone.surface_forms() == gaz.surface_forms()


def test_gazetteer_requires_columns():
    with pytest.raises(ParameterError, match="missing"):
        Gazetteer(pd.DataFrame({"name": ["x"]}))


# -------------------------------------------------------------------------------------- loading, cache


def test_missing_jionlp(monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda n, *a: None if n == "jionlp" else real(n, *a))
    with pytest.raises(BackendNotAvailableError, match="pip install jionlp"):
        load_gazetteer(refresh=True)


def test_reads_the_zip_a_fresh_jionlp_install_ships(tmp_path, monkeypatch):
    """pip installs only china_location.zip; jionlp unzips it on import, which policytext never does."""
    import importlib.metadata
    import importlib.util
    import types
    import zipfile

    pkg = tmp_path / "jionlp"
    (pkg / "dictionary").mkdir(parents=True)
    with zipfile.ZipFile(pkg / "dictionary" / "china_location.zip", "w") as zf:
        zf.writestr("china_location.txt", SAMPLE)
    real = importlib.util.find_spec
    fake = types.SimpleNamespace(submodule_search_locations=[str(pkg)])
    monkeypatch.setattr(importlib.util, "find_spec", lambda n, *a: fake if n == "jionlp" else real(n, *a))
    monkeypatch.setattr(importlib.metadata, "version", lambda n: "0.0-test")
    version, text, path = gz._jionlp_source()
    assert (version, text, path.name) == ("0.0-test", SAMPLE, "china_location.zip")
    (pkg / "dictionary" / "china_location.zip").unlink()
    with pytest.raises(gz.ResourceError, match="location data is missing"):
        gz._jionlp_source()


def test_cache_written_reused_and_corrupt_cache_rebuilt(gaz, tmp_path, monkeypatch):
    monkeypatch.setenv("POLICYTEXT_CACHE", str(tmp_path))
    monkeypatch.setattr(gz, "_CACHE", {})
    first = load_gazetteer()
    files = list(tmp_path.glob("gazetteer-jionlp*-towns.pkl"))
    assert len(files) == 1
    assert load_gazetteer() is first  # in-process cache
    monkeypatch.setattr(gz, "_CACHE", {})
    again = load_gazetteer()  # from the disk cache
    assert again is not first and again.table.equals(first.table)
    files[0].write_bytes(b"not a pickle")
    monkeypatch.setattr(gz, "_CACHE", {})
    rebuilt = load_gazetteer()
    assert len(rebuilt) == len(first)
    assert pickle.loads(files[0].read_bytes())["table"].shape == first.table.shape


def test_no_work_at_import():
    import subprocess
    import sys

    code = "import sys, policytext.gazetteer; print('pandas' in sys.modules, 'jionlp' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


# ------------------------------------------------------------------------------- coverage vs 2023 codes


@pytest.mark.skipif(not (ADMIN / "streets.csv").exists(), reason=f"admin-divisions not found under {ADMIN}")
def test_township_coverage_against_2023_codes(gaz):
    streets = pd.read_csv(ADMIN / "streets.csv", dtype=str)
    areas = pd.read_csv(ADMIN / "areas.csv", dtype=str)
    names = set(gaz.table["name"])
    assert streets["name"].isin(names).mean() >= 0.93
    towns = gaz.table[gaz.table["level"].isin(["township", "zone"])]
    pairs = set(zip(towns["parent"].astype(str), towns["name"]))
    # the same township under the same county code
    hit = [(a, n) in pairs for a, n in zip(streets["areaCode"], streets["name"])]
    assert sum(hit) / len(hit) >= 0.9
    assert areas["name"].isin(names).mean() >= 0.98
    assert areas["code"].isin(set(gaz.table["adcode"].dropna())).mean() >= 0.97
