"""How image sizes are written wherever a student reads them: "32 × 32" (the multiplication
sign between spaces, as the explorer writes shapes), never "32x32".

Run folders written by earlier versions keep titles such as "Shapes (10 classes, 32x32)";
:func:`size_words` rewrites those on reading, so old and new runs read alike.
"""

from __future__ import annotations

import re

#: The multiplication sign between spaces, as in the explorer's shapes.
TIMES = " × "

# Only the size at the end of an older data set title: a folder the user named "64x64 photos"
# keeps its name.
_OLD_SIZE = re.compile(r", (\d+)x(\d+)\)$")


def size_text(*dims: int) -> str:
    """``size_text(32, 32)`` is "32 × 32"; ``size_text(3, 32, 32)`` is "3 × 32 × 32"."""
    return TIMES.join(str(int(d)) for d in dims)


def size_words(title: str) -> str:
    """``title`` with an older "…, 32x32)" ending written as "…, 32 × 32)"."""
    return _OLD_SIZE.sub(lambda m: f", {size_text(int(m[1]), int(m[2]))})", title)
