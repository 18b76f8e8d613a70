"""Entry point of the frozen bundle: PyInstaller runs this file as ``__main__``."""

import multiprocessing
import sys

from cnnviz.__main__ import main

if __name__ == "__main__":
    # Data-loader worker processes re-run the executable; this turns them into workers (Windows
    # and macOS start workers by spawning, which a frozen program must handle itself).
    multiprocessing.freeze_support()
    sys.exit(main())
