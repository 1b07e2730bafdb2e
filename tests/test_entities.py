"""The same department in the three seeds gets one id, with its city kept apart."""
from pathlib import Path

import pytest

from tongbao.pipeline import run_batch

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


@pytest.fixture(scope="module")
def batch():
    return run_batch(sorted(CORPUS.glob("*.txt")), scheduler="serial")


def test_hrss_is_one_id_across_cities(batch):
    entities = batch.frames["entities"]
    outside = entities.entity_raw.str.replace(r"[(（][^)）]*[)）]", "", regex=True)  # 含… lists are members
    hrss = entities[outside.str.contains("人社局") & ~outside.str.contains("、")]
    by_city = hrss.groupby("city").entity_id.agg(set)
    assert set(by_city.index) >= {"三明市", "厦门市", "临沂市"}
    ids = set().union(*by_city)
    assert len(ids) == 1 and not next(iter(ids)).startswith("new")


def test_observations_carry_canonical_ids(batch):
    obs = batch.frames["observations"]
    cells = obs[obs.source == "cell"]
    assert cells.entity_id.notna().mean() > 0.8
    tax = cells[cells.entity_name == "税务局"].entity_id.dropna().unique()
    assert len(tax) == 1


def test_a_company_is_not_a_department(batch):
    entities = batch.frames["entities"].set_index(["entity_raw", "city"])
    gas = entities.loc[("三明中燃", "三明市")]
    assert gas.entity_id != entities.loc[("市人防办", "三明市")].entity_id
    assert gas.needs_review or gas.entity_id.startswith(("gas", "utility"))
