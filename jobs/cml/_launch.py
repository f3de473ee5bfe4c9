"""Shared logic of the CML entry scripts in this folder.

An entry script runs one of the bundled Swift binaries with the run's
arguments and reports how it ended. It works both where CML's current
runtimes run it, inside a Jupyter kernel, and as a plain Python process (the
legacy engines, or ``python3 jobs/cml/check_model.py --period 0,10``).

- Arguments: ``$JOB_ARGUMENTS`` when set, split like a shell would (the text
  ``None`` that AMP examples produce counts as no arguments, with a warning);
  otherwise ``sys.argv[1:]`` without the kernel's ``-f FILE``.
- Binary: ``$PERIOD_PIPELINE_BIN/<name>`` if that variable is set, else
  ``<project root>/bin/<name>``. The project root is the parent of the
  ``jobs`` folder holding the entry script, or the working directory when the
  script has no ``__file__`` (CML starts jobs in the project root).
- Output: the binary's stdout and stderr come through pipes and are copied to
  ``sys.stdout`` and ``sys.stderr`` from the calling thread, a complete line
  at a time (a last line without newline gets one; bytes that are not UTF-8
  are replaced), flushed after every read, so in a kernel they reach the
  cell's output and the job's log.
- Outcome: exit status 0 returns normally. Any other status raises
  ``JobFailed``, whose message reads ``<job> exited <status>: <meaning>``; in
  a kernel that exception is the cell's error, what marks the run failed
  (the kernel swallows ``sys.exit``; under IPython's ``%run`` the error is
  displayed but the execute reply still says "ok"). ``run_entry`` keeps the
  exact status for a plain process: when the script runs as ``__main__`` and
  no IPython is running, it prints the message on stderr and calls
  ``sys.exit(status)`` instead of raising.

Standard library only.
"""
import os
import re
import selectors
import shlex
import signal
import subprocess
import sys

BIN_ENV = "PERIOD_PIPELINE_BIN"
ARGUMENTS_ENV = "JOB_ARGUMENTS"

# The binary is missing or cannot be run (the shell's convention).
EXIT_NOT_FOUND = 127
EXIT_CANNOT_EXECUTE = 126
# check-model's status when the model degraded and the pipeline stopped.
EXIT_DEGRADED = 3

# The job that resumes the pipeline after a degradation stop (jobs/jobs.json).
FIRST_JOB_NAME = "Get Predictions"

_KERNEL_FLAGS = ("-f", "--f")
_FORWARDED_SIGNALS = ("SIGTERM", "SIGINT", "SIGHUP")
_READ_SIZE = 65536
# A line longer than this is passed on in pieces rather than held.
_MAX_PENDING = 1 << 20


class JobFailed(RuntimeError):
    """A job binary ended with a status other than 0.

    The message reads ``<job> exited <status>: <meaning>``; ``job``,
    ``status`` and ``meaning`` hold its parts.
    """

    def __init__(self, job, status, meaning):
        super().__init__("%s exited %d: %s" % (job, status, meaning))
        self.job = job
        self.status = status
        self.meaning = meaning


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


def job_arguments(argv=None, environ=None):
    """The run's arguments: ``$JOB_ARGUMENTS`` split like a shell when set, else ``argv[1:]`` without ``-f FILE``.

    ``None`` (as AMP examples write it) and blank values mean no arguments.
    Raises ``ValueError`` when the variable cannot be split (an unclosed quote).
    """
    argv = sys.argv if argv is None else argv
    environ = os.environ if environ is None else environ
    value = environ.get(ARGUMENTS_ENV)
    if value is None:
        return strip_kernel_args(list(argv[1:]))
    if value.strip() == "None":
        print("WARNING: %s is the text 'None': running without arguments" % ARGUMENTS_ENV, file=sys.stderr)
        return []
    try:
        return shlex.split(value)
    except ValueError as error:
        raise ValueError("%s cannot be split into arguments (%s): %r" % (ARGUMENTS_ENV, error, value)) from None


