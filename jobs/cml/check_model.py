"""CML entry script of the "Check Model" job: runs the bundled `check-model` binary (see _launch.py)."""
import os, sys
SCRIPT = globals().get("__file__") or sys.argv[0]  # an IPython kernel may not set __file__
sys.path.insert(0, os.path.dirname(os.path.abspath(SCRIPT)))
from _launch import main
main("check-model", SCRIPT)
