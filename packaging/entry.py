"""Entry point of the frozen app (PyInstaller): the same `smallwise` command."""

import multiprocessing
import sys

from desktop_app.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()  # the engine worker is a spawned process
    sys.exit(main())
