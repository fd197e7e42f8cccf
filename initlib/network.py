r"""The network protocol: what :func:`~initlib.train`, :mod:`~initlib.diagnostics`,
:func:`~initlib.lsuv` and :mod:`~initlib.plots` may rely on.

Every network of initlib (:class:`~initlib.MLP`, :class:`~initlib.ResidualMLP`)
derives from :class:`Network`, and code that takes a network checks
``isinstance(net, Network)`` (:func:`check_network`) and uses only the
following. Samples are rows; a linear layer is ``z = a @ W + b`` with ``W`` of
shape ``(fan_in, fan_out)``.

**Description**

- ``n_in``, ``n_out``: input and output widths; ``n_layers``: number of
  weight matrices, ``len(W)``.
- ``activation`` (:class:`~initlib.activations.Activation`) of the hidden
  units, ``loss`` (:class:`~initlib.losses.Loss`, chosen by ``output``),
  ``norm`` (``None``, ``"batch"`` or ``"layer"``).

**Per-layer lists, one index each** (filled by a training-mode forward pass,
gradients by the backward pass that follows)

- ``W``, ``b``, ``dW``, ``db``: every linear layer in forward order, the
  output layer last (``W[l]`` of shape ``(fan_in, fan_out)``).
- ``z``, ``a``, ``dz``: every *activated* layer in forward order, then the
  output layer: ``z[l]`` is the layer's linear output ``a_prev @ W + b``
  (before any normalization), ``a[l]`` its activation, ``dz[l]`` the gradient
  of the mean loss in ``z[l]``; ``z[-1]`` are the logits and ``a[-1]`` the
  output (probabilities). ``zn[l]`` is what the activation receives: ``z[l]``
  itself without normalization, its normalized, scaled and shifted version
  with it.
- ``linear_outputs``: the output ``a_prev @ W[k] + b[k]`` of every linear
  layer, aligned with ``W`` (for an MLP, the list ``z`` itself).
- ``X``: the input of the last training-mode forward pass.

An :class:`~initlib.MLP` has one activated layer per weight matrix, so its
lists all have ``n_layers`` entries. A :class:`~initlib.ResidualMLP` has one
activated layer per block (the middle of its branch) and adds per-block
lists of its own (``stream``, ``branch``, ``W1``, ``W2``, ...).

**Passes**

- ``forward(X)``, ``backward(y)``, ``loss_and_grad(X, y)``: training mode
  (batch normalization uses the batch statistics); every array above is kept.
- ``logits(X)``, ``predict_proba(X)``, ``predict(X)``, ``evaluate(X, y)``,
  ``loss_value(X, y)``, ``accuracy(X, y)``: evaluation mode (batch
  normalization uses its running averages); nothing stored changes.
- ``_forward(X, store)``, ``_backward(t, compute_loss)``: the unchecked fast
  path of the training loop (``store=True`` is training mode, ``store=False``
  evaluation mode; ``t`` from ``targets``).
- ``_linear_steps(X)`` (optional; :class:`~initlib.MLP` has it): the
  training-mode forward pass one weight matrix at a time, which
  :func:`~initlib.lsuv` uses to measure each layer without running the others.

**Parameters**

- ``parameters()``: a list of ``(name, array, gradient)`` triples covering
  every learned array (weights, biases, ``gamma`` and ``beta`` of every
  normalization, learned residual scales); optimizers update the arrays in
  place, so they must stay the same objects.
- ``update_running_stats()``: after a training step, fold the last batch's
  statistics into batch normalization's running averages (a no-op without);
  ``_norm_layers()`` lists the normalization layers it visits.
- ``copy()``, ``check_X(X, name)``, ``targets(y, n, name)``, ``n_params``,
  ``layer_names`` (labels of the ``z``/``a`` entries, for figures).

Used in: every chapter.
"""
from __future__ import annotations

import numpy as np

from ._validate import check_array

__all__ = ["Network", "check_network"]


def check_network(net, name="net"):
    """Raise ``TypeError`` unless ``net`` is an initlib network (see the module docstring)."""
    if not isinstance(net, Network):
        raise TypeError(f"{name} must be an initlib network (MLP or ResidualMLP), got {type(net).__name__}")
    return net


