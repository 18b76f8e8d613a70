"""The architecture registry: every network cnnviz knows by name.

Family modules (``lenet.py``, ``resnet.py``, ...) call :func:`register` at import time; the
package ``__init__`` imports them all.  :func:`cnnviz.core.zoo.resolve` also accepts any
torchvision classification model name and ``path/to/file.py:ClassName`` for a user's own model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from torch import nn

from cnnviz.core.errors import ArchError


@dataclass(frozen=True)
class ArchSpec:
    """What the catalog knows about one architecture.

    ``builder(num_classes=..., **options)`` returns a fresh ``nn.Module``; nothing in a builder
    touches tensor data, so ``with torch.device("meta"): spec.build()`` allocates no weights.
    ``options`` holds the switches the builder accepts with their defaults (e.g. ``batch_norm``,
    ``activation``, ``init``, ``aux_logits``); ``option_choices`` lists the allowed values of
    the options that have a fixed set (a UI can offer them as a menu).  ``year`` is 0 and
    ``paper`` empty where they are unknown (a user's own model).  ``twin`` names the entry a
    student compares this one with (ResNet-18 and its plain twin, VGG-16 with and without batch
    norm).
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
    option_choices: dict[str, tuple[Any, ...]] = field(default_factory=dict)

    def build(self, num_classes: int | None = None, **options: Any) -> nn.Module:
        """A fresh model; unknown options or values raise :class:`ArchError`.

        String choices match in any case (``activation="Tanh"``).
        """
        unknown = set(options) - set(self.options)
        if unknown:
            raise ArchError(
                f"{self.display_name} has no option {', '.join(sorted(unknown))}; "
                f"it accepts {', '.join(sorted(self.options)) or 'no options'}."
            )
        options = {key: self._canonical(key, value) for key, value in options.items()}
        for key, value in options.items():
            allowed = self.option_choices.get(key)
            if allowed is not None and value not in allowed:
                raise ArchError(
                    f"{self.display_name} cannot take {key}={value!r}; "
                    f"choose one of {', '.join(repr(a) for a in allowed)}."
                )
        if num_classes is not None and (
            isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 1
        ):
            raise ArchError(f"The number of classes must be a whole number of at least 1, "
                            f"not {num_classes!r}.")
        merged = {**self.options, **options}
        return self.builder(num_classes=num_classes or self.num_classes, **merged)


    def _canonical(self, key: str, value: Any) -> Any:
        """A choice spelled in another case ("ReLU", "b") becomes the listed one."""
        if isinstance(value, str):
            for choice in self.option_choices.get(key, ()):
                if isinstance(choice, str) and choice.lower() == value.lower():
                    return choice
        return value


_REGISTRY: dict[str, ArchSpec] = {}


def register(spec: ArchSpec) -> ArchSpec:
    key = spec.name.lower()
    if key in _REGISTRY:
        raise ValueError(f"architecture {spec.name!r} registered twice")
    _REGISTRY[key] = spec
    return spec


def list_specs() -> list[ArchSpec]:
    """All zoo entries, ordered by year; within a year, family by family in the order the
    family modules register them (ResNet-18 ... ResNet-152, then their plain twins)."""
    order = {key: i for i, key in enumerate(_REGISTRY)}
    family_rank: dict[str, int] = {}
    for spec in _REGISTRY.values():
        family_rank.setdefault(spec.family, len(family_rank))
    return sorted(_REGISTRY.values(),
                  key=lambda s: (s.year, family_rank[s.family], order[s.name.lower()]))


def get_spec(name: str) -> ArchSpec:
    """The zoo entry called ``name`` (any case); :func:`cnnviz.core.zoo.resolve` accepts more."""
    try:
        return _REGISTRY[name.lower()]
    except KeyError:
        raise ArchError(f"There is no architecture called '{name}' in the zoo.") from None
