"""torch.fx tracing on one thread and forward passes on another must not meet."""

import threading
import time

import torch
from torch import nn

from cnnviz.core.inspect.trace import trace_fx
from cnnviz.core.probe import capture_activations


class SlowToTrace(nn.Module):
    """Holds the tracer's process-wide patch in place long enough for another thread to run."""

    def __init__(self, started: threading.Event):
        super().__init__()
        self.conv = nn.Conv2d(1, 2, 3)
        self.started = started

    def forward(self, x):
        self.started.set()
        time.sleep(0.5)
        return self.conv(x)


def test_forward_pass_during_a_trace_neither_fails_nor_leaks_into_the_graph():
    started = threading.Event()
    traced = {}
    tracer = threading.Thread(target=lambda: traced.update(
        ops=trace_fx(SlowToTrace(started), torch.zeros(1, 1, 8, 8))))
    other = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.Conv2d(4, 4, 3))
    tracer.start()
    assert started.wait(10)
    acts = capture_activations(other, torch.zeros(1, 1, 8, 8))  # waits for the trace
    tracer.join(10)
    assert acts.get("2").shape == (4, 4, 4)
    assert [op.name for op in traced["ops"] if op.op == "module"] == ["conv"]