def project_root(script_path=None):
    """The parent of the nearest ``jobs`` folder above ``script_path``; the working directory when it is ``None``.

    Falls back to the grandparent of the script's folder when no ancestor is
    named ``jobs`` (``root/x/script.py`` → ``root``).
    """
    if script_path is None:
        return os.getcwd()
    folder = os.path.dirname(os.path.abspath(script_path))
    probe = folder
    while True:
        if os.path.basename(probe) == "jobs":
            return os.path.dirname(probe)
        parent = os.path.dirname(probe)
        if parent == probe:
            return os.path.dirname(folder)
        probe = parent


def bin_dir(script_path=None, environ=None):
    """``$PERIOD_PIPELINE_BIN`` if set and not empty, else ``<project root>/bin``."""
    environ = os.environ if environ is None else environ
    configured = environ.get(BIN_ENV, "")
    if configured:
        return os.path.abspath(configured)
    return os.path.join(project_root(script_path), "bin")


def find_binary(name, script_path=None, environ=None):
    """Path of the executable ``name``; raises ``JobFailed`` (127 or 126) when it is missing or not executable."""
    environ = os.environ if environ is None else environ
    folder = bin_dir(script_path, environ)
    path = os.path.join(folder, name)
    if environ.get(BIN_ENV, ""):
        hint = "%s is set to %s; point it at the folder that holds the Swift binaries" % (BIN_ENV, environ[BIN_ENV])
    else:
        hint = "bundle the Swift binaries in %s or set %s to the folder that holds them" % (folder, BIN_ENV)
    if not os.path.isfile(path):
        raise JobFailed(name, EXIT_NOT_FOUND, "binary not found at %s; %s" % (path, hint))
    if not os.access(path, os.X_OK):
        raise JobFailed(name, EXIT_CANNOT_EXECUTE, "binary %s is not executable (chmod +x it); %s" % (path, hint))
    return path


def exit_status(returncode):
    """A child's status as a shell reports it: 128 + N when killed by signal N."""
    return 128 - returncode if returncode < 0 else returncode


def period_of(args):
    """``(C, T)`` from the last ``--period C,T`` (or ``--period=C,T``) in ``args``, or ``None``."""
    value = None
    for i, arg in enumerate(args):
        if arg == "--period" and i + 1 < len(args):
            value = args[i + 1]
        elif arg.startswith("--period="):
            value = arg[len("--period="):]
    match = re.fullmatch(r"\s*(\d+)\s*,\s*(\d+)\s*", value or "")
    return (int(match.group(1)), int(match.group(2))) if match else None


def meaning(job, status, args, last_error=None):
    """What ``status`` means for ``job`` run with ``args``; ``last_error`` is its last ``ERROR:`` (or stderr) line."""
    if status == EXIT_DEGRADED and job == "check-model":
        period = period_of(args)
        if period is None:
            return ("model degraded; pipeline stopped; resume with job '%s' and the next period "
                    "once the model is dealt with" % FIRST_JOB_NAME)
        current, total = period
        return ("model degraded in period %d; pipeline stopped; resume with job '%s', arguments "
                "'--period %d,%d' once the model is dealt with" % (current, FIRST_JOB_NAME, current + 1, total))
    if status > 128:
        number = status - 128
        try:
            return "killed by signal %d (%s)" % (number, signal.Signals(number).name)
        except ValueError:
            return "killed by signal %d" % number
    detail = last_error or "no error message (see the output above)"
    if status in (EXIT_NOT_FOUND, EXIT_CANNOT_EXECUTE):
        return "could not run: %s" % detail
    return "failed: %s" % detail


def _write(stream_name, text):
    """Writes ``text`` to ``sys.<stream_name>`` as it is now, replacing what its encoding cannot hold."""
    stream = getattr(sys, stream_name)
    if stream is None:
        return
    try:
        stream.write(text)
    except UnicodeEncodeError:
        encoding = getattr(stream, "encoding", None) or "ascii"
        stream.write(text.encode(encoding, "backslashreplace").decode(encoding))


def _flush(stream_name):
    stream = getattr(sys, stream_name)
    if stream is not None:
        stream.flush()


