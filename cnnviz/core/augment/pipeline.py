"""Augmentation pipelines: an ordered list of steps, sampled reproducibly, stored as JSON.

A :class:`Step` names an operation, holds its *settings* (a value, or a ``[low, high]``
range for ranged parameters), the probability that it is applied and whether it is enabled.
:meth:`Pipeline.sample` runs the enabled steps in order on an image.

Reproducibility: every step draws from its own generator derived from one key drawn from the
caller's generator and the step's position, and always draws its parameters, applied or not.
So changing one step's range, probability or switch leaves every other step's random values
as they were: a preview changes only where the user touched it.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import numpy as np

from cnnviz.core.augment import fusion
from cnnviz.core.augment.ops import get_op
from cnnviz.core.augment.spec import Move, OpInfo, OpSpec, as_rgb_u8
from cnnviz.core.errors import PipelineError

FORMAT = "cnnviz-augment-pipeline"
VERSION = 1


def sample_rng(seed: int, index: int, picture: str | None = None) -> np.random.Generator:
    """The generator for sample ``index`` of a run seeded with ``seed``.

    ``picture`` is the file name of the picture being augmented ("cat.jpg"): each picture
    then gets its own draws, so sample 0 of cat.jpg and sample 0 of dog.jpg are cropped and
    rotated differently, while sample 3 of cat.jpg with seed 7 is always the same picture
    (the preview grid, the export and ``cnnviz augment`` all pass the file name).  Without
    ``picture`` (the torch transform, which numbers dataset items instead) the draw depends
    on the seed and index only.
    """
    if picture is None:
        return np.random.default_rng([int(seed), int(index)])
    return np.random.default_rng([int(seed), int(index), picture_code(picture)])


def picture_code(name: str) -> int:
    """A number fixed by ``name`` alone, the same in every run and on every machine (unlike
    Python's ``hash``, which changes from run to run)."""
    return int.from_bytes(hashlib.blake2b(name.encode("utf-8"), digest_size=8).digest(), "little")


@dataclass
class Step:
    """One operation in a pipeline; ``params`` are settings (missing ones take defaults)."""

    op: str
    params: dict[str, Any] = field(default_factory=dict)
    probability: float = 1.0
    enabled: bool = True

    @classmethod
    def new(cls, op: str) -> Step:
        """The step an editor adds for ``op``: its default settings and default chance
        (50 % for a flip, see :attr:`OpSpec.default_probability`)."""
        spec = get_op(op)
        return cls(op, spec.default_settings(), spec.default_probability)

    def validated(self) -> Step:
        """A copy with every setting checked and completed; :class:`PipelineError` if any is
        wrong, the operation is unknown or the probability is outside [0, 1]."""
        spec = get_op(self.op)
        p = self.probability
        if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0.0 <= p <= 1.0:
            raise PipelineError(
                f"The probability of step '{self.op}' must be a number from 0 to 1, not {p!r}."
            )
        if not isinstance(self.enabled, bool):
            raise PipelineError(f"The 'enabled' flag of step '{self.op}' must be true or false.")
        return Step(self.op, spec.validate(self.params), float(p), self.enabled)

    def to_dict(self) -> dict[str, Any]:
        params = {k: list(v) if isinstance(v, tuple) else v for k, v in self.params.items()}
        return {"op": self.op, "probability": self.probability, "enabled": self.enabled,
                "params": params}


@dataclass(frozen=True)
class AppliedStep:
    """What happened at one step of one sample: ``info`` is None when it was skipped (by its
    probability or because it is disabled)."""

    index: int
    op: str
    info: OpInfo | None

    @property
    def applied(self) -> bool:
        return self.info is not None


@dataclass(frozen=True)
class Sample:
    """One augmented image and the record of every step."""

    image: np.ndarray
    steps: tuple[AppliedStep, ...]

    @property
    def infos(self) -> list[OpInfo]:
        """The infos of the steps that were applied, in order."""
        return [s.info for s in self.steps if s.info is not None]


class Pipeline:
    """An ordered, editable list of :class:`Step` objects."""

    def __init__(self, steps: Iterable[Step] = ()) -> None:
        self.steps: list[Step] = list(steps)

    def __repr__(self) -> str:
        return f"Pipeline({self.steps!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Pipeline) and self.to_dict() == other.to_dict()

    def validated(self) -> Pipeline:
        """A copy with every step checked and completed (raises :class:`PipelineError`)."""
        return Pipeline(step.validated() for step in self.steps)

    def sample(self, image: np.ndarray, rng: np.random.Generator, *, fused: bool = False) -> Sample:
        """Apply the enabled steps to ``image`` (RGB uint8) in order, each with its
        probability, drawing everything from ``rng``.

        With ``fused``, runs of consecutive geometric steps and warps are resampled in one
        pass (:mod:`~cnnviz.core.augment.fusion`): the same parameters and step records, the
        same picture up to interpolation, faster where several steps resample (what the
        preview uses).
        Without it every step resamples on its own, byte for byte as it always has (what
        export and ``cnnviz augment`` write).
        """
        return _sample(self.validated().steps, image, rng, fused)

    def samples(self, image: np.ndarray, count: int, seed: int, *, fused: bool = False,
                picture: str | None = None) -> list[Sample]:
        """``count`` samples of ``image``; sample i uses :func:`sample_rng` (seed, i, picture)."""
        steps = self.validated().steps
        return [_sample(steps, image, sample_rng(seed, i, picture), fused) for i in range(count)]

    # --- JSON -------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return {"format": FORMAT, "version": VERSION, "steps": [s.to_dict() for s in self.steps]}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2) + "\n"

    @classmethod
    def from_dict(cls, data: Any, source: str = "The pipeline") -> Pipeline:
        """Build and validate a pipeline from parsed JSON; :class:`PipelineError` names
        ``source`` and what is wrong."""
        if not isinstance(data, dict) or not isinstance(data.get("steps"), list):
            raise PipelineError(f"{source} has no list of \"steps\"; it is not a cnnviz pipeline.")
        if data.get("format", FORMAT) != FORMAT:
            raise PipelineError(f"{source} is a {data.get('format')!r} file, not a cnnviz pipeline.")
        version = data.get("version", VERSION)
        if not isinstance(version, int) or version > VERSION:
            raise PipelineError(
                f"{source} was written by a newer cnnviz (format version {version}); "
                "update cnnviz to read it."
            )
        steps = []
        for number, raw in enumerate(data["steps"], start=1):
            if not isinstance(raw, dict) or not isinstance(raw.get("op"), str):
                raise PipelineError(f"Step {number} of {source.lower()} does not name an \"op\".")
            extra = set(raw) - {"op", "params", "probability", "enabled"}
            if extra:
                raise PipelineError(
                    f"Step {number} of {source.lower()} has unknown keys: {', '.join(sorted(extra))}."
                )
            params = raw.get("params", {})
            if not isinstance(params, dict):
                raise PipelineError(f"The params of step {number} of {source.lower()} must be an object.")
            step = Step(raw["op"], dict(params), raw.get("probability", 1.0), raw.get("enabled", True))
            steps.append(step.validated())
        return cls(steps)

    @classmethod
    def from_json(cls, text: str, source: str = "The pipeline") -> Pipeline:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise PipelineError(
                f"{source} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})."
            ) from None
        return cls.from_dict(data, source)

    def save(self, path: str | os.PathLike) -> None:
        """Write the pipeline as JSON, atomically (a crash never leaves half a file)."""
        path = Path(path)
        tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
        try:
            tmp.write_text(self.to_json(), encoding="utf-8")
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)

    @classmethod
    def load(cls, path: str | os.PathLike) -> Pipeline:
        """Read a pipeline file; :class:`PipelineError` for a missing, unreadable or invalid
        file."""
        path = Path(path)
        source = f"The pipeline file {path.name}"
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise PipelineError(f"The pipeline file {path} does not exist.") from None
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or "it is not UTF-8 text"
            raise PipelineError(f"The pipeline file {path} cannot be read ({reason}).") from None
        return cls.from_json(text, source)

    # --- conversions ------------------------------------------------------------------

    def to_torch_transform(self, seed: int | None = None):
        """A callable for a torch ``Dataset``: PIL image, numpy array or tensor in, float
        tensor (C, H, W) in [0, 1] out.  See :class:`~cnnviz.core.augment.torch_transform.
        PipelineTransform` for how samples are seeded."""
        from cnnviz.core.augment.torch_transform import PipelineTransform

        return PipelineTransform(self.validated(), seed)

    def to_torchvision_code(self, image_size: tuple[int, int] | None = None) -> str:
        """Equivalent ``torchvision.transforms.v2`` code, with a comment where there is no
        equivalent; ``image_size`` (h, w) fills in pixel sizes that depend on the input."""
        from cnnviz.core.augment.torchvision_code import pipeline_to_code

        return pipeline_to_code(self.validated(), image_size)


