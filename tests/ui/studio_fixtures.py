"""The augmentation studio as its workspace tests use it: the application's theme applied
once per module, and a real AugmentWorkspace shown offscreen at 1200x760, shut down (its
preview and export workers joined) after each test.

Import the fixtures by name (``from studio_fixtures import themed, ws``); pytest then
provides them to that module's tests, ``themed`` by itself.
"""

import pytest


@pytest.fixture(scope="module", autouse=True)
def themed(qapp):
    """The application's theme, applied once: re-applying re-styles every widget alive."""
    from cnnviz.ui.app import make_application
    from cnnviz.ui.theme import theme_manager

    make_application()
    theme_manager().apply()


@pytest.fixture
def ws(qtbot):
    """An AugmentWorkspace with no pictures, shown at 1200x760."""
    from cnnviz.ui.augment.workspace import AugmentWorkspace

    workspace = AugmentWorkspace()
    qtbot.addWidget(workspace)
    workspace.resize(1200, 760)
    workspace.show()
    yield workspace
    workspace.shutdown()
