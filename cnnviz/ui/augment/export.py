"""Writing augmented samples at full resolution (no widgets: runs on a worker thread).

File names and pixels match ``cnnviz augment``: picture ``cat.jpg`` with seed ``s`` gives
``cat_000.png`` ... with sample ``i`` drawn from ``sample_rng(s, i, "cat.jpg")``, so the
preview, this export and the command line agree, and two pictures never share their draws.  Each file is written atomically by the core's
``save_image``; a picture that cannot be read is reported and the others are still written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from cnnviz.core.augment import Pipeline, save_image
from cnnviz.core.augment.pipeline import sample_rng
from cnnviz.core.errors import CnnvizError
from cnnviz.ui.augment.images import LoadedImage

FORMATS = {"png": "PNG (lossless)", "jpg": "JPEG", "webp": "WebP", "bmp": "BMP", "tiff": "TIFF"}


@dataclass(frozen=True)
class ExportJob:
    images: tuple[LoadedImage, ...]
    pipeline: Pipeline
    count: int
    seed: int
    folder: Path
    suffix: str = "png"

    @property
    def total(self) -> int:
        return len(self.images) * self.count


@dataclass
class ExportResult:
    written: list[Path] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    cancelled: bool = False

    def message(self) -> str:
        """One or two sentences for the user."""
        n = len(self.written)
        text = f"Wrote {n} sample{'s' if n != 1 else ''}"
        text += f" to {self.written[0].parent}." if n else "."
        if self.cancelled:
            text += " Export was stopped before the end."
        if self.errors:
            text += " " + " ".join(self.errors)
        return text


def unique_stems(images: tuple[LoadedImage, ...]) -> list[str]:
    """File stems for ``images``; pictures sharing a name get -2, -3 ... as on the CLI."""
    used: set[str] = set()
    stems = []
    for image in images:
        candidate, n = image.stem, 2
        while candidate in used:
            candidate, n = f"{image.stem}-{n}", n + 1
        used.add(candidate)
        stems.append(candidate)
    return stems


def write_samples(job: ExportJob, progress: Callable[[int, int], None] = lambda done, total: None,
                  cancelled: Callable[[], bool] = lambda: False) -> ExportResult:
    """Write ``job.count`` samples of each picture into ``job.folder`` (created if needed).

    ``progress(done, total)`` is called after each file; ``cancelled()`` is checked before
    each file and stops the export early (files already written stay).
    """
    result = ExportResult()
    try:
        job.folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        result.errors.append(f"Cannot create the folder {job.folder}: {exc.strerror or exc}.")
        return result
    pipeline = job.pipeline.validated()
    done = 0
    for image, stem in zip(job.images, unique_stems(job.images)):
        if cancelled():
            result.cancelled = True
            break
        try:
            full = image.full_resolution()
        except CnnvizError as exc:
            result.errors.append(str(exc))
            done += job.count
            progress(done, job.total)
            continue
        for i in range(job.count):
            if cancelled():
                result.cancelled = True
                return result
            sample = pipeline.sample(full, sample_rng(job.seed, i, image.name))
            try:
                result.written.append(save_image(sample.image, job.folder / f"{stem}_{i:03d}.{job.suffix}"))
            except CnnvizError as exc:
                result.errors.append(str(exc))
                return result
            done += 1
            progress(done, job.total)
    return result
