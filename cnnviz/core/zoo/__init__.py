"""The architecture zoo: the classic CNNs by name, any torchvision model, or a user's file.

Importing this package registers every family module.  Use :func:`resolve` to turn what a
user typed into an :class:`ArchSpec`, then ``spec.build(num_classes=..., **options)``.
"""

from cnnviz.core.zoo import (  # noqa: F401 - imported so their entries register
    alexnet,
    cifar_resnet,
    googlenet,
    lenet,
    mobilenet,
    resnet,
    vgg,
)
from cnnviz.core.zoo.registry import ArchSpec, get_spec, list_specs, register
from cnnviz.core.zoo.resolve import resolve
from cnnviz.core.zoo.switches import ACTIVATIONS, INITS
from cnnviz.core.zoo.torchvision_models import torchvision_names, torchvision_spec
from cnnviz.core.zoo.user_file import file_spec, list_file_models

__all__ = [
    "ACTIVATIONS",
    "INITS",
    "ArchSpec",
    "file_spec",
    "get_spec",
    "list_file_models",
    "list_specs",
    "register",
    "resolve",
    "torchvision_names",
    "torchvision_spec",
]
