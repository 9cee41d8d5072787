"""The loss record type: :class:`Loss` (two or more inputs, a reduction) and its groups.

Apart from :mod:`actcli.records` so that a command that never touches a loss (``actcli eval
relu6``) does not pay for creating these classes at start-up; :mod:`actcli.catalog` and the
loss commands import it on first use.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import field
from typing import Any, ClassVar, Literal

import numpy as np

from ._frozen import frozen
from .records import Array, Goal, Kernel, Kinks, Naive, Record

#: The default accuracy goal (one shared immutable value).
_GOAL = Goal()

#: The reductions every loss takes (``kl_div`` adds ``batchmean``).
REDUCTIONS = ("none", "mean", "sum")

LossLayout = Literal["elementwise", "classes", "rows"]


@frozen
class LossKernels:
    """The functions that compute a loss before its reduction.

    ``elementwise`` layout: ``term(*arrays, **params)`` takes the loss's inputs (in the order
    of :attr:`Loss.inputs`, all of one shape, float64) and returns the unreduced loss of that
    shape; ``grads[name](*arrays, g, **params)`` returns the vector-Jacobian product with
    respect to the input called ``name`` for the upstream gradient ``g``. Array arguments
    other than the weight (``pos_weight``, ``var``) arrive in ``params``, broadcast to the
    input's shape; the engine applies the weight.

    ``classes`` layout (cross_entropy, nll_loss): the engine moves the class axis last and
    passes ``input`` as ``(rows, C)``, ``target`` as ``(rows,)`` class indices or ``(rows, C)``
    probabilities, and ``weight`` as ``(C,)`` or None. ``term(x, t, weight, **params)``
    returns ``(loss, counted)`` per row, ``counted`` being what the row adds to the divisor of
    ``mean`` (its class weight, or 0 for an ignored row); ``grads["input"](x, t, weight, g,
    **params)`` takes ``g`` per row and returns the ``(rows, C)`` gradient.

    ``term32`` (same signature, float64 arrays) is a faster term whose result, rounded to
    float32 or float16, meets the float32 goal; None means ``term`` serves every dtype.

    ``rows`` layout (cosine_embedding_loss): the inputs are rows of vectors, passed as
    ``(rows, D)`` with the target as ``(rows,)``; ``term`` returns one loss per row and
    ``grads[name](*arrays, g, **params)`` takes ``g`` per row and returns ``(rows, D)``.
    """

    term: Callable[..., Any]
    grads: Mapping[str, Kernel]
    term32: Callable[..., Any] | None = None


@frozen
class ArrayArg:
    """An optional array argument of a loss (``weight``, ``pos_weight``, ``var``).

    ``shape`` is ``"same"`` (exactly the input's shape, as torch requires of mse's weight),
    ``"broadcast"`` (broadcastable to the input's shape) or ``"classes"`` (one per class,
    shape ``(C,)``). ``low`` bounds its values (``var`` >= 0). ``scales`` marks the weight
    that multiplies the unreduced loss (the engine applies it); the others go to the kernels.
    ``required`` marks one the loss cannot do without (gaussian_nll_loss's ``var``).
    """

    name: str
    help: str
    shape: Literal["same", "broadcast", "classes"] = "broadcast"
    low: float | None = None
    scales: bool = False
    required: bool = False


@frozen
class LossPlot:
    """How ``actcli plot`` draws a loss as a curve of one variable ``x``.

    ``arrays(x, params)`` builds the loss's inputs from the plotted variable (for instance
    ``input = x, target = 0`` for a regression loss, so x is the difference d = input - target);
    ``pick(grad)`` maps the gradient with respect to the input back to d(loss)/dx (None: the
    gradient itself). ``x_label`` names the variable; ``span`` is the default x-range.
    """

    x_label: str
    arrays: Callable[[Array, Mapping[str, Any]], dict[str, Array]]
    span: tuple[float, float] = (-3.0, 3.0)
    pick: Callable[[Array], Array] | None = None


#: ``torch_call(F, arrays, params, reduction)``: the PyTorch equivalent of a loss applied to
#: the tensors ``arrays`` (by input name, plus any array arguments) with the bound parameters.
LossTorchCall = Callable[[Any, Mapping[str, Any], Mapping[str, Any], str], Any]
#: ``sample(rng, shape, params)``: random valid inputs (by input name) for tests and bench.
#: (np.random.Generator is named as text: evaluating it would import numpy.random, ~7 ms of the
#: start-up of every command.)
Sampler = Callable[["np.random.Generator", tuple[int, ...], Mapping[str, Any]], dict[str, Array]]
#: ``check_inputs(arrays, params)``: refuse data outside the loss's domain (InputError).
InputCheck = Callable[[Mapping[str, Array], Mapping[str, Any]], None]


@frozen
class Loss(Record):
    """One loss: :class:`Record` plus kernels, inputs, reductions and the facts tests use.

    ``inputs`` names the arrays the loss takes, in order (``input, target``, or ``input1,
    input2, target`` for margin_ranking_loss); ``arrays`` the optional array arguments. The
    ``classes`` layout has a class axis (axis 1, or 0 for a 1-D input) as torch has it.
    ``mean_by_weight``: a weighted ``mean`` divides by the sum of the weights (torch's mse
    and l1), not by the element count (huber, bce). ``kinks`` are the values of the plotted
    variable (see :class:`LossPlot`) where the derivative is a convention, for these params.
    ``sample`` draws valid inputs, ``check_inputs`` refuses invalid ones; ``naive`` is the
    textbook formula (elementwise terms), ``goal`` the accuracy goal of the unreduced term.
    """

    kernels: LossKernels = field(default=None)  # type: ignore[assignment]
    inputs: tuple[str, ...] = ("input", "target")
    layout: LossLayout = "elementwise"
    arrays: tuple[ArrayArg, ...] = ()
    reductions: tuple[str, ...] = REDUCTIONS
    mean_by_weight: bool = False
    kinks: tuple[float, ...] | Kinks = ()
    plot: LossPlot | None = None
    sample: Sampler | None = None
    check_inputs: InputCheck | None = None
    naive: Naive | None = None
    goal: Goal = _GOAL
    torch_call: LossTorchCall | None = None

    kind_label: ClassVar[str] = "loss"

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.kernels is None:
            raise TypeError(f"loss {self.name!r} needs kernels")

    @property
    def array_names(self) -> tuple[str, ...]:
        return tuple(a.name for a in self.arrays)

    def array(self, name: str) -> ArrayArg | None:
        """The :class:`ArrayArg` called ``name``, or None."""
        return next((a for a in self.arrays if a.name == name), None)

    def kink_points(self, params: Mapping[str, Any]) -> tuple[float, ...]:
        """The plotted variable's values where the derivative is a convention."""
        if callable(self.kinks):
            return tuple(float(k) for k in self.kinks(params))
        return tuple(float(k) for k in self.kinks)
