"""What an augmentation operation is: its parameters, how they are drawn, what it returns.

Every operation is described by an :class:`OpSpec` so that a user interface can build its
controls generically (one slider or range slider per :class:`ParamSpec`) and a pipeline file
can be validated against it.  An operation has two halves:

* ``apply(image, params) -> OpResult``: a pure function of an RGB ``uint8`` array of shape
  ``(H, W, 3)`` and *concrete* parameter values (one angle, one crop box, one noise seed);
* ``sample(settings, rng, shape) -> params``: draws those concrete values from the user's
  *settings* (a value, or a ``(low, high)`` range for ranged parameters) with a seeded
  :class:`numpy.random.Generator`, so the same seed reproduces the same picture.

Coordinates follow the usual image convention: ``x`` to the right, ``y`` down, pixel centres
at integer coordinates, ``(0, 0)`` the centre of the top-left pixel.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Literal, Mapping

import numpy as np

from cnnviz.core.errors import PipelineError

ParamKind = Literal["float", "int", "bool", "choice"]

# Categories in the order a user interface should list them.
CATEGORIES = ("geometry", "colour", "warp", "filter", "occlusion")

# What an operation can show besides its output image (see OpInfo).
VISUALS = ("matrix", "displacement", "pca", "box")


@dataclass(frozen=True)
class ParamSpec:
    """One user-settable parameter of an operation.

    ``ranged`` parameters are set as a ``(low, high)`` pair and the sampler draws uniformly
    inside it (a pair with ``low == high`` fixes the value); others are a single value.
    ``minimum``/``maximum`` bound what the user may choose (for ``float`` and ``int``);
    ``step`` is a sensible slider step; ``unit`` is a short suffix for display ("°", "px",
    "% of side"); ``choices`` lists the values of a ``choice`` parameter.
    """

    name: str
    title: str
    kind: ParamKind
    default: Any
    minimum: float | None = None
    maximum: float | None = None
    step: float | None = None
    unit: str = ""
    ranged: bool = False
    choices: tuple[str, ...] = ()
    help: str = ""

    def validate(self, value: Any, op_name: str) -> Any:
        """Return ``value`` normalised (tuple for ranges, right scalar type) or raise
        :class:`PipelineError` with a sentence naming the operation and parameter."""
        where = f"parameter '{self.name}' of '{op_name}'"
        if self.ranged:
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                value = (value, value)
            if not isinstance(value, (list, tuple)) or len(value) != 2:
                raise PipelineError(f"The {where} must be a range [low, high], not {value!r}.")
            low, high = (self._scalar(v, where) for v in value)
            if low > high:
                raise PipelineError(f"The {where} has its low end {low} above its high end {high}.")
            return (low, high)
        return self._scalar(value, where)

    def _scalar(self, value: Any, where: str) -> Any:
        if self.kind == "bool":
            if not isinstance(value, bool):
                raise PipelineError(f"The {where} must be true or false, not {value!r}.")
            return value
        if self.kind == "choice":
            if value not in self.choices:
                options = ", ".join(self.choices)
                raise PipelineError(f"The {where} must be one of {options}, not {value!r}.")
            return value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise PipelineError(f"The {where} must be a number, not {value!r}.")
        if self.kind == "int":
            if float(value) != int(value):
                raise PipelineError(f"The {where} must be a whole number, not {value!r}.")
            value = int(value)
        else:
            value = float(value)
            if not np.isfinite(value):
                raise PipelineError(f"The {where} must be a finite number, not {value!r}.")
        if self.minimum is not None and value < self.minimum or (
            self.maximum is not None and value > self.maximum
        ):
            raise PipelineError(
                f"The {where} must lie between {self.minimum:g} and {self.maximum:g}, "
                f"not {value:g}."
            )
        return value

    def draw(self, setting: Any, rng: np.random.Generator) -> Any:
        """Draw one concrete value from a validated setting (uniform inside a range)."""
        if not self.ranged:
            return setting
        low, high = setting
        if self.kind == "int":
            return int(rng.integers(low, high + 1))
        return float(rng.uniform(low, high))


@dataclass(frozen=True)
class PcaInfo:
    """The eigen-decomposition behind one PCA colour shift (Krizhevsky et al. 2012, 4.1).

    ``eigenvectors`` has the unit eigenvectors p1, p2, p3 of the RGB covariance as columns and
    ``eigenvalues`` l1 >= l2 >= l3 (both for colours scaled to [0, 1]); ``alphas`` are the
    drawn a1, a2, a3; ``shift`` = [p1 p2 p3][a1*l1, a2*l2, a3*l3]^T in 0-255 levels, the RGB
    value added (rounded to whole levels) to every pixel before clipping.
    """

    eigenvectors: np.ndarray
    eigenvalues: np.ndarray
    alphas: np.ndarray
    shift: np.ndarray
    source: str


@dataclass(frozen=True)
class OpInfo:
    """What one application of an operation did, for display and for tests.

    ``params`` are the concrete values used.  ``matrix`` (3x3, affine and perspective
    operations) maps input pixel coordinates to output pixel coordinates in homogeneous form.
    ``displacement`` (warps; ``(H, W, 2)`` float32, x then y) tells, for each output pixel,
    how far away in the input its value was taken from: ``out[y, x] = in[y + dy, x + dx]``.
    ``box`` (crops and erasing) is ``(x0, y0, x1, y1)`` in input pixels, end exclusive.
    """

    op: str
    params: dict[str, Any]
    matrix: np.ndarray | None = None
    displacement: np.ndarray | None = None
    pca: PcaInfo | None = None
    box: tuple[int, int, int, int] | None = None


@dataclass(frozen=True)
class OpResult:
    """An operation's output image (RGB uint8, ``(H', W', 3)``) and what it did.

    The image may be a view of the input (a crop is a slice): copy it before changing it in
    place.  :meth:`Pipeline.sample` always returns an array of its own.
    """

    image: np.ndarray
    info: OpInfo


@dataclass(frozen=True)
class Move:
    """How a geometric operation or warp moves pixels, worked out without moving them.

    ``info`` is the :class:`OpInfo` the operation reports (with its ``matrix``, input to
    output, or its ``displacement``); ``size`` is the output ``(width, height)``; ``fill`` is
    the grey level for places the input does not cover, or None for operations that never
    read outside their input (flips and crops repeat the edge pixel, warps mirror).
    """

    info: OpInfo
    size: tuple[int, int]
    fill: int | None = None


ApplyFn = Callable[[np.ndarray, Mapping[str, Any]], OpResult]
PlanFn = Callable[[tuple[int, ...], Mapping[str, Any]], Move]
ExtraSampler = Callable[[Mapping[str, Any], np.random.Generator, tuple[int, ...]], dict]


@dataclass(frozen=True)
class OpSpec:
    """One augmentation operation as the registry, the pipeline and the UI see it.

    ``shows`` names what its :class:`OpInfo` carries beyond the image (a subset of
    :data:`VISUALS`).  ``keeps_size`` is False for operations whose output size differs
    from their input (random crop).  ``extra_sampler`` draws the values that are not user
    parameters (crop position, noise seed, PCA alphas); its keys join the drawn params.
    ``plan`` (geometric operations and warps only) tells, from the input shape and concrete
    parameters alone, how the operation moves pixels (a :class:`Move`), so that a pipeline can
    merge consecutive moves into one resampling (see :mod:`cnnviz.core.augment.fusion`).
    ``default_probability`` is the chance a newly added step starts with: 1 for operations
    that draw a random amount each time, 0.5 for those with nothing to draw (a flip at 100 %
    would change every sample the same way, which is no augmentation at all).
    """

    name: str
    title: str
    category: str
    description: str
    params: tuple[ParamSpec, ...]
    apply: ApplyFn
    shows: frozenset[str] = frozenset()
    keeps_size: bool = True
    extra_sampler: ExtraSampler | None = field(default=None, repr=False)
    plan: PlanFn | None = field(default=None, repr=False)
    default_probability: float = 1.0

    def param(self, name: str) -> ParamSpec:
        for spec in self.params:
            if spec.name == name:
                return spec
        raise KeyError(name)

    def default_settings(self) -> dict[str, Any]:
        """The settings a newly added step starts with."""
        return {p.name: p.default for p in self.params}

    def validate(self, settings: Mapping[str, Any]) -> dict[str, Any]:
        """Complete ``settings`` with defaults and check each value; unknown names and bad
        values raise :class:`PipelineError`."""
        unknown = set(settings) - {p.name for p in self.params}
        if unknown:
            names = ", ".join(sorted(unknown))
            raise PipelineError(f"The operation '{self.name}' has no parameter named {names}.")
        return {p.name: p.validate(settings.get(p.name, p.default), self.name) for p in self.params}

    def sample(
        self, settings: Mapping[str, Any], rng: np.random.Generator, shape: tuple[int, ...]
    ) -> dict[str, Any]:
        """Draw concrete parameters for an image of ``shape`` from validated ``settings``.

        Draws happen in a fixed order (parameters as listed, then the extra sampler), so a
        seed always gives the same values.
        """
        drawn = {p.name: p.draw(settings[p.name], rng) for p in self.params}
        if self.extra_sampler is not None:
            drawn.update(self.extra_sampler(drawn, rng, shape))
        return drawn

    def run(
        self, image: np.ndarray, settings: Mapping[str, Any], rng: np.random.Generator
    ) -> OpResult:
        """Validate ``settings``, draw parameters with ``rng`` and apply them to ``image``."""
        return self.apply(image, self.sample(self.validate(settings), rng, image.shape))


def as_rgb_u8(image: np.ndarray) -> np.ndarray:
    """Check that ``image`` is the array every operation expects: ``(H, W, 3)`` uint8."""
    if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(f"expected an (H, W, 3) uint8 image, got {image.dtype} {image.shape}")
    if image.shape[0] < 1 or image.shape[1] < 1:
        raise ValueError("the image is empty")
    return image
