"""The layer table (one row per layer) and the block table (one row per block, with subtotals).

Both are plain :class:`QAbstractTableModel` s over a report; a :class:`QSortFilterProxyModel`
sorts them numerically (``SORT_ROLE``) and filters on any column's text.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSortFilterProxyModel, Qt

from cnnviz.core.inspect.depth import MODULES_MEANING
from cnnviz.ui.arch import formatting as fmt

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
KEY_ROLE = Qt.ItemDataRole.UserRole + 2  # the layer id or block path of a row

_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


class _RowsModel(QAbstractTableModel):
    """A flat table over ``_rows`` with the column titles in ``COLUMNS``; the columns in
    ``NUMERIC`` are right-aligned."""

    COLUMNS: tuple[str, ...] = ()
    HEADER_TIPS: dict[str, str] = {}  # column title -> what the column counts
    NUMERIC: set[int] = set()
    # Where the columns do not fit the view, FIT_STEPS say how they give way, in order:
    # (column, floor) narrows a column of names down to floor pixels (its text loses its
    # middle), (column, None) hides a column; the steps stop once every column fits.
    # SHRINKABLE holds the narrowest each column of names ever gets.
    SHRINKABLE: dict[int, int] = {}
    FIT_STEPS: tuple[tuple[int, int | None], ...] = ()
    _rows: list

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal:
            if role == Qt.ItemDataRole.DisplayRole:
                return self.COLUMNS[section]
            if role == Qt.ItemDataRole.TextAlignmentRole and section in self.NUMERIC:
                return _RIGHT
            if role == Qt.ItemDataRole.ToolTipRole:
                return self.HEADER_TIPS.get(self.COLUMNS[section])
        return None


class LayerTableModel(_RowsModel):
    """Every layer of a report, in execution order."""

    COLUMNS = ("#", "Layer", "Type", "Output shape", "Parameters", "Share", "Multiply-adds",
               "Receptive field", "Block")
    NUMERIC = {0, 4, 5, 6, 7}
    SHRINKABLE = {1: 72, 2: 96}
    # Names give way before types ("AdaptiveAvgPool2d" reads whole longer than
    # "features.28"); Share (a ratio of Parameters), Receptive field and Block (the name's
    # prefix) are the least needed and hide before any name is cut deep.
    FIT_STEPS = ((1, 120), (5, None), (7, None), (8, None), (1, SHRINKABLE[1]), (2, SHRINKABLE[2]))

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.report = None
        self._rows: list = []

    def set_report(self, report) -> None:
        self.beginResetModel()
        self.report = report
        self._rows = list(report.layers) if report is not None else []
        self.endResetModel()

    def layer_at(self, row: int):
        return self._rows[row]

    def row_of(self, key: str) -> int:
        for i, layer in enumerate(self._rows):
            if layer.id == key:
                return i
        return -1

    def display(self, row: int, col: int) -> str:
        layer = self._rows[row]
        if col == 0:
            return str(layer.order)
        if col == 1:
            return layer.name or layer.id
        if col == 2:
            return layer.type
        if col == 3:
            return fmt.shape(layer.output_shape)
        if col == 4:
            return fmt.exact(layer.params) if layer.params else "–"
        if col == 5:
            return fmt.percent(layer.params, self.report.totals.params) if layer.params else "–"
        if col == 6:
            return fmt.count(layer.macs) if layer.macs else "–"
        if col == 7:
            return f"{layer.rf}" if layer.rf is not None else "–"
        return layer.block or "(top level)"

    def longest_text(self, col: int) -> str:
        """The longest text in column ``col`` (for sizing it without asking Qt per cell)."""
        return max((self.display(r, col) for r in range(len(self._rows))), key=len, default="")

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        layer, col = self._rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.display(index.row(), col)
        if role == SORT_ROLE:
            return (layer.order, layer.name, layer.type, _volume(layer.output_shape), layer.params,
                    layer.params, layer.macs, layer.rf if layer.rf is not None else -1, layer.block)[col]
        if role == KEY_ROLE:
            return layer.id
        if role == Qt.ItemDataRole.TextAlignmentRole and col in self.NUMERIC:
            return _RIGHT
        if role == Qt.ItemDataRole.ToolTipRole and col == 7 and layer.rf is not None:
            return f"Each output sees {layer.rf}×{layer.rf} input pixels; neighbours are {layer.rf_jump} px apart."
        return None


class BlockTableModel(_RowsModel):
    """Every block (module grouping layers) with its subtotals, indented by depth."""

    # "Modules", not "Layers": the count is of every node inside the block, as in the
    # module table; "Layers" means layers with weights everywhere else.
    COLUMNS = ("Block", "Type", "Modules", "Parameters", "Share", "Multiply-adds", "Repeats")
    HEADER_TIPS = {"Modules": f"The modules inside the block. {MODULES_MEANING}"}
    NUMERIC = {2, 3, 4, 5, 6}
    SHRINKABLE = {0: 72, 1: 96}
    FIT_STEPS = ((0, 120), (4, None), (6, None), (0, SHRINKABLE[0]), (1, SHRINKABLE[1]))

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.report = None
        self._rows: list[tuple[int, object, int]] = []  # depth, block, module count

    def set_report(self, report) -> None:
        self.beginResetModel()
        self.report = report
        self._rows = []
        if report is not None:
            counts: dict[str, int] = {}
            for layer in report.layers:
                parts = layer.block.split(".") if layer.block else []
                for i in range(1, len(parts) + 1):
                    key = ".".join(parts[:i])
                    counts[key] = counts.get(key, 0) + 1
            self._walk(report.root, 0, counts)
        self.endResetModel()

    def _walk(self, block, depth: int, counts) -> None:
        for child in block.children:
            self._rows.append((depth, child, counts.get(child.path, 0)))
            self._walk(child, depth + 1, counts)

    def block_at(self, row: int):
        return self._rows[row][1]

    def row_of(self, key: str) -> int:
        for i, (_d, block, _n) in enumerate(self._rows):
            if block.path == key:
                return i
        return -1

    def display(self, row: int, col: int) -> str:
        depth, block, n = self._rows[row]
        if col == 0:
            return "    " * depth + block.path.rpartition(".")[2]
        return (block.type, str(n), fmt.exact(block.params),
                fmt.percent(block.params, self.report.totals.params), fmt.count(block.macs),
                f"× {block.repeat}" if block.repeat > 1 else "")[col - 1]

    def longest_text(self, col: int) -> str:
        return max((self.display(r, col) for r in range(len(self._rows))), key=len, default="")

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        depth, block, n = self._rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.display(index.row(), col)
        if role == SORT_ROLE:
            return (index.row(), block.type, n, block.params, block.params, block.macs, block.repeat)[col]
        if role == KEY_ROLE:
            return block.path
        if role == Qt.ItemDataRole.ToolTipRole and col == 0:
            return block.path
        if role == Qt.ItemDataRole.TextAlignmentRole and col in self.NUMERIC:
            return _RIGHT
        return None


class TableFilter(QSortFilterProxyModel):
    """Sorts by ``SORT_ROLE`` and keeps rows where any column contains the filter text."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.setFilterKeyColumn(-1)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.text = ""

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        # Column 0 ascending is the source order (execution order): show it unsorted, which
        # spares a Python call per comparison on every new report.
        if column == 0 and order == Qt.SortOrder.AscendingOrder:
            column = -1
        super().sort(column, order)

    def set_text(self, text: str) -> None:
        self.text = text.strip()
        self.setFilterFixedString(self.text)

    def filterAcceptsRow(self, row: int, parent: QModelIndex) -> bool:
        text = self.text
        if not text:
            return True
        model = self.sourceModel()
        key = model.index(row, 0, parent).data(KEY_ROLE) or ""
        if text.lower() in key.lower():  # "layer3" matches every layer inside it
            return True
        return super().filterAcceptsRow(row, parent)


def _volume(shape) -> int:
    v = 1
    for d in shape or ():
        v *= int(d)
    return v if shape else 0
