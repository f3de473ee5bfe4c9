"""Runs one CML entry script inside a Jupyter kernel, the way CML's current runtimes run a job.

Usage (from the project root, with the run's environment)::

    PYTHON jobs/local/run_in_kernel.py jobs/cml/get_predictions.py

PYTHON is an interpreter that has ``ipykernel`` and ``jupyter_client``; the
kernel runs on that same interpreter (``sys.executable -m
ipykernel_launcher``, whatever kernel specs are installed). The kernel's
working directory is this process's, its environment exactly this process's
``os.environ`` (the run's arguments arrive in ``JOB_ARGUMENTS``), plus what
jupyter_client itself sets (``JPY_PARENT_PID``). The script is executed as
``exec(compile(open(SCRIPT).read(), SCRIPT, 'exec'), {'__name__':
'__main__'})``, without ``__file__``.

The kernel's stream output (``stdout``, ``stderr``) is copied to this
process's stdout and stderr a line at a time as it arrives. The kernel
process's own output (start-up warnings) goes to a temporary file, shown only
when the kernel dies or cannot start.

Exit status:
  0    the execute reply is "ok";
  3    the reply is an error ``JobFailed`` whose value starts with
       ``<job> exited 3: model degraded`` (check-model stopped the pipeline);
  1    any other error reply (one line ``ERROR: <ename>: <evalue>`` on
       stderr), or the kernel failed to start or died;
  2    usage error (no script, or no such file);
  130, 143  SIGINT, SIGTERM: the signal is passed to the kernel's process
       group (so the job binary gets it too), then the kernel is shut down.

The kernel is always shut down before exiting. Standard library and
jupyter_client only.
"""
import os
import queue
import re
import signal
import sys
import tempfile
import time

# How long to wait for the kernel to answer once started, and for the job to
# end after a stop signal was passed on.
READY_TIMEOUT = 60
STOP_GRACE = 5
POLL = 0.25

EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_DEGRADED = 3

# The value of a JobFailed from check-model's degradation stop (see jobs/cml/_launch.py).
_DEGRADED = re.compile(r"^\S+ exited 3: model degraded")


def exec_code(script):
    """The code a runtime may run for ``script``: an ``exec`` without ``__file__``."""
    return "exec(compile(open(%r).read(), %r, 'exec'), {'__name__': '__main__'})" % (script, script)


def exit_status_for(reply_content):
    """This driver's exit status for an execute reply's content."""
    if reply_content.get("status") == "ok":
        return 0
    if reply_content.get("ename") == "JobFailed" and _DEGRADED.match(reply_content.get("evalue", "")):
        return EXIT_DEGRADED
    return EXIT_FAILED


class _Lines:
    """Passes text on to one of this process's streams a complete line at a time, flushed."""

    def __init__(self, stream):
        self.stream = stream
        self.pending = ""

    def write(self, text):
        lines = (self.pending + text).split("\n")
        self.pending = lines.pop()
        if lines:
            self._put("".join(line + "\n" for line in lines))

    def close(self):
        if self.pending:
            self._put(self.pending + "\n")
            self.pending = ""

    def _put(self, text):
        self.stream.buffer.write(text.encode("utf-8", "replace"))
        self.stream.flush()


class _Stop:
    """Records SIGTERM and SIGINT instead of raising, so the kernel can be shut down in order."""

    def __init__(self):
        self.signum = None
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self._record)

    def _record(self, signum, _frame):
        if self.signum is None:
            self.signum = signum


def _kernel_manager():
    """A KernelManager whose kernel is ``sys.executable -m ipykernel_launcher``."""
    from jupyter_client import KernelManager
    from jupyter_client.kernelspec import KernelSpec, KernelSpecManager

    class ThisPython(KernelSpecManager):
        def get_kernel_spec(self, kernel_name):
            return KernelSpec(
                argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                display_name="Python (%s)" % sys.executable, language="python", name=kernel_name,
            )

    return KernelManager(kernel_spec_manager=ThisPython())


def _tail(log, limit=2000):
    log.flush()
    log.seek(0)
    text = log.read().decode("utf-8", "replace").strip()
    return text[-limit:]


def _fail(message):
    print("ERROR: " + " ".join(message.split("\n")), file=sys.stderr, flush=True)
    return EXIT_FAILED


def run(script, stop):
    """Runs ``script`` in a new kernel; returns this driver's exit status."""
    manager = _kernel_manager()
    with tempfile.TemporaryFile() as log:
        try:
            manager.start_kernel(cwd=os.getcwd(), env=dict(os.environ), stdout=log, stderr=log)
        except Exception as error:  # noqa: BLE001 - any start failure ends the run the same way
            return _fail("the Jupyter kernel did not start: %s: %s %s" % (type(error).__name__, error, _tail(log)))
        client = manager.client()
        try:
            client.start_channels()
            try:
                client.wait_for_ready(timeout=READY_TIMEOUT)
            except RuntimeError as error:
                return _fail("the Jupyter kernel did not start: %s %s" % (error, _tail(log)))
            if stop.signum is not None:
                return 128 + stop.signum
            return _execute(client, manager, script, stop, log)
        finally:
            client.stop_channels()
            manager.shutdown_kernel(now=True)


def _execute(client, manager, script, stop, log):
    out, err = _Lines(sys.stdout), _Lines(sys.stderr)
    msg_id = client.execute(exec_code(script), store_history=False, allow_stdin=False)
    deadline = None  # set once a stop signal was passed on
    try:
        while True:
            if stop.signum is not None and deadline is None:
                try:
                    manager.signal_kernel(stop.signum)  # the kernel's process group: the binary too
                except OSError:
                    pass
                deadline = time.monotonic() + STOP_GRACE
            if deadline is not None and time.monotonic() > deadline:
                return 128 + stop.signum
            try:
                message = client.get_iopub_msg(timeout=POLL)
            except queue.Empty:
                if not manager.is_alive():
                    if stop.signum is not None:
                        return 128 + stop.signum
                    return _fail("the Jupyter kernel died while running %s %s" % (script, _tail(log)))
                continue
            if message["parent_header"].get("msg_id") != msg_id:
                continue
            kind, content = message["msg_type"], message["content"]
            if kind == "stream":
                (err if content.get("name") == "stderr" else out).write(content.get("text", ""))
            elif kind == "status" and content.get("execution_state") == "idle":
                break
    finally:
        out.close()
        err.close()
    reply = _reply(client, msg_id)
    if stop.signum is not None:
        return 128 + stop.signum
    if reply is None:
        return _fail("no execute reply from the Jupyter kernel for %s" % script)
    status = exit_status_for(reply)
    if status != 0:
        _fail("%s: %s" % (reply.get("ename", "Error"), reply.get("evalue", "")))
    return status


def _reply(client, msg_id):
    """The content of the execute reply to ``msg_id`` (it precedes or follows the idle status by little)."""
    while True:
        try:
            message = client.get_shell_msg(timeout=READY_TIMEOUT)
        except queue.Empty:
            return None
        if message["parent_header"].get("msg_id") == msg_id:
            return message["content"]


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1 or argv[0].startswith("-"):
        print("usage: %s SCRIPT   (e.g. jobs/cml/get_predictions.py, relative to the working directory)"
              % os.path.basename(sys.argv[0]), file=sys.stderr)
        return EXIT_USAGE
    script = argv[0]
    if not os.path.isfile(script):
        print("ERROR: no entry script at %s (working directory %s)" % (script, os.getcwd()), file=sys.stderr)
        return EXIT_USAGE
    stop = _Stop()
    return run(script, stop)


if __name__ == "__main__":
    sys.exit(main())
