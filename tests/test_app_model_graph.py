"""The Model page shows the network at iteration 0 as Train draws it live, and warns about a long run."""
from __future__ import annotations

from ui import learning

from app_helpers import sess


def _datasets(el) -> dict:
    from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df
    return {d.name: convert_arrow_bytes_to_pandas_df(d.data.data) for d in el.proto.datasets}


def test_the_model_page_draws_the_initial_network(app_test):
    at = app_test("views/model.py", query={"hidden": "20,7,5", "init": "sqrt"})
    assert not at.exception
    graphs = [c for c in at.get("vega_lite_chart") if c.proto.datasets]
    assert len(graphs) == 1
    tables = _datasets(graphs[0])
    assert set(tables) == {"cells", "frames", "edges", "labels"}
    titles = list(tables["frames"]["title"])
    assert sum(t.startswith("layer 1,") for t in titles) == 6 and "+14 more" in list(tables["labels"]["title"])
    assert not any("to train" in w.value for w in at.warning), "the course's net takes seconds"
    # The same network before Start on Train: its picture is the one Model drew (built once).
    state = sess(at).view
    assert state.graph_key == learning.graph_key(None, sess(at).config)


def test_a_network_that_needs_minutes_is_flagged_on_the_model_page(app_test):
    at = app_test("views/model.py", query={"hidden": "1000,1000,1000,1000,1000,1000"})
    assert not at.exception
    assert any("minutes to train" in w.value and "fewer or narrower hidden layers" in w.value for w in at.warning)


def test_a_network_too_big_to_draw_is_not_drawn(app_test):
    at = app_test("views/model.py", query={"hidden": "2000,2000,2000,2000,2000,2000"})
    assert not at.exception
    assert not [c for c in at.get("vega_lite_chart") if c.proto.datasets]
