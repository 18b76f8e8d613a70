"""The Qt-free core of cnnviz: architectures, inspection, augmentation and training.

Nothing under ``cnnviz.core`` may import PySide6, pyqtgraph or superqt; a test checks it.
"""
