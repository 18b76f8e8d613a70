"""What the preview computes, as plain functions of plain data (no widgets, no Qt).

A slider move becomes a :class:`PreviewJob`; :func:`render_preview` turns it into a
:class:`PreviewFrame` on a worker thread.  The preview works on a copy of the picture shrunk
to the size of one grid tile (:func:`fit_side`), so a 12-megapixel photo costs no more than
a thumbnail; the drawn parameters are the same at any size, so sample ``i`` of seed ``s`` in
the preview is the picture that export writes for ``i`` and ``s`` at full resolution.  The
preview merges consecutive geometric steps into one resampling
(:mod:`cnnviz.core.augment.fusion`); export runs them one by one, and the two agree up to
interpolation.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Callable

import numpy as np

from cnnviz.core.augment import Pipeline, Sample, kernels
from cnnviz.core.augment.pipeline import sample_rng


@dataclass(frozen=True)
class TileBox:
    """The area a grid tile fits its picture into: ``width`` x ``height`` device pixels at
    ``ratio`` device pixels per logical pixel."""

    width: int
    height: int
    ratio: float = 1.0


@dataclass(frozen=True)
class PreviewJob:
    """One request for the grid: ``source`` is the picture at preview size (not modified),
    ``pipeline`` a snapshot the GUI will not change, ``tile_side`` the longest side wanted.
    ``image_key`` names the picture, so a late answer for another picture can be dropped."""

    generation: int
    image_key: object
    source: np.ndarray
    pipeline: Pipeline
    count: int
    seed: int
    tile_side: int
    fused: bool = True  # merge consecutive geometric steps into one resampling (see fusion)
    box: TileBox | None = None  # where the tiles draw: the worker then makes them ready to draw
    picture: str | None = None  # the file name that, with the seed, fixes each sample's draw


@dataclass(frozen=True)
class PreviewFrame:
    """The answer to a :class:`PreviewJob`: ``base`` is the picture the samples were drawn
    from (at tile size), ``samples[i]`` is sample ``i`` of ``seed`` for the job's picture;
    ``error`` is a sentence when the pipeline could not run (then ``samples`` is empty).  ``pictures[i]`` is sample
    ``i`` made ready to draw in the job's box (a
    :class:`~cnnviz.ui.augment.tile_picture.TilePicture`), or ``pictures`` is empty when the
    job named no box."""

    generation: int
    image_key: object
    base: np.ndarray
    seed: int
    samples: tuple[Sample, ...]
    error: str = ""
    pictures: tuple[object, ...] = ()


def fit_side(image: np.ndarray, side: int) -> np.ndarray:
    """``image`` shrunk (area averaging) so its longest side is at most ``side``; the same
    array when it already fits."""
    h, w = image.shape[:2]
    scale = side / max(h, w)
    if scale >= 1.0:
        return image
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    return kernels.resize(image, size)


class _BaseCache:
    """The last few pictures shrunk to tile size: a slider drag changes the pipeline, not the
    picture, so the shrinking (the slowest part of a frame) is done once per picture and
    size (two sizes alternate: draft and full)."""

    SIZE = 4

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[tuple[np.ndarray, int, np.ndarray]] = []

    def get(self, source: np.ndarray, side: int) -> np.ndarray:
        with self._lock:
            for entry in self._entries:
                if entry[0] is source and entry[1] == side:
                    return entry[2]
        base = fit_side(source, side)
        with self._lock:
            self._entries = [(source, side, base)] + self._entries[: self.SIZE - 1]
        return base


_bases = _BaseCache()


def render_preview(job: PreviewJob,
                   finish: Callable[[Sample, tuple[int, ...]], object] | None = None) -> PreviewFrame:
    """Draw ``job.count`` samples of the picture shrunk to ``job.tile_side``.

    With ``finish``, ``finish(sample, base_shape)`` runs after each sample is drawn, on the
    same thread, and its results become the frame's ``pictures``.  Samples are drawn one
    after another: at tile size the pipeline is many short NumPy calls that hold the GIL,
    so more threads would not draw a frame sooner.

    A pipeline error (a setting out of range) comes back as ``error`` rather than raised, so
    a half-typed value never interrupts the slider.  ``job.source`` must not be modified
    afterwards: its shrunk copy is reused while the same array comes back.
    """
    from cnnviz.core.errors import CnnvizError

    base = _bases.get(job.source, job.tile_side)
    samples: list[Sample] = []
    pictures: list[object] = []
    try:
        pipeline = job.pipeline.validated()
        for index in range(job.count):
            sample = pipeline.sample(base, sample_rng(job.seed, index, job.picture), fused=job.fused)
            samples.append(sample)
            if finish is not None:
                pictures.append(finish(sample, base.shape))
    except CnnvizError as exc:
        return PreviewFrame(job.generation, job.image_key, base, job.seed, (), str(exc))
    return PreviewFrame(job.generation, job.image_key, base, job.seed, tuple(samples),
                        pictures=tuple(pictures))
