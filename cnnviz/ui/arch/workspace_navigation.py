"""Moving around one network in the Architectures workspace: collapsing and expanding blocks,
one selection shared by the graph, the table and the charts, and the right-click menus.

:class:`GraphNavigation` is mixed into
:class:`~cnnviz.ui.arch.workspace.ArchitecturesWorkspace`; it uses the workspace's report,
inspection, layout, graph, table, details panel and export actions.
"""

from __future__ import annotations

from PySide6.QtWidgets import QMenu

from cnnviz.core.inspect.collapse import overview_collapsed
from cnnviz.core.inspect.depth import block_layers
from cnnviz.ui.arch.graph_scene import inside


class GraphNavigation:
    """Blocks (``expand_block`` / ``collapse_block`` / ``*_all``) and selection
    (``select_layer``), kept in step across the graph, the table and the charts.

    ``expanded_by_user`` says the user expanded the shown network on purpose (a block's +,
    "Expand all"): views that would fold it for their own ends (the gradient lesson) leave
    it as it is.  A new inspection clears it."""

    # --------------------------------------------------------------- blocks
    def _frames(self) -> set[str]:
        return {p for p in self.expandable if p not in self.collapsed}

    def _relayout(self, anchor_key: str | None, new_key: str | None, fresh: bool = False) -> None:
        from cnnviz.core.inspect import compute_layout

        point = self.graph.view_point_of(anchor_key) if anchor_key else None
        self.layout_data = compute_layout(self.report, collapsed=self.collapsed)
        self.graph.show_graph(self.report, self.layout_data, self._frames(), self.bar.shade_mode(),
                              fresh=fresh)
        self._paint_gradients()
        if point is not None and new_key:
            self.graph.align(new_key, point)

    def expand_block(self, path: str) -> None:
        """Show the layers of collapsed block ``path`` (its inner blocks stay collapsed)."""
        if self.report is None or path not in self.collapsed:
            return
        self.collapsed = self.collapsed - {path}
        self.expandable.add(path)
        self.expanded_by_user = True
        self._relayout(path, path)
        self.status_message.emit(f"Expanded {path}; click its frame's header to collapse it again.")

    def collapse_block(self, path: str) -> None:
        if self.report is None or path in self.collapsed:
            return
        self.collapsed = self.collapsed | {path}
        self.expandable.add(path)
        self._relayout(path, path)
        self.graph.select_key(path, center=False)
        self._graph_selected(path)

    def collapse_all(self) -> None:
        if self.report is not None:
            self.expanded_by_user = False
            self.collapsed = frozenset(overview_collapsed(self.report))
            self._relayout(None, None, fresh=True)

    def expand_all(self) -> None:
        if self.report is not None:
            self.expandable |= set(self.collapsed)
            self.collapsed = frozenset()
            self.expanded_by_user = True
            self._relayout(None, None, fresh=True)

    # ------------------------------------------------------------ selection
    def _is_layer(self, key: str) -> bool:
        return self.report is not None and key in self.report.graph.nodes

    def _graph_key_for_layer(self, layer_id: str) -> str | None:
        """The node that shows ``layer_id``: itself, or the collapsed block that hides it."""
        if layer_id in self.graph.graph_scene.nodes:
            return layer_id
        block = self.report.layer(layer_id).block
        hiding = [c for c in self.collapsed if c and inside(block, c)]
        return min(hiding, key=len) if hiding else None

    def _graph_selected(self, key: str | None) -> None:
        if self.report is None:
            return
        if key is None:
            self.table.select_key(None)
            self.details.show_model(self.report, self.catalog.entries.get(self.current_ref))
            return
        if self._is_layer(key):
            self.details.show_layer(self.report, self.report.layer(key))
            self.table.select_key(key if self.table.btn_layers.isChecked() else self.report.layer(key).block)
        else:
            self._show_block_details(key)
            if self.table.btn_layers.isChecked():
                first = next((l.id for l in self.report.layers if inside(l.block, key)), None)
                self.table.select_key(first)
            else:
                self.table.select_key(key)

    def _show_block_details(self, path: str) -> None:
        block = self.report.block(path)
        n = block_layers(self.report).get(path, 0)
        self.details.show_block(self.report, block, n, path in self.collapsed)

    def _table_selected(self, key: str | None) -> None:
        if self.report is None or key is None:
            return
        if self._is_layer(key):
            self.details.show_layer(self.report, self.report.layer(key))
            self.graph.select_key(self._graph_key_for_layer(key))
        else:
            self._show_block_details(key)
            target = key if key in self.graph.graph_scene.nodes else None
            if target is None:
                hiding = [c for c in self.collapsed if inside(key, c)]
                target = min(hiding, key=len) if hiding else next(
                    (l.id for l in self.report.layers if inside(l.block, key)
                     and l.id in self.graph.graph_scene.nodes), None)
            self.graph.select_key(target)

    def _chart_clicked(self, key: str) -> None:
        self.tabs.setCurrentIndex(0)
        if self._is_layer(key):
            self.graph.select_key(self._graph_key_for_layer(key))
            self._graph_selected(self._graph_key_for_layer(key))
        else:
            self.graph.select_key(key)
            self._graph_selected(key)

    def select_layer(self, key: str) -> None:
        """Select a layer (or block) as if clicked in the graph."""
        self.graph.select_key(key)
        self._graph_selected(key)

    # ---------------------------------------------------------- context menus
    def _graph_menu(self, menu: QMenu, key) -> None:
        if self.report is not None and key:
            if key in self.collapsed:
                menu.addAction(f"Expand {key}", lambda: self.expand_block(key))
            else:
                block = key if not self._is_layer(key) else self.report.layer(key).block
                parts = block.split(".") if block else []
                for i in range(len(parts), 0, -1):
                    path = ".".join(parts[:i])
                    menu.addAction(f"Collapse {path}", lambda p=path: self.collapse_block(p))
                    if len(parts) - i >= 2:
                        break
            menu.addSeparator()
        for act in self.export_actions.values():
            menu.addAction(act)

    def _table_menu(self, menu: QMenu) -> None:
        menu.addAction(self.export_actions["csv"])
        menu.addAction(self.export_actions["md"])
