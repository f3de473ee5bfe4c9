"""The CML entry scripts in real Jupyter kernels, and jobs/local/run_in_kernel.py.

Needs jupyter_client and ipykernel (scripts/test runs these tests with the
python of .venv-kernel/); skipped when jupyter_client is not importable.
Each project is a temporary folder laid out as on CML: jobs/cml/ with the
real entry scripts, bin/ with fake binaries (shell scripts).

Run from the repository root:
    .venv-kernel/bin/python -m unittest discover -s jobs/cml -p 'test_*.py'
"""
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

try:
    import jupyter_client
except ImportError:  # the tests below are skipped, visibly
    jupyter_client = None

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
DRIVER = os.path.join(REPO, "jobs", "local", "run_in_kernel.py")

ENTRY_SCRIPTS = {
    "get_predictions.py": "get-predictions",
    "load_ground_truth.py": "load-ground-truth",
    "check_model.py": "check-model",
}
TIMEOUT = 30
SKIP = unittest.skipIf(jupyter_client is None, "jupyter_client is not importable (scripts/test uses .venv-kernel)")

# What each fake binary prints, by exit status: (stdout lines, stderr lines).
OUTPUT = {
    0: (["{name} line 1", "{name} line 2"], ["{name} note on stderr"]),
    1: (["{name} started"], ["ERROR: {name} could not read the store"]),
    3: (["{name} metrics", "✗ Model degraded in period 4: accuracy fell. Pipeline stopped; "
         "no further period triggered. Resume with: get-predictions --period 5,10"], ["{name} warning"]),
}


def make_project():
    """A temporary project root laid out as on CML; removed by the caller."""
    root = tempfile.mkdtemp(prefix="kernel-test-")
    cml = os.path.join(root, "jobs", "cml")
    os.makedirs(cml)
    for name in ["_launch.py", *ENTRY_SCRIPTS]:
        shutil.copy(os.path.join(HERE, name), cml)
    os.makedirs(os.path.join(root, "jobs", "local"))
    shutil.copy(DRIVER, os.path.join(root, "jobs", "local"))
    os.makedirs(os.path.join(root, "bin"))
    return root


def fake_binary(root, name, status, body=""):
    """bin/<name>: records its arguments to argv-<name>, one per line, prints OUTPUT[status] and exits with ``status``."""
    stdout, stderr = OUTPUT.get(status, ([], []))
    lines = [': > "%s/argv-%s"' % (root, name),
             'for arg in "$@"; do printf "%%s\\n" "$arg" >> "%s/argv-%s"; done' % (root, name)]
    lines += ["echo '%s'" % line.format(name=name) for line in stdout]
    lines += ["echo '%s' >&2" % line.format(name=name) for line in stderr]
    path = os.path.join(root, "bin", name)
    with open(path, "w") as f:
        f.write("#!/bin/sh\n" + "\n".join(lines) + "\n" + body + "exit %d\n" % status)
    os.chmod(path, 0o755)


def forget_argv(root, name):
    """Removes what bin/<name> recorded, so a run that does not start it is noticed."""
    try:
        os.remove(os.path.join(root, "argv-" + name))
    except FileNotFoundError:
        pass


def recorded_argv(root, name):
    with open(os.path.join(root, "argv-" + name)) as f:
        return f.read().splitlines()


def base_environment(**extra):
    """This process's environment without the variables the entry scripts read, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if k not in ("JOB_ARGUMENTS", "PERIOD_PIPELINE_BIN")}
    env.update(extra)
    return env


def run_forms(script):
    """The two ways a runtime may run ``script``: IPython's %run, and exec without __file__."""
    return {
        "%run": "%%run %s" % script,
        "exec": "exec(compile(open(%r).read(), %r, 'exec'), {'__name__': '__main__'})" % (script, script),
    }


# Before each run: forget the helper module and its folder, so every form imports it afresh.
RESET = "import sys\nsys.modules.pop('_launch', None)\nsys.path[:] = [p for p in sys.path if not p.endswith('jobs/cml')]"


