"""cnnviz: see inside the classic convolutional networks."""

__version__ = "0.1.0"

APP_NAME = "cnnviz"
APP_DISPLAY_NAME = "cnnviz"
APP_ID = "io.github.cnnviz.CnnViz"
ORG_NAME = "cnnviz"
ORG_DOMAIN = "cnnviz.github.io"
LICENSE = "MIT"
