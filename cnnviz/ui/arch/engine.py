"""The calls into the core that the workspace runs on worker threads.

Each function takes and returns plain data, so it can run on a pool thread: nothing here
touches a widget.  torch is imported only inside these functions, which keeps it off the
start-up path of the window.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from cnnviz.core.lazy_torch import import_torch


@dataclass
class CatalogEntry:
    """One row of the catalog: a zoo architecture or a torchvision model name."""

    ref: str
    display_name: str
    family: str
    year: int | None = None
    paper: str = ""
    note: str = ""
    twin: str | None = None
    input_shape: tuple[int, ...] | None = None
    num_classes: int | None = None
    options: dict[str, Any] = field(default_factory=dict)
    source: str = "zoo"


@dataclass
class Inspection:
    """A finished inspection: the engine's report and how it is first shown."""

    ref: str
    report: Any  # cnnviz.core.inspect.ModelReport
    default_collapsed: frozenset[str]
    layout: Any  # cnnviz.core.inspect.Layout for ``default_collapsed``
    options: dict[str, Any] = field(default_factory=dict)  # as asked; {} is the defaults


def load_catalog() -> list[CatalogEntry]:
    """The zoo entries, then every torchvision classification model not already in the zoo
    (named, dated and sized as its spec says; building a spec reads docstrings only)."""
    import_torch()  # torch's first use may be here: load it without freezing the window
    from cnnviz.core.zoo import list_specs, torchvision_spec

    entries = [_entry(s) for s in list_specs()]
    known = {e.ref.lower() for e in entries}
    more = [_entry(torchvision_spec(name)) for name in torchvision_names()
            if name.lower() not in known]
    return entries + sorted(more, key=lambda e: _natural_key(e.display_name))


def _entry(spec) -> CatalogEntry:
    return CatalogEntry(
        ref=spec.name, display_name=spec.display_name, family=spec.family, year=spec.year or None,
        paper=spec.paper, note=spec.note, twin=spec.twin, input_shape=tuple(spec.input_shape),
        num_classes=spec.num_classes, options=dict(spec.options), source=spec.source,
    )


def _natural_key(text: str) -> list:
    """Sort "ResNet-18" before "ResNet-101": runs of digits compare as numbers."""
    return [(0, float(part), "") if part[:1].isdigit() else (1, 0.0, part.lower())
            for part in re.findall(r"\d+(?:\.\d+)?|\D+", text)]


def torchvision_names() -> list[str]:
    """Classification model names torchvision can build, as the zoo resolves them."""
    import_torch()  # torch's first use may be here: load it without freezing the window
    from cnnviz.core.zoo import torchvision_names as names

    return sorted(names())


def inspect(ref: str, input_shape: tuple[int, ...] | None, num_classes: int | None,
            options: dict[str, Any] | None) -> Inspection:
    """Build and trace ``ref`` with the engine and lay out its default view."""
    import_torch()  # torch's first use may be here: load it without freezing the window
    from cnnviz.core.inspect import compute_layout, default_collapsed, inspect_model

    report = inspect_model(ref, input_shape=input_shape, num_classes=num_classes,
                           options=options or None)
    collapsed = frozenset(default_collapsed(report))
    return Inspection(ref, report, collapsed, compute_layout(report, collapsed=collapsed),
                      dict(options or {}))


def file_models(path: str, trusted: bool = False) -> list[str]:
    """The networks a user's model file holds: the nn.Module classes a .py file defines
    (importing it runs its code), or the one network a .pt/.pth/.ts file saved.  A whole
    pickled network raises :class:`~cnnviz.core.errors.TrustRequiredError` unless
    ``trusted`` (unpickling runs code the file names)."""
    import_torch()  # torch's first use may be here: load it without freezing the window
    from cnnviz.core.zoo import list_file_models

    return list(list_file_models(path, trusted=trusted))
