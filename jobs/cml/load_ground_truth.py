"""CML entry script of the "Load Ground Truth" job: runs the bundled `load-ground-truth` binary (see _launch.py)."""
import os, sys
# In a Jupyter kernel __file__ may be unset; CML starts jobs in the project root.
_HERE = os.path.dirname(os.path.abspath(__file__)) if "__file__" in globals() else os.path.join(os.getcwd(), "jobs", "cml")
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)
import _launch
_launch.run_entry("load-ground-truth", globals())
