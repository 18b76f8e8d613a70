"""What one workspace hands to another: pictures, trained models and gradient norms.

:class:`WorkspaceHandoffs` is a part of the main window (a mixin): the workspaces emit
signals such as ``look_inside_requested`` without knowing who listens, and these slots show
the receiving workspace and pass the thing on.  The window provides ``show_workspace`` and
``pages``.
"""

from __future__ import annotations

from PySide6.QtWidgets import QWidget


class WorkspaceHandoffs:
    """The main window's hand-off slots; ``_gradients`` keeps the lab's latest gradient
    norms per (run, model), so an explorer built later is coloured by them too."""

    _gradients: dict[tuple[str, str], object]

    def _connect_handoffs(self, key: str, widget: QWidget) -> None:
        """Wire what one workspace hands to another (pictures, trained models, gradients)."""
        for signal_name, slot in (("look_inside_requested", self.look_inside),
                                  ("look_inside_model_requested", self.look_inside_model),
                                  ("gradients_changed", self.gradients_changed),
                                  ("show_gradients_requested", self.show_gradients)):
            signal = getattr(widget, signal_name, None)
            if signal is not None and hasattr(signal, "connect"):
                signal.connect(slot)
        if key == "arch" and hasattr(widget, "update_gradients"):
            for snapshot in self._gradients.values():  # what the lab measured meanwhile
                widget.update_gradients(snapshot)

    def gradients_changed(self, snapshot) -> None:
        """Keep the lab's latest gradient norms per model; the explorer recolours if it shows
        that network (it is told on creation otherwise)."""
        key = (snapshot.run, snapshot.model)
        self._gradients.pop(key, None)  # newest last: a new explorer replays them in order
        self._gradients[key] = snapshot
        arch = self.pages.get("arch")
        if arch is not None and hasattr(arch, "update_gradients"):
            arch.update_gradients(snapshot)

    def show_gradients(self, snapshot) -> None:
        """Show ``snapshot``'s network in the explorer, coloured by its gradient norms."""
        self._gradients[(snapshot.run, snapshot.model)] = snapshot
        arch = self.show_workspace("arch")
        if hasattr(arch, "show_gradients"):
            arch.tabs.setCurrentIndex(0)
            arch.show_gradients(snapshot)

    def look_inside_model(self, module, ref: str, options: dict, label: str,
                          data: dict | None = None) -> None:
        """Look inside a network trained in the lab (``module``, a CPU copy the lab hands
        over), on the explorer's "Look inside" tab; ``data`` holds the class names, the
        normalisation and the input size and channels it learnt with."""
        arch = self.show_workspace("arch")
        if getattr(arch, "look_inside", None) is None:
            return
        data = data or {}
        # The graph shows the same network built the same way: the same ref with other
        # switches (a no-batch-norm Plain-20 while the explorer shows the default) is redrawn,
        # once the catalog has loaded if it has not.
        other_build = any(arch.bar.options().get(k) != v for k, v in options.items())
        if ((arch.current_ref != ref or other_build)
                and (ref in arch.catalog.entries or not arch.catalog.entries)):
            arch.select_arch(ref, dict(options) or None)
        arch.keep_inside()
        arch.tabs.setCurrentWidget(arch.inside_page)
        arch.look_inside().set_model(module, ref, options=options, label=label,
                                     class_names=data.get("classes"), mean=data.get("mean"),
                                     std=data.get("std"), image_size=data.get("image_size"),
                                     channels=data.get("channels"),
                                     data_size=data.get("data_size"), owned=True)

    def look_inside(self, image, name: str, pipeline=None) -> None:
        """Show ``image`` (and ``pipeline``'s samples) inside the network picked in
        Architectures, on its "Look inside" tab."""
        arch = self.show_workspace("arch")
        panel = getattr(arch, "look_inside", None)
        if panel is None:  # the Architectures workspace is not available in this build
            return
        arch.tabs.setCurrentWidget(arch.inside_page)
        panel = arch.look_inside()
        panel.set_image(image, name)
        if pipeline is not None and pipeline.steps:
            panel.set_pipeline(pipeline)
