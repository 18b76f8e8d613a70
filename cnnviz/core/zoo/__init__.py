"""The architecture zoo."""

from cnnviz.core.zoo.registry import ArchSpec, get_spec, list_specs, register

__all__ = ["ArchSpec", "get_spec", "list_specs", "register"]