class Network:
    """Base class of initlib's networks: the evaluation-mode methods shared by all.

    Subclasses provide ``n_in``, ``n_out``, ``activation``, ``loss``, ``norm``,
    the per-layer lists, ``_forward``, ``_backward``, ``logits``,
    ``_norm_layers`` and ``parameters`` (see the module docstring).
    """

    norm = None

    def _norm_layers(self):
        """Every normalization layer of the network (empty without normalization)."""
        return []

    def update_running_stats(self):
        """Fold the last training batch's statistics into the running averages of batch normalization."""
        for layer in self._norm_layers():
            layer.update_running_stats()

    @property
    def n_params(self):
        """Number of learned scalars (weights, biases, gamma, beta, learned scales)."""
        return int(sum(p.size for _, p, _ in self.parameters()))

    def check_X(self, X, name="X"):
        """Return ``X`` as a finite float array of shape ``(n, n_in)``."""
        X = check_array(X, name, ndim=2)
        if X.shape[1] != self.n_in:
            raise ValueError(
                f"{name} has {X.shape[1]} features (columns) but the first layer expects {self.n_in}; "
                f"{name} must have shape (n_samples, {self.n_in})"
            )
        return X

    def targets(self, y, n, name="y"):
        """Validate ``y`` for ``n`` samples and return it in the loss's form."""
        try:
            return self.loss.targets(y, n, self.n_out)
        except ValueError as exc:
            if name != "y":
                raise ValueError(str(exc).replace("y ", f"{name} ", 1)) from None
            raise

    def forward(self, X):
        """Run the network on ``X`` (n_samples, n_in) in training mode and keep every per-layer array.

        Returns
        -------
        ndarray of shape (n_samples, n_out)
            The output ``a[-1]`` (probabilities for sigmoid and softmax).
        """
        X = self.check_X(X)
        self.X = X
        return self._forward(X, store=True)

    def backward(self, y):
        """Backpropagate the loss of the last :meth:`forward` against labels ``y``.

        Fills the gradients (``dz``, ``dW``, ``db``, ...) and returns the mean loss.
        """
        if self.X is None or self.z[-1] is None:
            raise ValueError("backward needs a forward pass first: call net.forward(X)")
        t = self.targets(y, self.X.shape[0])
        return self._backward(t)

    def loss_and_grad(self, X, y):
        """Forward and backward on ``(X, y)`` in training mode; return the mean loss."""
        X = self.check_X(X)
        t = self.targets(y, X.shape[0])
        self.X = X
        self._forward(X, store=True)
        return self._backward(t)

    def predict_proba(self, X):
        """Output of the network on ``X`` (evaluation mode) without touching the stored arrays."""
        return self._forward(self.check_X(X), store=False)

    def predict(self, X):
        """Predicted labels: probability >= 0.5 (sigmoid), argmax (softmax), or the outputs (identity)."""
        p = self.predict_proba(X)
        if self.loss.name == "sigmoid":
            return (p >= 0.5).astype(float)
        if self.loss.name == "softmax":
            return p.argmax(axis=1)
        return p

    def evaluate(self, X, y):
        """Return ``(loss, accuracy)`` on ``(X, y)`` in evaluation mode, without touching the stored arrays.

        For ``output="identity"`` the accuracy is ``None``.
        """
        X = self.check_X(X)
        t = self.targets(y, X.shape[0])
        z = self.logits(X)
        loss = self.loss.value(z, t)
        if self.loss.name == "sigmoid":
            acc = float(np.mean((z >= 0) == (t == 1)))
        elif self.loss.name == "softmax":
            acc = float(np.mean(z.argmax(axis=1) == t.argmax(axis=1)))
        else:
            acc = None
        return loss, acc

    def loss_value(self, X, y):
        """Mean loss on ``(X, y)`` (evaluation mode)."""
        return self.evaluate(X, y)[0]

    def accuracy(self, X, y):
        """Fraction of correctly classified samples of ``(X, y)`` (evaluation mode)."""
        return self.evaluate(X, y)[1]
