"""The check of the orthogonal chapter's implement exercise (ex-ortho-qr): correct solutions pass,
the wrong ones a student would write each fail with a message naming the mistake, and the false-failure
rates of the law statistics are as the check states."""
import numpy as np
import pytest

import initlib as il
from initlib.checks import CheckFailed

def reference(fan_in, fan_out, *, rng):
    """The solution in the chapter's solution cell."""
    q, r = np.linalg.qr(rng.standard_normal((max(fan_in, fan_out), min(fan_in, fan_out))))
    q = q * np.sign(np.diag(r))
    return q if fan_in >= fan_out else q.T


def _qr(fan_in, fan_out, rng, draw="normal"):
    shape = (max(fan_in, fan_out), min(fan_in, fan_out))
    a = rng.standard_normal(shape) if draw == "normal" else rng.uniform(-1, 1, shape)
    return np.linalg.qr(a)


def _orient(q, fan_in, fan_out):
    return q if fan_in >= fan_out else q.T


def no_sign_correction(fan_in, fan_out, *, rng):
    q, _ = _qr(fan_in, fan_out, rng)
    return _orient(q, fan_in, fan_out)


def positive_diagonal(fan_in, fan_out, *, rng):
    q, _ = _qr(fan_in, fan_out, rng)
    q = q * np.sign(np.diag(q))  # a "fix" that makes W's diagonal positive: biased the other way
    return _orient(q, fan_in, fan_out)


def uniform_entries(fan_in, fan_out, *, rng):
    q, r = _qr(fan_in, fan_out, rng, draw="uniform")
    return _orient(q * np.sign(np.diag(r)), fan_in, fan_out)


def calls_initlib(fan_in, fan_out, *, rng):
    return il.init.orthogonal(fan_in, fan_out, rng=rng)


def calls_initlib_by_name(fan_in, fan_out, *, rng):
    return il.init.get("orthogonal")(fan_in, fan_out, rng=rng)


def calls_initlib_through_mlp(fan_in, fan_out, *, rng):
    return il.MLP([fan_in, fan_out], init="orthogonal", rng=rng).W[0]


def scaled_gaussian(fan_in, fan_out, *, rng):  # the right size, the wrong law
    return rng.standard_normal((fan_in, fan_out)) / np.sqrt(max(fan_in, fan_out))


def qr_of_the_wide_matrix(fan_in, fan_out, *, rng):
    q, r = np.linalg.qr(rng.standard_normal((fan_in, fan_out)))
    return q * np.sign(np.diag(r))


def transposed(fan_in, fan_out, *, rng):
    return reference(fan_in, fan_out, rng=rng).T


def global_random_state(fan_in, fan_out, *, rng):
    return reference(fan_in, fan_out, rng=np.random.default_rng())


def hard_coded_seed(fan_in, fan_out, *, rng):
    return reference(fan_in, fan_out, rng=np.random.default_rng(0))


def with_gain(fan_in, fan_out, *, rng):
    return np.sqrt(2) * reference(fan_in, fan_out, rng=rng)


def identity(fan_in, fan_out, *, rng):
    return np.eye(fan_in, fan_out)


def svd_polar(fan_in, fan_out, *, rng):  # another correct construction: the polar factor of a Gaussian matrix
    u, _, vt = np.linalg.svd(rng.standard_normal((fan_in, fan_out)), full_matrices=False)
    return u @ vt


@pytest.mark.parametrize("solution", [reference, svd_polar])
@pytest.mark.parametrize("seed", [0, 1])
def test_check_accepts_correct_solutions(solution, seed, capsys):
    il.checks.check_orthogonal(solution, seed=seed)
    assert capsys.readouterr().out.strip() == "✔ orthogonal: all 78 cases passed."


def test_check_accepts_the_reference_with_fresh_seeds(capsys):
    for _ in range(3):  # seed=None: fresh cases each time, the same number of them
        il.checks.check_orthogonal(reference)
    assert capsys.readouterr().out.count("all 78 cases passed") == 3


@pytest.mark.parametrize(
    "solution, messages",
    [
        (no_sign_correction, ["diagonal entries of 30 draws", "are negative", "multiply each column of Q by the sign"]),
        (positive_diagonal, ["the sign must come from R's diagonal"]),
        (uniform_entries, ["the mean of cos(4 theta)", "draw the matrix from a normal law"]),
        (calls_initlib, ["runs initlib.init.orthogonal, initlib's own implementation"]),
        (calls_initlib_by_name, ["runs initlib.init.orthogonal"]),
        (calls_initlib_through_mlp, ["runs initlib.init.orthogonal"]),
        (scaled_gaussian, ["W.T @ W should be the", "only roughly orthogonal", "W @ W.T should be the"]),
        (qr_of_the_wide_matrix, ["returns a square Q; take the QR of the tall transpose"]),
        (transposed, ["the transpose of (fan_in, fan_out)"]),
        (global_random_state, ["same seed returned different arrays", "not from np.random"]),
        (hard_coded_seed, ["returned the same array for generators of different seeds"]),
        (with_gain, ["squared norm 2, not 1", "do not rescale Q"]),
        (identity, ["same array for generators of different seeds", "0 of the", "the sign must come from R's diagonal"]),
    ],
    ids=lambda v: getattr(v, "__name__", ""),
)
def test_check_names_the_mistake(solution, messages, capsys):
    with pytest.raises(CheckFailed) as info:
        il.checks.check_orthogonal(solution, seed=1)
    text = str(info.value)
    for message in messages:
        assert message in text, f"{solution.__name__}: {message!r} not in\n{text}"
    assert "✔" not in capsys.readouterr().out


def test_library_detection_ends_with_the_check():
    import sys

    with pytest.raises(CheckFailed, match="no case was graded"):
        il.checks.check_orthogonal(calls_initlib, seed=2)
    assert sys.getprofile() is None


@pytest.mark.parametrize("K", [230, 700, 1200])
def test_false_failure_rates_are_as_stated(K):
    from math import comb

    from initlib.checks import orthogonal as ortho_check

    c = ortho_check.binomial_threshold(K)
    tail = 2 * sum(comb(K, k) for k in range(int(K / 2 - c) + 1)) / 2**K
    assert tail <= 1e-6 < 2 * sum(comb(K, k) for k in range(int(K / 2 - c) + 2)) / 2**K  # the smallest such c
    N = 4000  # the fewest angles the check draws (20 + 20 vectors of 200 entries)
    t = ortho_check.direction_threshold(N)
    assert 16 * np.exp(-N * t**2 / 2) == pytest.approx(1e-6)
    # the uniform-entries bias, 3 - pi, is beyond the threshold by more than 4 standard errors
    assert abs(ortho_check.UNIFORM_ENTRIES_COS4) - t > 4 * np.sqrt(0.5 / N)


def test_pair_angles_of_a_uniform_vector_are_uniform():
    from initlib.checks.orthogonal import pair_angles

    np.testing.assert_allclose(pair_angles(np.array([1.0, 0.0, 0.0, 1.0, 5.0])), [0.0, np.pi / 2])
    rng = np.random.default_rng(3)
    theta = np.concatenate([pair_angles(reference(200, 1, rng=rng)) for _ in range(100)])
    assert abs(np.mean(np.cos(4 * theta))) < 4 * np.sqrt(0.5 / theta.size)
    rng = np.random.default_rng(0)
    a = rng.uniform(-1, 1, (200_000, 2))
    assert np.mean(np.cos(4 * np.arctan2(a[:, 1], a[:, 0]))) == pytest.approx(3 - np.pi, abs=0.005)
