"""Sizes in the Train workspace are written as the explorer writes shapes ("32 × 32"), in
every label, tooltip and list entry a student reads."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QComboBox, QLabel, QWidget

OLD_SIZE = re.compile(r"\d+x\d+")


def _texts(root: QWidget) -> list[str]:
    texts = []
    for widget in [root, *root.findChildren(QWidget)]:
        texts.append(widget.toolTip())
        if isinstance(widget, (QLabel, QAbstractButton)):
            texts.append(widget.text())
        if isinstance(widget, QComboBox):
            for row in range(widget.count()):
                texts.append(widget.itemText(row))
                texts.append(str(widget.itemData(row, Qt.ItemDataRole.ToolTipRole) or ""))
    return texts


def test_the_setup_form_writes_sizes_with_the_multiplication_sign(train_ws):
    texts = _texts(train_ws)
    assert not [t for t in texts if OLD_SIZE.search(t)]
    said = "\n".join(texts)
    assert "Handwritten digits, 28 × 28 grey" in said
    assert "in 10 classes, 32 × 32" in said
