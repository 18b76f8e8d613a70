"""The registry of augmentation operations.

:func:`list_ops` gives every :class:`~cnnviz.core.augment.spec.OpSpec` in display order
(by category, then as listed in its module); :func:`get_op` finds one by name.  To run one::

    spec = get_op("rotate")
    result = spec.run(image, {"angle": (-30, 30)}, np.random.default_rng(7))
    result.image, result.info.matrix

or, with concrete parameters, ``spec.apply(image, {"angle": 30.0, "fill": 0})``.
"""

from __future__ import annotations

from typing import Any

from cnnviz.core.augment import colour, filters, geometry, warp
from cnnviz.core.augment.spec import CATEGORIES, OpSpec
from cnnviz.core.errors import PipelineError

_REGISTRY: dict[str, OpSpec] = {}


def register_op(spec: OpSpec) -> OpSpec:
    """Add an operation; its name must be new and its category one of ``CATEGORIES``."""
    if spec.name in _REGISTRY:
        raise ValueError(f"an augmentation named {spec.name!r} is already registered")
    if spec.category not in CATEGORIES:
        raise ValueError(f"unknown category {spec.category!r} for {spec.name!r}")
    _REGISTRY[spec.name] = spec
    return spec


for _module in (geometry, colour, warp, filters):
    for _spec in _module.OPS:
        register_op(_spec)


def list_ops() -> list[OpSpec]:
    """All operations, grouped by category in the order of ``CATEGORIES``."""
    return sorted(_REGISTRY.values(), key=lambda s: CATEGORIES.index(s.category))


def get_op(name: str) -> OpSpec:
    """The operation called ``name``; :class:`PipelineError` if there is none."""
    try:
        return _REGISTRY[name]
    except KeyError:
        known = ", ".join(sorted(_REGISTRY))
        raise PipelineError(f"There is no augmentation called '{name}'; known ones: {known}.") from None


def describe_ops() -> list[dict[str, Any]]:
    """Every operation as plain JSON-ready data (what ``cnnviz augment --list-ops`` prints)."""
    out = []
    for spec in list_ops():
        out.append({
            "name": spec.name,
            "title": spec.title,
            "category": spec.category,
            "description": spec.description,
            "keeps_size": spec.keeps_size,
            "shows": sorted(spec.shows),
            "probability": spec.default_probability,
            "params": [
                {
                    "name": p.name, "title": p.title, "kind": p.kind,
                    "default": list(p.default) if p.ranged else p.default,
                    "min": p.minimum, "max": p.maximum, "step": p.step, "unit": p.unit,
                    "ranged": p.ranged, "choices": list(p.choices), "help": p.help,
                }
                for p in spec.params
            ],
        })
    return out
