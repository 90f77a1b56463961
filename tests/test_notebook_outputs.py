"""Executed notebooks show their plots inline and no solver banner (what a reader sees in Jupyter).

Each notebook is executed with nbclient in a real kernel (an error in any cell fails the test,
so the notebooks' own final asserts are checked here) and its outputs are read: a cell whose last value is a figure shows
an image (image/png), never the text ``<Figure size ...>``; no output carries the HiGHS banner.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
#: a cell plots when it makes a figure: a Figure(...) or one of the report's *_figure(...) functions
PLOTS = re.compile(r"\bFigure\(|_figure\(|\.subplots\(")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_executed_notebook_shows_plots_inline_and_no_banner(path, tmp_path):
    nb = nbformat.read(path, as_version=4)
    nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    plotting = 0
    for i, c in enumerate(nb.cells):
        if c.cell_type != "code":
            continue
        texts = []
        images = 0
        for o in c.outputs:
            if o.output_type == "stream":
                texts.append(o.text)
            elif o.output_type in ("execute_result", "display_data"):
                texts.append(o.data.get("text/plain", ""))
                images += "image/png" in o.data or "image/svg+xml" in o.data
        text = "\n".join(texts)
        assert "Running HiGHS" not in text and "Copyright (c)" not in text, f"cell {i} shows the HiGHS banner"
        assert "<Figure size" not in text or images, f"cell {i} shows a figure as text: {text[:80]}"
        if PLOTS.search(c.source):
            plotting += 1
            assert images >= 1, f"cell {i} plots but has no image output"
    assert plotting >= 1, f"{path.name} has no plot"
