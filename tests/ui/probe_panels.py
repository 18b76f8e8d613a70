"""The Look-inside panel as the tests of its layout and fit use it: a real panel in the
application's theme, shut down (its worker threads joined) after the test.

Import the fixture by name (``from probe_panels import panel``); pytest then provides it to
that module's tests.
"""

import pytest


@pytest.fixture
def panel(qtbot):
    """A LookInsidePanel, not yet shown, with no network or picture."""
    from cnnviz.ui.app import make_application
    from cnnviz.ui.probe import LookInsidePanel
    from cnnviz.ui.theme import theme_manager

    make_application()
    theme_manager().apply()
    view = LookInsidePanel()
    qtbot.addWidget(view)
    yield view
    view.shutdown()