class _Copier:
    """Copies one pipe to ``sys.stdout`` or ``sys.stderr`` a line at a time; remembers the last error line."""

    def __init__(self, pipe, stream_name):
        self.pipe = pipe
        self.stream_name = stream_name
        self.pending = b""
        self.last_error = None  # the last "ERROR:" line, without the prefix
        self.last_line = None  # the last non-blank line

    def _emit(self, raw, newline):
        text = raw.decode("utf-8", errors="replace")
        _write(self.stream_name, text + newline)
        line = text.rstrip("\r")
        if line.strip():
            self.last_line = line.strip()
        if line.startswith("ERROR:"):
            self.last_error = line[len("ERROR:"):].strip()

    def read(self):
        """Reads what the pipe has; returns ``False`` at end of file (after passing on a last partial line)."""
        chunk = os.read(self.pipe.fileno(), _READ_SIZE)
        if not chunk:
            if self.pending:
                self._emit(self.pending, "\n")
                self.pending = b""
                _flush(self.stream_name)
            return False
        lines = (self.pending + chunk).split(b"\n")
        self.pending = lines.pop()
        for raw in lines:
            self._emit(raw, "\n")
        if len(self.pending) > _MAX_PENDING:
            self._emit(self.pending, "")
            self.pending = b""
        _flush(self.stream_name)
        return True


def _copy_output(child):
    """Copies the child's stdout and stderr until both close; returns the stderr copier."""
    copiers = [_Copier(child.stdout, "stdout"), _Copier(child.stderr, "stderr")]
    with selectors.DefaultSelector() as selector:
        for copier in copiers:
            selector.register(copier.pipe, selectors.EVENT_READ, copier)
        while selector.get_map():
            for key, _ in selector.select():
                if not key.data.read():
                    selector.unregister(key.fileobj)
    return copiers[1]


def run(binary, args, job=None):
    """Runs ``binary`` with ``args`` (no shell), copying its output; returns normally on status 0.

    Raises ``JobFailed`` for any other status. SIGTERM, SIGINT and SIGHUP
    received meanwhile on the main thread are forwarded to the child, so
    stopping the CML run stops the binary too.
    """
    job = job or os.path.basename(binary)
    _flush("stdout")
    _flush("stderr")
    try:
        child = subprocess.Popen([binary, *args], stdin=subprocess.DEVNULL,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except OSError as error:
        raise JobFailed(job, EXIT_CANNOT_EXECUTE, "cannot start %s: %s" % (binary, error)) from None

    def forward(signum, _frame):
        try:
            child.send_signal(signum)
        except OSError:
            pass

    previous = {}
    try:
        for name in _FORWARDED_SIGNALS:
            signum = getattr(signal, name, None)
            if signum is None:
                continue
            try:
                previous[signum] = signal.signal(signum, forward)
            except (ValueError, OSError):  # not the main thread: leave handlers alone
                pass
        errors = _copy_output(child)
        status = exit_status(child.wait())
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if child.poll() is None:  # an exception escaped: do not leave the binary behind
            child.kill()
            child.wait()
        child.stdout.close()
        child.stderr.close()
    if status != 0:
        raise JobFailed(job, status, meaning(job, status, args, errors.last_error or errors.last_line))


def main(name, script_path=None, argv=None, environ=None):
    """Runs the bundled binary ``name`` with the run's arguments; returns on status 0, raises ``JobFailed`` otherwise.

    ``script_path`` is the entry script's ``__file__``, or ``None`` when it
    has none (the project root is then the working directory).
    """
    args = job_arguments(argv, environ)
    run(find_binary(name, script_path, environ), args, job=name)


def _in_ipython():
    """``True`` when an IPython shell (a Jupyter kernel, ``%run``) is running in this process."""
    ipython = sys.modules.get("IPython")
    get_ipython = getattr(ipython, "get_ipython", None)
    return get_ipython is not None and get_ipython() is not None


def run_entry(name, namespace):
    """What an entry script calls with its ``globals()``: ``main`` for the binary ``name``.

    Outside IPython, when the script runs as ``__main__``, a failure ends the
    process with the binary's own status (its message on stderr) instead of
    an exception; elsewhere ``JobFailed`` propagates.
    """
    try:
        main(name, namespace.get("__file__"))
    except JobFailed as failure:
        if namespace.get("__name__") == "__main__" and not _in_ipython():
            _flush("stdout")
            print(failure, file=sys.stderr)
            sys.exit(failure.status)
        raise
