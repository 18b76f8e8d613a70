"""Augmentation core: image loading that never crashes, operations and pipelines (no Qt).

Main entry points::

    from cnnviz.core.augment import load_image, list_ops, get_op, Pipeline, Step

* :func:`load_image` / :func:`iter_image_files` / :func:`save_image` (``image_io``);
* :func:`list_ops` / :func:`get_op` give :class:`OpSpec` objects describing each operation
  and its :class:`ParamSpec` parameters, enough to build controls generically (``ops``);
* :class:`Pipeline` of :class:`Step` samples augmented images reproducibly from a seed,
  saves and loads JSON and converts to a torch transform (``pipeline``); with
  ``fused=True`` consecutive geometric steps are resampled in one pass (``fusion``).

Images are RGB ``uint8`` numpy arrays of shape ``(H, W, 3)`` throughout.
"""

from cnnviz.core.augment.colour import IMAGENET_BASIS, PcaBasis, pca_basis
from cnnviz.core.augment.image_io import (
    IMAGE_SUFFIXES,
    ImageFiles,
    iter_image_files,
    load_image,
    probe_image,
    save_image,
)
from cnnviz.core.augment.ops import describe_ops, get_op, list_ops, register_op
from cnnviz.core.augment.pipeline import AppliedStep, Pipeline, Sample, Step, sample_rng
from cnnviz.core.augment.spec import (
    CATEGORIES,
    VISUALS,
    Move,
    OpInfo,
    OpResult,
    OpSpec,
    ParamSpec,
    PcaInfo,
)

__all__ = [
    "AppliedStep", "CATEGORIES", "IMAGENET_BASIS", "IMAGE_SUFFIXES", "ImageFiles", "Move", "OpInfo",
    "OpResult", "OpSpec", "ParamSpec", "PcaBasis", "PcaInfo", "Pipeline", "Sample", "Step",
    "VISUALS", "describe_ops", "get_op", "iter_image_files", "list_ops", "load_image",
    "pca_basis", "probe_image", "register_op", "sample_rng", "save_image",
]
