"""Shared logic of the CML entry scripts in this folder (SPEC §10).

A CML Python runtime starts a job's script inside an IPython kernel, so the
script's ``sys.argv`` may hold the kernel's ``-f <connection file>`` besides
the run's own arguments. The entry scripts start the job's Swift binary with
only the run's arguments, stream its output, and exit with its status.

Binary folder: ``$PERIOD_PIPELINE_BIN`` if set, else ``<project root>/bin``,
where the project root is the parent of the ``jobs/`` folder holding the
entry script. Standard library only.
"""
import os
import signal
import subprocess
import sys

BIN_ENV = "PERIOD_PIPELINE_BIN"

# The binary is missing or cannot be run (the shell's convention).
EXIT_NOT_FOUND = 127
EXIT_CANNOT_EXECUTE = 126

_KERNEL_FLAGS = ("-f", "--f")


def strip_kernel_args(args):
    """``args`` without the IPython kernel's connection file option.

    Drops ``-f <file>`` (and ``--f <file>``) pairs wherever they appear, and
    the one-token forms ``-f=<file>`` and ``--f=<file>``; keeps everything
    else in order.
    """
    kept = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg in _KERNEL_FLAGS:
            i += 2  # the flag and its file (if any)
            continue
        if arg.startswith(("-f=", "--f=")):
            i += 1
            continue
        kept.append(arg)
        i += 1
    return kept


def project_root(script_path):
    """The parent of the nearest ``jobs`` folder above ``script_path``.

    Falls back to the grandparent of the script's folder when no ancestor is
    named ``jobs`` (``root/x/script.py`` → ``root``).
    """
    folder = os.path.dirname(os.path.abspath(script_path))
    probe = folder
    while True:
        if os.path.basename(probe) == "jobs":
            return os.path.dirname(probe)
        parent = os.path.dirname(probe)
        if parent == probe:
            return os.path.dirname(folder)
        probe = parent


def bin_dir(script_path, environ=None):
    """``$PERIOD_PIPELINE_BIN`` if set and not empty, else ``<project root>/bin``."""
    environ = os.environ if environ is None else environ
    configured = environ.get(BIN_ENV, "")
    if configured:
        return os.path.abspath(configured)
    return os.path.join(project_root(script_path), "bin")


def find_binary(name, script_path, environ=None):
    """Path of the executable ``name``, or ``(None, message)`` when it cannot run."""
    environ = os.environ if environ is None else environ
    folder = bin_dir(script_path, environ)
    path = os.path.join(folder, name)
    if environ.get(BIN_ENV, ""):
        hint = "%s is set to %s; point it at the folder that holds the Swift binaries." % (BIN_ENV, environ[BIN_ENV])
    else:
        hint = "Bundle the Swift binaries in %s or set %s to the folder that holds them." % (folder, BIN_ENV)
    if not os.path.isfile(path):
        return None, "ERROR: job binary '%s' not found at %s. %s" % (name, path, hint)
    if not os.access(path, os.X_OK):
        return None, "ERROR: job binary %s is not executable (chmod +x it). %s" % (path, hint)
    return path, None


def exit_status(returncode):
    """A child's status as a shell reports it: 128 + N when killed by signal N."""
    return 128 - returncode if returncode < 0 else returncode


def run(binary, args):
    """Runs ``binary`` with ``args`` (no shell), stdout/stderr inherited; returns its exit status.

    SIGTERM, SIGINT and SIGHUP received meanwhile are forwarded to the child,
    so stopping the CML run stops the binary too.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        child = subprocess.Popen([binary, *args])
    except OSError as error:
        print("ERROR: cannot start %s: %s" % (binary, error), file=sys.stderr)
        return EXIT_CANNOT_EXECUTE

    def forward(signum, _frame):
        try:
            child.send_signal(signum)
        except OSError:
            pass

    previous = {}
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        try:
            previous[signum] = signal.signal(signum, forward)
        except (ValueError, OSError):  # not the main thread: leave handlers alone
            pass
    try:
        while True:
            try:
                return exit_status(child.wait())
            except KeyboardInterrupt:  # a handler we could not replace: keep waiting for the child
                forward(signal.SIGINT, None)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def main(name, script_path, argv=None):
    """Entry point: runs ``name`` from the bundle with the job's own arguments and exits with its status."""
    argv = sys.argv if argv is None else argv
    binary, problem = find_binary(name, script_path)
    if binary is None:
        print(problem, file=sys.stderr)
        sys.exit(EXIT_NOT_FOUND)
    sys.exit(run(binary, strip_kernel_args(argv[1:])))
