"""Opening a past run folder in the Train workspace: its plots (followed live while the
folder is still being written), its settings put back into the form, and its hand-offs once
the first read is in.

:class:`RunFolderFlow` is a part of :class:`~cnnviz.ui.train.workspace.TrainWorkspace`: it
works on the workspace's widgets (``form``, ``bar``, ``banner``, ``view``, ``browser``,
``handoffs``, ``exports``) and sets its ``source``, ``run`` and ``run_dir``.  The folder's
run.json is read once, by :class:`~cnnviz.ui.train.folder_source.FolderSource`; the rows
come on a worker thread.
"""

from __future__ import annotations

import math
from pathlib import Path


from cnnviz.core.errors import CnnvizError
from cnnviz.core.train.records import ModelConfig
from cnnviz.core.train.runreader import RunData
from cnnviz.ui.train.folder_source import FolderSource
from cnnviz.ui.train.names import created_when
from cnnviz.ui.train.series import RunSeries
from cnnviz.ui.widgets.file_dialogs import ask_folder

#: What the Look inside hand-off needs to know of the data, as run.json keeps it.
DATA_KEYS = ("classes", "mean", "std", "image_size", "channels", "data_size")


class RunFolderFlow:
    """The past-runs part of the Train workspace (see the module docstring)."""

    def _reset_folder_state(self) -> None:
        self.source: FolderSource | None = None
        self._reading_folder = False  # an opened run folder's first read is under way
        self._folder_handoff: tuple = ({}, "", {})  # what the hand-offs get once it is in

    def open_run_dialog(self) -> None:
        path = ask_folder(self, "Open Run Folder", "runs", fallback=self.form.runs_folder(),
                          remember_parent=True)
        if path is not None:
            self.open_run(path)

    def open_run(self, path: Path) -> bool:
        """Show the run folder ``path``; a run still being written is followed live."""
        if self.worker is not None:
            self.banner.show_message("Stop the current run before opening another one.")
            return False
        self.banner.hide()
        self._stop_source()
        path = Path(path)
        try:
            source = FolderSource(path, self)
        except CnnvizError as exc:
            self.banner.show_message(str(exc))
            return False
        except OSError as exc:
            self.banner.show_message(f"The run folder {path} cannot be read "
                                     f"({exc.strerror or exc}).")
            return False
        self.source = source
        self.run = source.run
        self.run_dir = path
        source.updated.connect(self._source_updated)
        source.ended.connect(self._source_ended)
        source.failed.connect(self._source_failed)
        self.view.set_run(self.run)
        self.bar.show_title(self.run.title or path.name)
        self.bar.set_state("following" if source.live else "idle")
        self.bar.clear_progress()
        self.bar.status.setText(f"Reading {path.name}…")  # its rows come on a worker
        self._reading_folder = True
        meta = source.meta
        configs = self._refill_form(path, meta)
        data = {key: meta[key] for key in DATA_KEYS if key in meta}
        # The hand-offs start from the rows, which the first read brings (_source_updated).
        self._folder_handoff = (configs, path.name, data)
        self.handoffs.begin(RunSeries(), {}, "")
        self.exports.update()
        return True

    def _refill_form(self, path: Path, meta: dict) -> dict[str, ModelConfig]:
        """Fill the form with the run's settings (a run that saved none leaves it alone);
        returns the run's models by name."""
        config = RunData(path, meta).config
        if config is None:
            self.form.show_note(f"{path.name} was written by a script that saved no "
                                "settings, so the form below keeps yours.")
            return {e["name"]: ModelConfig(e.get("arch", ""), name=e["name"])
                    for e in meta.get("models", [])}
        unshown = self.form.apply_config(config)
        # Named by what it is, not by its folder ("plain20-vs-resnet20-no-bn" is an id).
        self.form.show_note(" ".join(["The form below holds this run's settings: press Start "
                                      "to train it again.", *unshown]))
        return {m.label: m for m in config.models}

    def _source_failed(self, message: str) -> None:
        self._reading_folder = False
        self.banner.show_message(message)
        self.bar.set_state("idle")
        self.bar.status.setText("The run folder could not be read to its end.")

    def _source_updated(self) -> None:
        if self._reading_folder:  # the first read is in
            self._reading_folder = False
            self.bar.status.setText(f"{self.run.message}  {self.run_dir}")
            configs, name, data = self._folder_handoff
            meta = self.source.meta
            self.handoffs.begin(self.run, configs, name, live=self.source.live, data=data,
                                when=created_when(meta), folder=self.run_dir, meta=meta)
            self.exports.update()
        last = self.run.last_step
        total = self.run.total_steps or last
        self.bar.show_progress(last, total, math.nan, math.nan)
        self.view.mark_dirty()

    def _source_ended(self, status: str) -> None:
        if self.source is not None:  # a followed run records its weights as it ends
            self.handoffs.set_saved(self.run_dir, self.source.meta)
        self.handoffs.finish()
        self.bar.set_state("idle")
        self.bar.status.setText(self.run.message)
        self.view.mark_dirty()
        self.browser.refresh_later()

    def _stop_source(self) -> None:
        if self.source is not None:
            self.source.shutdown()
            self.source.deleteLater()
            self.source = None
