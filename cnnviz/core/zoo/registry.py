"""The architecture registry: every network cnnviz knows by name.

Family modules (``lenet.py``, ``resnet.py``, ...) call :func:`register` at import time; the
package ``__init__`` imports them all.  :func:`resolve` also accepts any torchvision
classification model name and ``path/to/file.py:ClassName`` for a user's own model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from torch import nn

from cnnviz.core.errors import ArchError


@dataclass(frozen=True)
class ArchSpec:
    """What the catalog knows about one architecture.

    ``builder(num_classes=..., **options)`` returns a fresh ``nn.Module``.  ``options`` holds the
    switches the builder accepts with their defaults (e.g. ``batch_norm``, ``activation``,
    ``init``, ``aux_logits``).
    """

    name: str
    display_name: str
    family: str
    year: int
    paper: str
    input_shape: tuple[int, int, int]
    num_classes: int
    note: str
    builder: Callable[..., nn.Module]
    twin: str | None = None
    options: dict[str, Any] = field(default_factory=dict)
    source: str = "zoo"  # "zoo", "torchvision" or "file"

    def build(self, num_classes: int | None = None, **options: Any) -> nn.Module:
        unknown = set(options) - set(self.options)
        if unknown:
            raise ArchError(
                f"{self.display_name} has no option {', '.join(sorted(unknown))}; "
                f"it accepts {', '.join(sorted(self.options)) or 'no options'}."
            )
        merged = {**self.options, **options}
        return self.builder(num_classes=num_classes or self.num_classes, **merged)


_REGISTRY: dict[str, ArchSpec] = {}


def register(spec: ArchSpec) -> ArchSpec:
    key = spec.name.lower()
    if key in _REGISTRY:
        raise ValueError(f"architecture {spec.name!r} registered twice")
    _REGISTRY[key] = spec
    return spec


def list_specs() -> list[ArchSpec]:
    """All zoo entries, ordered by family then year then name."""
    return sorted(_REGISTRY.values(), key=lambda s: (s.year, s.family, s.name))


def get_spec(name: str) -> ArchSpec:
    try:
        return _REGISTRY[name.lower()]
    except KeyError:
        raise ArchError(f"There is no architecture called '{name}' in the zoo.") from None
