"""Layer names shortened so that the rows of a narrow list still tell the layers apart.

Qt's own eliding cuts characters in the middle, so "features.4.pointwise.0" and
"features.4.depthwise.0" both become "feature…wise.0".  What tells a layer from its
neighbours is its block number and its last parts; what it shares with every other row is
its leading part ("features.", or the word "layer" of ResNet's "layer1.0.conv1").  So
:func:`short_layer_name` drops whole leading parts that every layer shares first
("…4.pointwise.0"), then the word before a stage number ("…1.0.conv1"), and only then cuts
characters, in the middle of what is left, keeping both ends.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Callable, Iterable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QStyle, QStyledItemDelegate

ELLIPSIS = "…"
_STAGE_WORD = re.compile(r"^…?[A-Za-z_]+(?=\d+\.)")


def shared_prefix(names: Iterable[str], share: float = 0.9) -> str:
    """The leading dotted parts that nearly every name has (at least ``share`` of them):
    ``"features."`` for MobileNet's layers, whose last one is a lone ``avgpool``; nothing for
    ResNet's, whose ``layer1`` to ``layer4`` each tell a stage.  Never a whole name: at least
    one part of each name is left to show."""
    split = [name.split(".") for name in names]
    need = share * len(split)
    parts: list[str] = []
    while split:
        depth = len(parts)
        counts = Counter(s[depth] for s in split if len(s) > depth + 1 and s[:depth] == parts)
        if not counts:
            break
        part, count = counts.most_common(1)[0]
        if count < need:
            break
        parts.append(part)
    return "".join(f"{p}." for p in parts)


def short_layer_name(name: str, prefix: str, fits: Callable[[str], bool],
                     elide: Callable[[str], str], drop_word: bool = False) -> str:
    """``name`` as it should be shown where ``fits(text)`` says whether a text fits:
    whole; else without the shared ``prefix`` (an ellipsis in its place); else also without
    the word in front of a stage number ("layer1.0.conv1" as "…1.0.conv1"); else that with
    ``elide`` (which cuts characters in the middle) applied.  With ``drop_word`` the stage
    word goes even when the name would fit, so that all rows of a list read alike."""
    word = _STAGE_WORD.match(name)
    if fits(name) and not (drop_word and word):
        return name
    text = name
    if prefix and name.startswith(prefix) and len(name) > len(prefix):
        text = ELLIPSIS + name[len(prefix):]
        if fits(text) and not drop_word:
            return text
    word = _STAGE_WORD.match(text)
    if word:
        text = ELLIPSIS + text[word.end():]
        if fits(text):
            return text
    return elide(text)


class LayerNameDelegate(QStyledItemDelegate):
    """Draws column ``column`` of a layer list with :func:`short_layer_name`; set
    :attr:`prefix` (see :func:`shared_prefix`) and :attr:`longest` (a name as wide as nearly
    all of them) when the list is filled.  When that name, less the prefix, does not fit,
    every row loses its stage word ("…1.0.bn1" under "…1.0.conv1", not "layer1.0.bn1"), so
    the rows line up."""

    def __init__(self, parent=None, column: int = 0) -> None:
        super().__init__(parent)
        self.column = column
        self.prefix = ""
        self.longest = ""

    def initStyleOption(self, option, index) -> None:
        super().initStyleOption(option, index)
        if index.column() != self.column or not option.text:
            return
        style = option.widget.style() if option.widget is not None else None
        if style is None:
            return
        room = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, option,
                                    option.widget).width()
        # Qt keeps a margin of its own inside the text rectangle (PM_FocusFrameHMargin + 1 on
        # either side); the text is measured against what is left.
        margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, option.widget)
        room -= 2 * (margin + 1)
        metrics = option.fontMetrics

        def fits(text: str) -> bool:
            return metrics.horizontalAdvance(text) <= room

        longest = self.longest
        if self.prefix and longest.startswith(self.prefix):
            longest = ELLIPSIS + longest[len(self.prefix):]
        option.text = short_layer_name(
            option.text, self.prefix, fits,
            lambda text: metrics.elidedText(text, Qt.TextElideMode.ElideMiddle, room),
            drop_word=bool(longest) and not fits(longest))
