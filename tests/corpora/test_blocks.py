"""Group membership tables (country_blocks_membership.csv layout) and UN regional groups."""

import pytest

from corpora.blocks import read_block_membership, regional_groups
from corpora.errors import InputError
from tests.conftest import SHARED_DATA

HEADER = "block,block_id,block_name,iso2,iso3,member_name,type,status,note,source_path\n"


def test_regional_groups_from_a_small_table(tmp_path):
    path = tmp_path / "blocks.csv"
    path.write_text(HEADER + "UN_WEOG,W,Western,FR,FRA,France,country,member,,x\n"
                    "UN_GRULAC,G,Latin,BR,BRA,Brazil,country,member,,x\n"
                    "EU,EU,European Union,FR,FRA,France,country,member,,x\n", encoding="utf-8")
    assert read_block_membership(path)["EU"] == frozenset({"FRA"})
    assert regional_groups(path) == {"FRA": "UN_WEOG", "BRA": "UN_GRULAC"}


def test_bad_tables_are_named(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("group,code\nX,FRA\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.csv: groups file lacks column"):
        read_block_membership(path)
    path.write_text(HEADER + "EU,EU,European Union,FR,FRA,France,country,member,,x\n",
                    encoding="utf-8")
    with pytest.raises(InputError, match="no UN regional group"):
        regional_groups(path)
    with pytest.raises(InputError, match="cannot read"):
        read_block_membership(tmp_path / "none.csv")


def test_the_shared_table_covers_the_un_members(shared_data):
    groups = regional_groups(shared_data / "country_blocks_membership.csv")
    assert len(groups) == 193 and groups["FRA"] == "UN_WEOG" and groups["KEN"].startswith("UN_")


assert SHARED_DATA
