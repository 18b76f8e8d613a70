"""The Architectures workspace's export menu: the graph as a picture, the table as text.

:class:`ExportActions` is mixed into :class:`~cnnviz.ui.arch.workspace.ArchitecturesWorkspace`;
it uses the workspace's report, graph, model bar and gradient shading.  The writing itself is
:mod:`cnnviz.ui.arch.export`.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

from cnnviz.core.errors import CnnvizError
from cnnviz.ui.arch import export as exporting


class ExportActions:
    """``export_actions`` (one per format, enabled once a report is shown) and ``export``."""

    def _build_actions(self) -> None:
        self.export_actions: dict[str, QAction] = {}
        for key, (label, _filter) in exporting.FORMATS.items():
            act = QAction(f"Export {label}…", self)
            act.triggered.connect(lambda _=False, k=key: self.export(k))
            act.setEnabled(False)
            self.export_actions[key] = act
        menu = QMenu(self)
        acts = self.export_actions
        menu.addActions([a for k, a in acts.items() if k in exporting.GRAPH_FORMATS])
        menu.addSeparator()
        menu.addActions([a for k, a in acts.items() if k not in exporting.GRAPH_FORMATS])
        self.bar.export_button.setMenu(menu)

    def export(self, kind: str, path: Path | None = None) -> Path | None:
        """Write the graph ("png", "svg", "pdf"; with the gradient legend while the graph is
        coloured by gradient norms) or the layer table ("csv", "md"); asks where when ``path``
        is None.  Returns the path written, or None when cancelled or failed."""
        if self.report is None:
            return None
        stem = (self.current_ref or "model").rpartition(":")[2].replace("/", "_")
        path = path or exporting.ask_path(self, kind, stem)
        if path is None:
            return None
        try:
            exporting.export(kind, Path(path), self.graph.graph_scene, self.report,
                             legend=self.gradients.legend)
        except CnnvizError as exc:
            self._show_error("Export failed", exc)
            return None
        self.status_message.emit(f"Saved {path}")
        return Path(path)
