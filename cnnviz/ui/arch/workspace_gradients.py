"""The Architectures workspace's side of the training lab: the graph coloured by a run's
gradient norms.

:class:`GradientViewing` is mixed into
:class:`~cnnviz.ui.arch.workspace.ArchitecturesWorkspace`; it uses the workspace's catalog,
model bar, graph, details panel and banner, and its :class:`GradientShading` (``gradients``).
Snapshots that arrive before the zoo has loaded wait in ``_early_gradients``: options are
matched against the zoo's defaults, which are known only then.

The shading menu is remembered between sessions: the last shading by parameters or
multiply-adds (``arch/shade``), and whether the user shades by gradient norm when a run's
gradients are offered (``arch/shade_gradients``); the latter takes effect whenever a snapshot
of the shown network exists, since gradients themselves last only as long as the session.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer

from cnnviz.core.inspect.collapse import overview_collapsed
from cnnviz.ui import settings
from cnnviz.ui.arch.gradient_shade import model_key, model_name
from cnnviz.ui.arch.graph_scene import GRADIENT, SHADES

SHADE_KEY = "arch/shade"
SHADE_GRADIENTS_KEY = "arch/shade_gradients"
# The share of the graph/table split the graph gets when a run's gradients are shown: the
# lesson is the colour fading across depth, which needs the whole network on screen.
LESSON_GRAPH_SHARE = 0.8


class GradientViewing:
    """``show_gradients`` brings a trained network into view; ``update_gradients`` only
    recolours it when it is on screen.

    Brought into view means the lesson at once (:meth:`show_lesson`): one box per block,
    most of the height for the graph, and the whole network fitted in it."""

    def show_gradients(self, snapshot) -> None:
        """Show ``snapshot``'s network (a :class:`~cnnviz.core.train.GradientSnapshot`) in
        the graph, coloured by its gradient norms; later snapshots of the same network
        recolour it (see :meth:`update_gradients`).  Picks that network with its options
        when another one is on screen."""
        if not self.catalog.entries:  # options are matched against the zoo's defaults
            self._early_gradients.append((snapshot, True))
            return
        key, ref = self._remember_gradients(snapshot)
        if key is None:
            self.banner.show_message(
                f"{snapshot.arch} is not in the catalog, so its gradients cannot be shown on a "
                "graph." if snapshot.arch else f"The run of {snapshot.model} does not say which "
                "architecture it trained, so its gradients cannot be shown on a graph.")
            return
        self.tabs.setCurrentIndex(0)
        if key == self._shown_key():
            self._sync_gradients()
            self.bar.set_shade_mode(GRADIENT)
            self.show_lesson()
            return
        self._gradients_wanted = key
        if ref in self.catalog.entries:
            self.select_arch(ref, dict(snapshot.options) or None)
        else:
            self.open_ref(ref)

    def end_lesson(self, *_args) -> None:
        """Give the table back the height it had before :meth:`show_lesson` took it (a
        network picked in the catalog is no lesson)."""
        if self._split_before_lesson is not None:
            self.graph_split.setSizes(self._split_before_lesson)
            self._split_before_lesson = None

    def restore_shading(self) -> None:
        """Pick the remembered shading (call once, after the model bar is connected)."""
        self.prefer_gradients = settings.read_bool(SHADE_GRADIENTS_KEY, False)
        self.bar.set_shade_mode(settings.read_str(SHADE_KEY, "params", SHADES))

    def _shade_changed(self, mode: str) -> None:
        if mode == GRADIENT:
            self._remember_gradient_choice(True)
        else:
            # Turned away while gradients were offered: the user's choice.  A fallback because
            # the new network was never trained happens with the entry already disabled.
            if self.bar.gradient_available():
                self._remember_gradient_choice(False)
            settings.write(SHADE_KEY, mode)
        if self.report is not None:
            self.graph.set_shade(self.report, mode)
            self._paint_gradients()

    def _remember_gradient_choice(self, on: bool) -> None:
        if self.prefer_gradients != on:
            self.prefer_gradients = on
            settings.write(SHADE_GRADIENTS_KEY, on)

    def update_gradients(self, snapshot) -> None:
        """Remember ``snapshot`` and recolour the graph if it shows that network (same
        architecture and options) and is shaded by gradient norm; never changes the view."""
        if not self.catalog.entries:
            self._early_gradients.append((snapshot, False))
            return
        key, _ref = self._remember_gradients(snapshot)
        if key is not None and key == self._shown_key():
            self._sync_gradients()

    def _catalog_ref(self, arch: str) -> str:
        if arch in self.catalog.entries:
            return arch
        plain = arch.removeprefix("torchvision:")
        lowered = {ref.lower(): ref for ref in self.catalog.entries}
        return lowered.get(plain.lower(), arch)

    def _remember_gradients(self, snapshot):
        """Keep ``snapshot`` under its network's key; (None, ref) for a network the catalog
        cannot show (neither a catalog entry nor a ``file.py:Class`` reference)."""
        ref = self._catalog_ref(snapshot.arch)
        if ref not in self.catalog.entries and not ref.rpartition(":")[0].endswith(".py"):
            return None, ref
        entry = self.catalog.entries.get(ref)
        key = model_key(ref, snapshot.options, entry.options if entry else None)
        self.gradients.remember(key, snapshot)
        return key, ref

    def _shown_key(self):
        if self.inspection is None:
            return None
        entry = self.catalog.entries.get(self.inspection.ref)
        return model_key(self.inspection.ref, self.inspection.options,
                         entry.options if entry else None)

    def _sync_gradients(self) -> None:
        """Enable the gradient shading when the shown network was trained, switch to it when
        show_gradients asked for this network or the user shades by gradients, and repaint."""
        key = self._shown_key()
        snapshot = self.gradients.lookup(key)
        name = (model_name(snapshot, self.report.display_name, self._default_options())
                if snapshot and self.report else "")
        tip = f"Gradients of {name} from the Train workspace" if snapshot else ""
        self.bar.set_gradient_available(snapshot is not None, tip)
        wanted = snapshot is not None and key == self._gradients_wanted
        if wanted:
            self._gradients_wanted = None
        if snapshot is not None and (wanted or self.prefer_gradients):
            self.bar.set_shade_mode(GRADIENT)
        self._paint_gradients()
        if wanted:
            self.show_lesson()

    def show_lesson(self) -> None:
        """Show the whole network shaded by gradient norm: collapsed to one box per block
        (what "Collapse all" shows, unless the user expanded this network on purpose), the
        graph given most of the split with the table (see :meth:`_enlarge_graph`), and
        fitted."""
        if self.report is None:
            return
        overview = frozenset(overview_collapsed(self.report))
        if overview and not self.expanded_by_user and self.collapsed != overview:
            self.expandable |= set(overview)
            self.collapsed = overview
            self._relayout(None, None, fresh=True)
        self._enlarge_graph()
        self.graph.fit_view(animated=False)

    def _enlarge_graph(self) -> None:
        """Give the graph :data:`LESSON_GRAPH_SHARE` of the split at least; where the rest
        is less than the table's minimum (a laptop screen), fold the table away: its handle
        stays at the bottom to drag it back, and :meth:`end_lesson` gives it back."""
        sizes = self.graph_split.sizes()
        total = sum(sizes)
        if not total or sizes[0] >= LESSON_GRAPH_SHARE * total:
            return
        if self._split_before_lesson is None:
            self._split_before_lesson = sizes
        graph = round(LESSON_GRAPH_SHARE * total)
        if total - graph < self.table.minimumHeight():
            graph = total
            # After the inspection's own status line, which would hide this one.
            QTimer.singleShot(0, lambda: self.status_message.emit(
                "The layer table is folded away to show the whole network; drag the bar "
                "under the graph up to bring it back."))
        self.graph_split.setSizes([graph, total - graph])

    def _paint_gradients(self) -> None:
        snapshot = self.gradients.lookup(self._shown_key())
        if self.report is None or self.bar.shade_mode() != GRADIENT or snapshot is None:
            if self.gradients.snapshot is not None:
                self.gradients.clear()
                self.details.refresh_gradient()
            return
        self.gradients.paint(self.report, self.layout_data, snapshot, self._default_options())
        self.details.refresh_gradient()

    def _default_options(self) -> dict | None:
        """The shown network's default builder options (None when it is no catalog entry)."""
        entry = self.catalog.entries.get(self.inspection.ref) if self.inspection else None
        return dict(entry.options) if entry else None
