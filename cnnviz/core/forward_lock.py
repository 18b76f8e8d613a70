"""One lock between torch.fx tracing and forward passes on other threads.

While ``torch.fx`` traces, it replaces ``nn.Module.__call__`` and ``__getattr__`` for the
whole process.  A forward pass on another thread in that moment (the training lab's step, the
"look inside" panel running a picture) goes through the tracer: it fails with "module is not
installed as a submodule", or worse, its calls end up in the traced graph.  Tracing holds
:data:`FORWARD_LOCK`; code that runs networks off the GUI thread holds it around each forward
pass.  It is re-entrant, and uncontended except while a trace runs (well under a second).
"""

from __future__ import annotations

import threading

FORWARD_LOCK = threading.RLock()
