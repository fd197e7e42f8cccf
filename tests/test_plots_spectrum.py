"""Tests for initlib.plots.singular_value_histograms, spectrum_by_depth and linear_fit_curves:
what they draw, what they name instead of drawing, bad input."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.patches import StepPatch  # noqa: E402

import initlib as il  # noqa: E402
from initlib.diagnostics import JacobianSpectrum  # noqa: E402
from initlib.plots import linear_fit_curves, singular_value_histograms, spectrum_by_depth  # noqa: E402


@pytest.fixture(autouse=True)
def close():
    yield
    plt.close("all")


def notes(ax):
    return [" ".join(t.get_text().split()) for t in ax.texts if t.get_gid() == "initlib-note"]


def test_histograms_count_zeros_in_the_legend_and_bars_sum_to_the_rest():
    sp = JacobianSpectrum(np.array([[2.0, 1.0, 0.5, 0.0]]), np.array([1e-15]))
    ax = singular_value_histograms({"net": sp, 3: JacobianSpectrum(np.ones((2, 4)), np.zeros(2))})
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["net (25 % = 0)", "depth 3", "s = 1 (isometry)"]
    bars = [p for p in ax.patches if isinstance(p, StepPatch)]
    assert bars[0].get_data().values.sum() == pytest.approx(0.75)
    assert bars[1].get_data().values.sum() == pytest.approx(1.0)
    assert ax.get_xscale() == "log" and ax.get_title() == "Singular values of the Jacobian"


def test_histogram_of_one_unlabelled_spectrum_names_its_zeros():
    sp = JacobianSpectrum(np.array([[1.0, 0.0]]), np.array([1e-15]))
    ax = singular_value_histograms(sp)
    assert notes(ax) == ["50 % of the singular values are 0 (below float64 resolution; not drawn)"]


def test_histogram_xlim_and_values_outside():
    sp = JacobianSpectrum(np.array([[1e-8, 1.0]]), np.array([1e-20]))
    ax = singular_value_histograms({"a": sp}, xlim=(1e-4, 10))
    assert ax.get_xlim() == pytest.approx((1e-4, 10))
    assert notes(ax) == ["a: 1 nonzero value(s) outside the axis, not drawn"]
    with pytest.raises(ValueError, match="xlim must be"):
        singular_value_histograms({"a": sp}, xlim=(10, 1))
    with pytest.raises(ValueError, match="xlim must be > 0"):
        singular_value_histograms({"a": sp}, xlim=(0, 1))


def test_spectrum_by_depth_draws_and_names_zeros():
    net = il.MLP([16] * 11, activation="relu", output="identity", seed=0)
    relu = il.diagnostics.jacobian_spectra(net, np.ones((1, 16)), layers=[1, 2, 10])
    lin = il.diagnostics.jacobian_spectra(il.MLP([16] * 11, activation="linear", output="identity",
                                                 init="orthogonal", seed=0), np.ones((1, 16)), layers=[1, 2, 10])
    ax = spectrum_by_depth({"relu": relu, "linear": lin}, quantity="median")
    assert ax.get_yscale() == "log" and ax.get_xscale() == "log"
    first = min(d for d, s in relu.items() if s.median == 0)
    assert first > 1 and all(relu[d].median == 0 for d in relu if d >= first)
    assert notes(ax) == [f"0, not drawn, at depth: relu ≥ {first}"]
    ax = spectrum_by_depth({"relu": relu}, quantity="zero_fraction", legend=False, title="Zeros")
    assert ax.get_yscale() == "linear" and ax.get_legend() is None and ax.get_title() == "Zeros"
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [s.zero_fraction for s in relu.values()])
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), [1, 2, 10])


def test_spectrum_by_depth_bad_input():
    with pytest.raises(ValueError, match="quantity must be one of median, max, mean_square, spread, zero_fraction"):
        spectrum_by_depth({"a": {}}, quantity="mean")
    with pytest.raises(TypeError, match="curves must be a non-empty dict"):
        spectrum_by_depth([])
    with pytest.raises(TypeError, match=r"curves\['a'\] must be a non-empty dict of depth"):
        spectrum_by_depth({"a": 3})
    with pytest.raises(TypeError, match=r"curves\['a'\]\[.*\] must be a JacobianSpectrum"):
        spectrum_by_depth({"a": {1: 3}})
    with pytest.raises(TypeError, match="spectra must be a JacobianSpectrum or a non-empty dict"):
        singular_value_histograms([1.0])


def test_linear_fit_curves_mark_a_divergence():
    M = il.deep_linear.linear_target([1.0, 0.5, 0.2, 0.1], seed=0)
    ok = il.deep_linear.fit_linear_map(il.MLP([4] * 5, activation="linear", output="identity", init="orthogonal"),
                                       M, lr=0.05, steps=100)
    bad = il.deep_linear.fit_linear_map(il.MLP([4] * 9, activation="linear", output="identity", init="normal"),
                                        M, lr=0.5, steps=100)
    ax = linear_fit_curves({"ok": ok, "bad": bad}, threshold=0.01)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[0] == "ok" and labels[1] == f"bad (diverged at step {bad.diverged_step})"
    assert labels[-1] == "relative loss 0.01"
    assert ax.get_yscale() == "log"
    assert any(line.get_marker() == "x" for line in ax.lines)
    for line in ax.lines:
        assert np.all(np.isfinite(np.asarray(line.get_ydata(), dtype=float)))
    with pytest.raises(TypeError, match=r"fits\['a'\] must be a LinearFit"):
        linear_fit_curves({"a": 1})