class Kernel:
    """A real ipykernel on this interpreter, with a working directory and environment."""

    def __init__(self, cwd, env):
        from jupyter_client import KernelManager
        from jupyter_client.kernelspec import KernelSpec, KernelSpecManager

        class ThisPython(KernelSpecManager):
            def get_kernel_spec(self, kernel_name):
                return KernelSpec(argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                                  display_name="test", language="python", name=kernel_name)

        self.manager = KernelManager(kernel_spec_manager=ThisPython())
        self.manager.start_kernel(cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.client = self.manager.client()
        self.client.start_channels()
        try:
            self.client.wait_for_ready(timeout=TIMEOUT)
        except BaseException:
            self.close()
            raise

    def execute(self, code):
        """``(execute_reply content, {"stdout": text, "stderr": text}, [(ename, evalue) of error messages])``."""
        msg_id = self.client.execute(code, store_history=False, allow_stdin=False)
        streams = {"stdout": "", "stderr": ""}
        errors = []
        deadline = time.monotonic() + TIMEOUT
        while True:
            message = self.client.get_iopub_msg(timeout=max(0.1, deadline - time.monotonic()))
            if message["parent_header"].get("msg_id") != msg_id:
                continue
            content = message["content"]
            if message["msg_type"] == "stream":
                streams[content["name"]] += content["text"]
            elif message["msg_type"] == "error":
                errors.append((content["ename"], content["evalue"]))
            elif message["msg_type"] == "status" and content["execution_state"] == "idle":
                break
        while True:
            reply = self.client.get_shell_msg(timeout=TIMEOUT)
            if reply["parent_header"].get("msg_id") == msg_id:
                return reply["content"], streams, errors

    def run_script(self, code):
        reset, _, _ = self.execute(RESET)
        assert reset["status"] == "ok", reset
        return self.execute(code)

    def close(self):
        self.client.stop_channels()
        self.manager.shutdown_kernel(now=True)


@SKIP
class EntryScriptsInAKernelTests(unittest.TestCase):
    """One kernel, JOB_ARGUMENTS with a quoted argument; every script in both forms.

    The exec form's failure is the execute reply's error. IPython's %run
    catches every exception of the script and only displays it (an ``error``
    message on iopub, reply status "ok"), so for %run the error message is
    the oracle; both carry the same ename and evalue.
    """

    ARGUMENTS = '--period 4,10 --note "two words"'
    EXPECTED = ["--period", "4,10", "--note", "two words"]

    @classmethod
    def setUpClass(cls):
        cls.root = make_project()
        try:
            cls.kernel = Kernel(cls.root, base_environment(JOB_ARGUMENTS=cls.ARGUMENTS))
        except BaseException:
            shutil.rmtree(cls.root)
            raise

    @classmethod
    def tearDownClass(cls):
        cls.kernel.close()
        shutil.rmtree(cls.root)

    def check_each_form(self, script, status, error=None):
        """Runs ``script`` both ways, its binary exiting ``status``; checks arguments, output and outcome.

        ``error`` is the expected ``(ename, evalue)``, ``None`` for success.
        """
        name = ENTRY_SCRIPTS[script]
        fake_binary(self.root, name, status)
        for form, code in run_forms("jobs/cml/" + script).items():
            with self.subTest(script=script, form=form):
                forget_argv(self.root, name)
                reply, streams, errors = self.kernel.run_script(code)
                self.assertEqual(recorded_argv(self.root, name), self.EXPECTED)
                stdout, stderr = OUTPUT[status]
                for line in stdout:
                    self.assertIn(line.format(name=name) + "\n", streams["stdout"])
                for line in stderr:
                    self.assertIn(line.format(name=name) + "\n", streams["stderr"])
                if error is None:
                    self.assertEqual(reply["status"], "ok", reply.get("evalue"))
                    self.assertEqual(errors, [])
                    continue
                self.assertEqual(errors, [error])
                if form == "exec":
                    self.assertEqual(reply["status"], "error")
                    self.assertEqual((reply["ename"], reply["evalue"]), error)
                else:
                    self.assertEqual(reply["status"], "ok", "IPython's %run no longer swallows exceptions")

    def test_exit_0_is_a_normal_return(self):
        for script in ENTRY_SCRIPTS:
            self.check_each_form(script, 0)

    def test_exit_1_is_an_error_naming_job_status_and_cause(self):
        for script, name in ENTRY_SCRIPTS.items():
            self.check_each_form(
                script, 1, ("JobFailed", "%s exited 1: failed: %s could not read the store" % (name, name)))

    def test_exit_3_of_check_model_says_degraded_and_how_to_resume(self):
        self.check_each_form("check_model.py", 3, (
            "JobFailed",
            "check-model exited 3: model degraded in period 4; pipeline stopped; resume with job "
            "'Get Predictions', arguments '--period 5,10' once the model is dealt with"))


@SKIP
class KernelArgumentsTests(unittest.TestCase):
    """Arguments when JOB_ARGUMENTS is the text None, or absent (then the kernel's own -f is dropped)."""

    def setUp(self):
        self.root = make_project()
        self.addCleanup(shutil.rmtree, self.root)
        fake_binary(self.root, "get-predictions", 0)

    def run_in_kernel(self, env):
        kernel = Kernel(self.root, env)
        self.addCleanup(kernel.close)
        results = {}
        for form, code in run_forms("jobs/cml/get_predictions.py").items():
            reply, streams, _ = kernel.run_script(code)
            results[form] = (reply, streams, recorded_argv(self.root, "get-predictions"))
        return results

    def test_none_means_no_arguments_with_a_warning(self):
        for form, (reply, streams, argv) in self.run_in_kernel(base_environment(JOB_ARGUMENTS="None")).items():
            with self.subTest(form=form):
                self.assertEqual(reply["status"], "ok", reply.get("evalue"))
                self.assertEqual(argv, [])
                self.assertIn("WARNING: JOB_ARGUMENTS is the text 'None'", streams["stderr"])

    def test_without_job_arguments_the_kernels_argv_is_not_passed_on(self):
        for form, (reply, streams, argv) in self.run_in_kernel(base_environment()).items():
            with self.subTest(form=form):
                self.assertEqual(reply["status"], "ok", reply.get("evalue"))
                self.assertEqual(argv, [])
                self.assertNotIn("WARNING", streams["stderr"])


@SKIP
class DriverTests(unittest.TestCase):
    """jobs/local/run_in_kernel.py as the launcher starts it: in the project root, with the run's environment."""

    def setUp(self):
        self.root = make_project()
        self.addCleanup(shutil.rmtree, self.root)

    def drive(self, script, env):
        return subprocess.run(
            [sys.executable, "jobs/local/run_in_kernel.py", "jobs/cml/" + script],
            cwd=self.root, env=env, capture_output=True, text=True, timeout=TIMEOUT,
        )

    def test_exit_statuses_and_output(self):
        cases = [("get_predictions.py", 0, 0), ("load_ground_truth.py", 1, 1), ("check_model.py", 3, 3)]
        for script, status, expected in cases:
            with self.subTest(script=script, status=status):
                name = ENTRY_SCRIPTS[script]
                fake_binary(self.root, name, status)
                result = self.drive(script, base_environment(JOB_ARGUMENTS='--period 4,10 --note "two words"'))
                self.assertEqual(result.returncode, expected, result.stderr)
                self.assertEqual(recorded_argv(self.root, name), ["--period", "4,10", "--note", "two words"])
                stdout, stderr = OUTPUT[status]
                self.assertEqual(result.stdout, "".join(line.format(name=name) + "\n" for line in stdout))
                expected_stderr = [line.format(name=name) for line in stderr]
                if status == 1:
                    expected_stderr.append("ERROR: JobFailed: %s exited 1: failed: %s could not read the store"
                                           % (name, name))
                if status == 3:
                    expected_stderr.append(
                        "ERROR: JobFailed: check-model exited 3: model degraded in period 4; pipeline stopped; "
                        "resume with job 'Get Predictions', arguments '--period 5,10' once the model is dealt with")
                self.assertEqual(result.stderr.splitlines(), expected_stderr)

    def test_the_kernel_has_the_drivers_environment_and_working_directory(self):
        fake_binary(self.root, "get-predictions", 0,
                    body='env > "%s/env.txt"\npwd > "%s/pwd.txt"\n' % (self.root, self.root))
        env = base_environment(PP_TEST_MARKER="a value with spaces")
        result = self.drive("get_predictions.py", env)
        self.assertEqual(result.returncode, 0, result.stderr)
        with open(os.path.join(self.root, "env.txt")) as f:
            seen = dict(line.split("=", 1) for line in f.read().splitlines() if "=" in line)
        for key, value in env.items():
            # IPython sets TERM, the binary's shell PWD; jupyter_client drops PYTHONEXECUTABLE.
            if key in ("TERM", "PWD", "_", "PYTHONEXECUTABLE") or "\n" in value:
                continue
            self.assertEqual(seen.get(key), value, key)
        self.assertNotIn("JOB_ARGUMENTS", seen)
        self.assertEqual(recorded_argv(self.root, "get-predictions"), [])
        with open(os.path.join(self.root, "pwd.txt")) as f:
            self.assertEqual(os.path.realpath(f.read().strip()), os.path.realpath(self.root))

    def test_a_stop_signal_stops_the_job_and_the_kernel(self):
        for signum, expected in ((signal.SIGTERM, 143), (signal.SIGINT, 130)):
            with self.subTest(signal=signum.name):
                # The binary prints its pid, then waits; the driver must pass the signal on.
                fake_binary(self.root, "get-predictions", 0, body='echo "pid $$"\nexec sleep 30\n')
                driver = subprocess.Popen(
                    [sys.executable, "jobs/local/run_in_kernel.py", "jobs/cml/get_predictions.py"],
                    cwd=self.root, env=base_environment(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                )
                try:
                    lines = []
                    while not lines or not lines[-1].startswith("pid "):
                        line = driver.stdout.readline()
                        if not line:
                            self.fail("the driver ended before the binary started: %s" % driver.stderr.read())
                        lines.append(line)
                    pid = int(lines[-1].split()[1])
                    started = time.monotonic()
                    driver.send_signal(signum)
                    _, stderr = driver.communicate(timeout=TIMEOUT)
                finally:
                    if driver.poll() is None:
                        driver.kill()
                        driver.wait()
                self.assertEqual(driver.returncode, expected, stderr)
                self.assertLess(time.monotonic() - started, 10)
                self.assertFalse(running(pid), "the job binary outlived the driver")


class DriverExitStatusTests(unittest.TestCase):
    """How run_in_kernel.py maps an execute reply to its exit status (no kernel needed)."""

    @classmethod
    def setUpClass(cls):
        sys.path.insert(0, os.path.dirname(DRIVER))
        try:
            import run_in_kernel
        finally:
            sys.path.remove(os.path.dirname(DRIVER))
        cls.driver = run_in_kernel

    def test_mapping(self):
        degraded = ("check-model exited 3: model degraded in period 4; pipeline stopped; resume with job "
                    "'Get Predictions', arguments '--period 5,10' once the model is dealt with")
        cases = [
            ({"status": "ok"}, 0),
            ({"status": "error", "ename": "JobFailed", "evalue": degraded}, 3),
            ({"status": "error", "ename": "JobFailed", "evalue": "load-ground-truth exited 1: failed: x"}, 1),
            ({"status": "error", "ename": "JobFailed", "evalue": "get-predictions exited 3: failed: x"}, 1),
            ({"status": "error", "ename": "RuntimeError", "evalue": degraded}, 1),
            ({"status": "error", "ename": "FileNotFoundError", "evalue": "no such file"}, 1),
            ({"status": "aborted"}, 1),
        ]
        for content, expected in cases:
            with self.subTest(content=content):
                self.assertEqual(self.driver.exit_status_for(content), expected)


def running(pid):
    """``True`` while process ``pid`` exists and is not a zombie."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


if __name__ == "__main__":
    unittest.main()