def _sample(steps: list[Step], image: np.ndarray, rng: np.random.Generator, fused: bool) -> Sample:
    """:meth:`Pipeline.sample` for already validated ``steps``."""
    image = as_rgb_u8(np.asarray(image))
    key = int(rng.integers(0, 2**63 - 1))
    fused = fused and fusion.available()
    record = []
    out = image
    shape = image.shape  # of the picture the next step meets, moves still pending included
    pending: list[tuple[OpSpec, dict, Move]] = []
    for index, step in enumerate(steps):
        if not step.enabled:
            record.append(AppliedStep(index, step.op, None))
            continue
        spec = get_op(step.op)
        step_rng = np.random.default_rng([key, index])
        coin = step_rng.random()
        params = spec.sample(step.params, step_rng, shape)
        if coin >= step.probability:
            record.append(AppliedStep(index, step.op, None))
            continue
        if fused and spec.plan is not None:
            move = spec.plan(shape, params)
            if not fusion.joins([m for _, _, m in pending], move):
                out = _flush(out, pending)
            pending.append((spec, params, move))
            record.append(AppliedStep(index, step.op, move.info))
            shape = (move.size[1], move.size[0], 3)
            continue
        out = _flush(out, pending)
        result = spec.apply(out, params)
        out = result.image
        shape = out.shape
        record.append(AppliedStep(index, step.op, result.info))
    out = _flush(out, pending)
    if np.may_share_memory(out, image):
        out = out.copy()
    return Sample(out, tuple(record))


def _flush(image: np.ndarray, pending: list[tuple[OpSpec, dict, Move]]) -> np.ndarray:
    """Apply the moves waiting in ``pending`` (emptying it).  Flips and crops alone run as
    themselves: copying, slicing and resizing cost less than one general resampling."""
    if not pending:
        return image
    moves = [move for _, _, move in pending]
    if all(m.fill is None and m.info.displacement is None for m in moves):
        for spec, params, _ in pending:
            image = spec.apply(image, params).image
    else:
        image = fusion.resample(image, moves)
    pending.clear()
    return image
