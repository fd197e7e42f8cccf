"""Helpers of the claims tests (tests/test_claims_*.py): a printed number as the chapter prints it."""


def g3(x):
    """The chapter's ``f"{x:.3g}"`` as a float."""
    return float(f"{x:.3g}")


def g2(x):
    """The chapter's ``f"{x:.2g}"`` as a float."""
    return float(f"{x:.2g}")
