"""The status line speaks of the tab in view: on Compare it names the pair and their sizes,
never the network the Graph tab shows; back on the Graph tab it names that network again."""

from __future__ import annotations

from cnnviz.ui.arch import formatting as fmt

WAIT_MS = 60_000


def test_the_status_line_follows_the_tab(qtbot, window, arch, show):
    status = window.statusBar()
    assert status.currentMessage().startswith("LeNet-5: ")

    arch.tabs.setCurrentWidget(arch.compare)
    assert "LeNet-5" not in status.currentMessage()  # the Graph tab's network is not in view
    arch.compare.compare("plain20", "resnet20")
    qtbot.waitUntil(lambda: all(arch.compare.reports) and not arch.runner.busy,
                    timeout=WAIT_MS)
    left, right = (result.report for result in arch.compare.reports)
    pair = (f"Plain-20 vs ResNet-20 · {_count(left)} vs {_count(right)} parameters")
    assert status.currentMessage() == pair and "K vs " in pair

    # A network picked in the catalog while Compare is in view: its inspection's summary
    # waits for the Graph tab.
    arch.catalog.select_ref("alexnet")
    qtbot.waitUntil(lambda: arch.report.display_name == "AlexNet" and not arch.runner.busy,
                    timeout=WAIT_MS)
    assert status.currentMessage() == pair
    arch.compare.swap()
    assert status.currentMessage().startswith("ResNet-20 vs Plain-20 · ")

    arch.tabs.setCurrentIndex(0)
    assert status.currentMessage().startswith("AlexNet: ")
    assert "parameters" in status.currentMessage()
    arch.tabs.setCurrentWidget(arch.compare)
    assert status.currentMessage().startswith("ResNet-20 vs Plain-20 · ")


def _count(report) -> str:
    return fmt.count(report.totals.params)
