"""Test set-up shared by core and UI tests."""

import os

# Qt must never try to open a real display in tests; set before anything imports Qt.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Settings written by the app under test go to a throw-away location (see cnnviz.ui.app).
os.environ.setdefault("CNNVIZ_TESTING", "1")
