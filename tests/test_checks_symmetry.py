"""check_collapse (exercise ex-symmetry-collapse): the solution passes on fresh random networks, and each
wrong answer gets the message that names its mistake."""
import numpy as np
import pytest

import initlib as il
from initlib.checks import CheckFailed, check_collapse
from initlib.checks.symmetry import symmetric_network


def collapse(W, b):
    n = len(W)
    W_small, b_small = [], []
    for l in range(n):
        w = W[l] if l == 0 else W[l].sum(axis=0, keepdims=True)
        W_small.append(w[:, :1] if l < n - 1 else w)
        b_small.append(b[l][:1] if l < n - 1 else b[l].copy())
    return W_small, b_small


def test_symmetric_network_is_symmetric():
    for sizes in ([2, 10, 5, 1], [3, 7, 2], [4, 6, 6, 6, 6, 3]):
        net = symmetric_network(sizes, seed=1)
        assert il.symmetry(net).distinct_units == [1] * (len(sizes) - 2)
        assert net.sizes == list(sizes)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_solution_passes(seed, capsys):
    check_collapse(collapse, seed=seed)
    assert capsys.readouterr().out == "✔ collapse: all 7 cases passed.\n"


def _one_copy(W, b):  # forgets that the copies add up
    n = len(W)
    return ([W[l][: (None if l == 0 else 1), : (1 if l < n - 1 else None)] for l in range(n)],
            [b[l][:1] if l < n - 1 else b[l] for l in range(n)])


def _mean(W, b):  # averages the copies instead of summing them
    n = len(W)
    return ([(W[l] if l == 0 else W[l].mean(axis=0, keepdims=True))[:, : (1 if l < n - 1 else None)] for l in range(n)],
            [b[l][:1] if l < n - 1 else b[l] for l in range(n)])


def _transposed(W, b):  # slices rows / sums columns
    n = len(W)
    return ([(W[l] if l == 0 else W[l].sum(axis=1, keepdims=True))[: (1 if l < n - 1 else None), :] for l in range(n)],
            [b[l][:1] if l < n - 1 else b[l] for l in range(n)])


def _all_sliced(W, b):  # also cuts the output layer down to one unit
    return [(w if l == 0 else w.sum(axis=0, keepdims=True))[:, :1] for l, w in enumerate(W)], [v[:1] for v in b]


def _no_bias_slice(W, b):  # keeps every hidden bias
    return collapse(W, b)[0], b


def _in_place(W, b):  # overwrites the lists it was given
    small = collapse(W, b)
    W[:] = small[0]
    b[:] = small[1]
    return W, b


def _float32(W, b):
    W_small, b_small = collapse(W, b)
    return [w.astype(np.float32) for w in W_small], b_small


def _stub(W, b):
    raise NotImplementedError("ex-symmetry-collapse (Collapse a symmetric network): write your code here")


def _calls_the_reference(W, b):
    from initlib.checks import symmetry
    return getattr(symmetry, "_reference_" + "collapse")(W, b)


WRONG = {
    "one-copy": (_one_copy, [r"W_small\[1\] is wrong: at index \(0, 0\) it is [\d.]+, expected [\d.]+",
                             "10 times too small", "sum over the rows"]),
    "mean": (_mean, [r"W_small\[1\] is wrong", "10 times too small"]),
    "transposed": (_transposed, [r"W_small\[0\] has shape \(1, 10\); expected \(2, 1\)"]),
    "output-sliced": (_all_sliced, [r"W_small\[\d\] has shape \(1, 1\); expected \(1, \d\) = .*every output unit"]),
    "biases-kept": (_no_bias_slice, [r"b_small\[0\] has shape \(10,\); expected \(1,\) \(keep the bias of one unit\)"]),
    "in-place": (_in_place, ["changed the lists or arrays it was given"]),
    "float32": (_float32, [r"W_small\[0\] has dtype float32; expected float64"]),
    "only-weights": (lambda W, b: collapse(W, b)[0], [r"returned a list of length 3; expected a pair"]),
    "none": (lambda W, b: None, [r"returned None \(did you forget the return statement\?\)"]),
    "crash": (lambda W, b: W @ b, [r"raised TypeError"]),
    "stub": (_stub, [r"^collapse: not implemented yet \(it raises NotImplementedError: ex-symmetry-collapse"]),
    "reference": (_calls_the_reference, [r"runs initlib\.checks code \(symmetry\.py: _reference_collapse\)"]),
}


@pytest.mark.parametrize("name", list(WRONG))
def test_wrong_solution_gets_its_message(name):
    fn, messages = WRONG[name]
    with pytest.raises(CheckFailed) as info:
        check_collapse(fn, seed=list(WRONG).index(name))
    text = str(info.value)
    assert text.startswith("collapse: ")
    for m in messages:
        assert __import__("re").search(m, text), (m, text)


def test_an_answer_that_only_fits_the_fixed_network_fails():
    """The constant network is one case of seven; an answer hard-coded for it fails the random ones."""
    def hard_coded(W, b):
        return ([np.full((2, 1), W[0][0, 0]), np.full((1, 1), 10 * W[1][0, 0]), np.full((1, 1), 5 * W[2][0, 0])],
                [b[0][:1], b[1][:1], b[2]])

    with pytest.raises(CheckFailed, match=r"collapse on symmetric "):
        check_collapse(hard_coded, seed=4)
