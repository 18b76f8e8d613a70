"""Errors whose message is a sentence meant for the user, not a traceback."""


class CnnvizError(Exception):
    """Base class: ``str(err)`` is a complete sentence a student can act on."""


class ArchError(CnnvizError):
    """An architecture name or model file that cannot be resolved or built."""


class InputTooSmallError(CnnvizError):
    """The chosen input size shrinks to nothing somewhere inside the network."""


class TraceError(CnnvizError):
    """A model that could neither be traced nor run with hooks."""


class ImageLoadError(CnnvizError):
    """A file that is not an image we can read, or one that is unsafe to decode."""


class PipelineError(CnnvizError):
    """An augmentation pipeline file or parameter that is not valid."""


class TrainingError(CnnvizError):
    """A training configuration or run that cannot go on."""


class InputShapeError(CnnvizError):
    """The chosen input shape does not fit the network (e.g. the wrong number of channels)."""


class ImageSaveError(CnnvizError):
    """An image that cannot be written where or in the format the user asked."""


class WeightsError(CnnvizError):
    """Weights that cannot be downloaded, read, or fitted to the chosen network."""


class TorchUnavailableError(CnnvizError):
    """PyTorch or torchvision cannot be imported in this Python environment."""


def brief(exc: BaseException, limit: int = 140) -> str:
    """The first line of ``exc``'s message, cut at a word before ``limit`` characters (with
    "…"), for quoting a library's error inside one of our sentences; its type's name when
    it has no message."""
    text = next((line.strip() for line in str(exc).splitlines() if line.strip()), "")
    if not text:
        return type(exc).__name__
    if len(text) <= limit:
        return text.rstrip(".")
    cut = text[:limit].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit]
    return cut.rstrip(" ,;:.") + "…"


class TrustRequiredError(ArchError):
    """A saved file that holds a whole pickled network: unpickling it runs Python code named
    by the file, so it is opened only after the user says they trust it (``trusted=True`` in
    the core, ``--trust`` on the command line).  ``path`` is the file, ``class_name`` the
    network's class and ``module`` the module that defines it (imported when loading)."""

    def __init__(self, path, class_name: str, module: str = "") -> None:
        self.path = path
        self.class_name = class_name
        self.module = module
        name = getattr(path, "name", str(path))
        where = f" from {module.rsplit('.', 1)[-1]}.py" if module else ""
        super().__init__(f"{name} is a whole pickled network ({class_name}{where}), and "
                         "opening it runs Python code from the file; open it only if you "
                         "trust where it came from.")
