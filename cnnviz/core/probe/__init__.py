"""Look inside a network: run the user's image through it and keep what every layer made.

Main entry points::

    from cnnviz.core.probe import (
        Preprocess, preprocess_for, lab_preprocess, capture_activations, activation_stats,
        feature_grid, first_conv_filters, receptive_box, load_weights_file, fetch_weights,
        top_k, ten_crop_predict, invariance_check, cpu_copy, check_architecture, check_channels,
    )

Everything here is Qt-free and works on the CPU; tensors handed back are detached CPU tensors.
"""

from cnnviz.core.probe.adopt import check_architecture, check_channels, cpu_copy
from cnnviz.core.probe.capture import ActivationSet, capture_activations
from cnnviz.core.probe.predict import Prediction, invariance_check, predict, ten_crop_predict, top_k
from cnnviz.core.probe.preprocess import Preprocess, lab_preprocess, preprocess_for
from cnnviz.core.probe.receptive import receptive_box
from cnnviz.core.probe.render import channel_order, feature_grid, first_conv_filters, to_uint8
from cnnviz.core.probe.stats import LayerStats, activation_stats
from cnnviz.core.probe.weights import (
    WeightsChoice, available_weights, fetch_weights, load_weights_file, pretrained_weights,
)

__all__ = [
    "ActivationSet", "LayerStats", "Prediction", "Preprocess", "WeightsChoice",
    "activation_stats", "available_weights", "capture_activations", "channel_order",
    "check_architecture", "check_channels", "cpu_copy",
    "feature_grid", "fetch_weights", "first_conv_filters", "invariance_check", "lab_preprocess",
    "load_weights_file", "predict", "preprocess_for", "pretrained_weights", "receptive_box",
    "ten_crop_predict", "to_uint8", "top_k",
]
