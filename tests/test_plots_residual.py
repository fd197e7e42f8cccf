"""Tests for initlib.plots.stream_std (initlib/plots/residual.py)."""
import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import initlib as il  # noqa: E402


@pytest.fixture(scope="module")
def stats():
    X = np.random.default_rng(0).standard_normal((128, 2))
    y = (np.random.default_rng(1).random((128, 1)) < 0.5).astype(float)
    return {"α = 1": il.diagnostics.block_stats(il.ResidualMLP(2, 16, 6, seed=0), X, y),
            "zero last layer": il.diagnostics.block_stats(il.ResidualMLP(2, 16, 6, zero_last=True, seed=0), X, y)}


@pytest.mark.parametrize("which", ["stream", "ratio", "gradient", "branch"])
def test_every_quantity_is_drawn_block_by_block(stats, which):
    ax = il.plots.stream_std(stats, which=which)
    assert ax.get_yscale() == "log" and ax.get_xlabel() == "block l"
    attr = {"stream": "stream_std", "ratio": "ratio", "gradient": "stream_grad_std", "branch": "branch_std"}[which]
    for line, s in zip(ax.lines, stats.values()):
        expected = getattr(s, attr)
        assert np.array_equal(line.get_xdata(), np.arange(len(expected)))
        shown = np.ma.asarray(line.get_ydata())
        assert np.allclose(shown.compressed(), expected[expected > 0])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == list(stats)
    matplotlib.pyplot.close("all")


def test_zero_values_are_named_not_drawn(stats):
    ax = il.plots.stream_std({"zero last layer": stats["zero last layer"]}, which="branch")
    note = " ".join(ax.texts[0].get_text().split())
    assert note == "zero last layer: branch std = 0 at every block (not drawn on the log scale)"
    matplotlib.pyplot.close("all")


def test_predicted_curves_are_dashed(stats):
    ax = il.plots.stream_std(stats["α = 1"], which="ratio", predicted=3.0 ** (np.arange(7) / 2))
    dashed = [ln for ln in ax.lines if ln.get_linestyle() == "--"]
    assert len(dashed) == 1 and dashed[0].get_label() == "predicted"
    assert np.allclose(dashed[0].get_ydata(), 3.0 ** (np.arange(7) / 2))
    ax = il.plots.stream_std(stats, which="ratio", predicted={"√3 per block": 3.0 ** (np.arange(7) / 2)})
    assert "√3 per block" in [t.get_text() for t in ax.get_legend().get_texts()]
    matplotlib.pyplot.close("all")


def test_overflowed_stream_is_named(stats):
    values = np.array([1.0, 1e10, 1e200, np.inf, np.inf])
    ax = il.plots.stream_std({"diverged": values})
    texts = " ".join(" ".join(t.get_text().split()) for t in ax.texts)
    assert "std not finite from block 3 on" in texts and "run off the top" in texts
    matplotlib.pyplot.close("all")


def test_bad_arguments():
    with pytest.raises(ValueError, match="which must be one of stream, ratio, gradient, branch"):
        il.plots.stream_std([1.0, 2.0], which="grad")
    with pytest.raises(TypeError, match="log must be True or False"):
        il.plots.stream_std([1.0, 2.0], log="yes")
    with pytest.raises(ValueError, match="no gradient statistics"):
        X = np.zeros((4, 2)) + np.arange(4)[:, None]
        il.plots.stream_std(il.diagnostics.block_stats(il.ResidualMLP(2, 4, 2, seed=0), X), which="gradient")
    with pytest.raises(TypeError, match="must be a BlockStats or an array"):
        il.plots.stream_std({"a": "text"})
    with pytest.raises(ValueError, match="at least one curve"):
        il.plots.stream_std({})
