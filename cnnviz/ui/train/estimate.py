"""How long a run will take on this computer, going by the last run of the same models.

A deep network on a laptop's CPU trains a few dozen images a second, so the default lesson
can take more than ten minutes; a class wants to know that before pressing Start.  Nothing
short of running the models says how fast they go on this computer, so the estimate is
measured: when a run ends, :func:`remember_speed` keeps its throughput (images through all of
its models per second of the whole run, validation included) for its models, switches, data
set and device; :func:`estimate_sentence` turns a planned run into "about 12 min" with it.
A run of models never trained here gets a rough first guess instead
(:mod:`~cnnviz.ui.train.first_guess`).
"""

from __future__ import annotations

import json
import math

from cnnviz.core.train.records import RunConfig
from cnnviz.ui import settings
from cnnviz.ui.train.first_guess import guess_seconds

KEY = "train/speeds"
#: Runs shorter than this measure mostly their start-up; they are not kept.
MIN_SECONDS = 5.0
#: How many set-ups are remembered (the most recent ones).
KEEP = 40


def speed_key(config: RunConfig) -> str:
    """What a measured speed holds for: the models with their switches and starting
    weights' kind aside, the data set, the batch size and the device asked for."""
    models = [[m.arch, sorted(m.options.items()), m.freeze_until or ""] for m in config.models]
    return json.dumps([models, config.dataset, config.batch_size, config.device or "auto"],
                      default=str)


def _speeds() -> dict[str, float]:
    try:
        speeds = json.loads(settings.read_str(KEY, "{}"))
    except ValueError:
        return {}
    if not isinstance(speeds, dict):
        return {}
    return {k: float(v) for k, v in speeds.items()
            if isinstance(v, (int, float)) and math.isfinite(v) and v > 0}


def remember_speed(config: RunConfig, images: int, seconds: float) -> None:
    """Keep the speed of a run of ``config`` that put ``images`` through its models in
    ``seconds`` (a run too short to say is ignored)."""
    if seconds < MIN_SECONDS or images <= 0:
        return
    speeds = _speeds()
    key = speed_key(config)
    speeds.pop(key, None)
    speeds[key] = images / seconds
    settings.write(KEY, json.dumps(dict(list(speeds.items())[-KEEP:])))


def planned_images(config: RunConfig, train_images: int | None = None) -> int | None:
    """How many images the run will put through its models: its steps times its batch, or
    its epochs times ``train_images`` (None when that is not known before the run)."""
    if config.steps is not None:
        return config.steps * config.batch_size
    count = config.train_size or train_images
    if config.epochs is not None and count:
        return config.epochs * count
    return None


def estimate_seconds(config: RunConfig) -> float | None:
    """The seconds a run of ``config`` takes at the speed measured last time, or None."""
    speed = _speeds().get(speed_key(config))
    images = planned_images(config)
    if speed is None or images is None:
        return None
    return images / speed


def duration_phrase(seconds: float) -> str:
    """"under a minute", "about 12 min", "about 1 h 40 min"."""
    minutes = round(seconds / 60)
    if minutes < 1:
        return "under a minute"
    if minutes < 60:
        return f"about {minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"about {hours} h {minutes} min" if minutes else f"about {hours} h"


def rough_phrase(seconds: float) -> str:
    """"Roughly 5 min", "Under a minute", "Roughly 1 h 40 min" (the first guess's words)."""
    phrase = duration_phrase(seconds)
    return "Under a minute" if phrase == "under a minute" else \
        "Roughly " + phrase.removeprefix("about ")


def estimate_sentence(config: RunConfig) -> str:
    """"About 12 min on this computer, going by your last run of these models.", or before
    any run of them a first guess from their multiply-adds and this computer's speed
    (:mod:`~cnnviz.ui.train.first_guess`): "Roughly 5 min (a first guess; the estimate
    improves after a run)."  Empty while neither is known."""
    seconds = estimate_seconds(config)
    if seconds is None:
        guess = guess_seconds(config)
        if guess is None:
            return ""
        return f"{rough_phrase(guess)} (a first guess; the estimate improves after a run)."
    phrase = duration_phrase(seconds)
    return (f"{phrase[0].upper()}{phrase[1:]} on this computer, going by your last run of "
            "these models.")
