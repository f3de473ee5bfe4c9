"""Tests of the CML entry scripts and _launch.py.

Run from the repository root:
    python3 -m unittest discover -s jobs/cml -p 'test_*.py'
"""
import io
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time
import unittest
from contextlib import redirect_stderr

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import _launch  # noqa: E402

ENTRY_SCRIPTS = {
    "get_predictions.py": "get-predictions",
    "load_ground_truth.py": "load-ground-truth",
    "check_model.py": "check-model",
}


def write_fake_binary(folder, name, body):
    """A shell script with a shebang, made executable: stands in for a Swift binary."""
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, name)
    with open(path, "w") as f:
        f.write("#!/bin/sh\n" + body)
    os.chmod(path, 0o755)
    return path


def recording_binary(folder, name, argv_file, status=0):
    """Fake binary that writes its arguments, one per line, to ``argv_file`` and exits with ``status``."""
    return write_fake_binary(
        folder, name,
        ': > "%s"\nfor arg in "$@"; do printf "%%s\\n" "$arg" >> "%s"; done\necho "%s ran"\nexit %d\n'
        % (argv_file, argv_file, name, status),
    )


def read_argv(argv_file):
    with open(argv_file) as f:
        return f.read().splitlines()


class StripKernelArgsTests(unittest.TestCase):
    def test_argv_shapes(self):
        cases = [
            (["script"], []),
            (["script", "--period", "3,20"], ["--period", "3,20"]),
            (["script", "-f", "/tmp/k.json"], []),
            (["script", "-f", "/tmp/k.json", "--period", "3,20"], ["--period", "3,20"]),
            (["script", "--period", "3,20", "-f", "/tmp/k.json"], ["--period", "3,20"]),
            (["script", "-f=/tmp/k.json", "--period", "3,20"], ["--period", "3,20"]),
            (["script", "--period", "3,20", "--f=/tmp/k.json"], ["--period", "3,20"]),
            (["script", "--period", "3,20", "-f"], ["--period", "3,20"]),
            (["script", "--data", "/d", "-f", "/tmp/k.json", "--period", "0,5", "--store", "/s"],
             ["--data", "/d", "--period", "0,5", "--store", "/s"]),
        ]
        for argv, expected in cases:
            with self.subTest(argv=argv):
                self.assertEqual(_launch.strip_kernel_args(argv[1:]), expected)

    def test_other_arguments_starting_with_f_are_kept(self):
        self.assertEqual(_launch.strip_kernel_args(["-foo", "--format", "x"]), ["-foo", "--format", "x"])


class LocationTests(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="launch-test-")
        self.addCleanup(shutil.rmtree, self.root)
        self.script = os.path.join(self.root, "jobs", "cml", "get_predictions.py")

    def test_project_root_is_the_parent_of_jobs(self):
        self.assertEqual(_launch.project_root(self.script), self.root)
        self.assertEqual(_launch.bin_dir(self.script, environ={}), os.path.join(self.root, "bin"))

    def test_environment_variable_wins(self):
        self.assertEqual(_launch.bin_dir(self.script, environ={_launch.BIN_ENV: "/opt/pp"}), "/opt/pp")
        self.assertEqual(_launch.bin_dir(self.script, environ={_launch.BIN_ENV: ""}), os.path.join(self.root, "bin"))

    def test_missing_binary_is_reported(self):
        path, problem = _launch.find_binary("get-predictions", self.script, environ={})
        self.assertIsNone(path)
        self.assertIn(os.path.join(self.root, "bin", "get-predictions"), problem)
        self.assertIn(_launch.BIN_ENV, problem)

    def test_non_executable_binary_is_reported(self):
        path = write_fake_binary(os.path.join(self.root, "bin"), "get-predictions", "exit 0\n")
        os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
        found, problem = _launch.find_binary("get-predictions", self.script, environ={})
        self.assertIsNone(found)
        self.assertIn("not executable", problem)

    def test_signal_statuses_map_to_128_plus_signal(self):
        self.assertEqual(_launch.exit_status(0), 0)
        self.assertEqual(_launch.exit_status(3), 3)
        self.assertEqual(_launch.exit_status(-15), 143)


class MainTests(unittest.TestCase):
    """_launch.main in this process, with a fake binary in a temporary bundle."""

    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="launch-test-")
        self.addCleanup(shutil.rmtree, self.root)
        self.script = os.path.join(self.root, "jobs", "cml", "check_model.py")
        self.argv_file = os.path.join(self.root, "argv.txt")
        saved = os.environ.pop(_launch.BIN_ENV, None)
        if saved is not None:
            self.addCleanup(os.environ.__setitem__, _launch.BIN_ENV, saved)

    def run_main(self, argv):
        # The binary inherits file descriptor 1: point it at /dev/null meanwhile.
        sys.stdout.flush()
        saved = os.dup(1)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        try:
            with self.assertRaises(SystemExit) as exit_:
                _launch.main("check-model", self.script, argv=argv)
        finally:
            os.dup2(saved, 1)
            os.close(saved)
            os.close(devnull)
        return exit_.exception.code

    def test_missing_binary_exits_127(self):
        stderr = io.StringIO()
        with redirect_stderr(stderr):
            self.assertEqual(self.run_main(["check_model.py", "--period", "0,3"]), 127)
        self.assertIn("not found", stderr.getvalue())

    def test_arguments_and_exit_status_pass_through(self):
        for status in (0, 1, 3):
            with self.subTest(status=status):
                recording_binary(os.path.join(self.root, "bin"), "check-model", self.argv_file, status)
                code = self.run_main(["check_model.py", "-f", "/tmp/k.json", "--period", "3,20"])
                self.assertEqual(code, status)
                self.assertEqual(read_argv(self.argv_file), ["--period", "3,20"])

    def test_arguments_are_not_interpreted_by_a_shell(self):
        recording_binary(os.path.join(self.root, "bin"), "check-model", self.argv_file)
        tricky = ["--period", "3,20; echo pwned", "$HOME", "a b", "*"]
        self.assertEqual(self.run_main(["check_model.py", *tricky]), 0)
        self.assertEqual(read_argv(self.argv_file), tricky)

    def test_killed_binary_exits_128_plus_signal(self):
        write_fake_binary(os.path.join(self.root, "bin"), "check-model", "kill -TERM $$\nsleep 5\n")
        self.assertEqual(self.run_main(["check_model.py"]), 128 + 15)


class EntryScriptTests(unittest.TestCase):
    """The entry scripts as CML starts them: a separate Python process."""

    def setUp(self):
        # A copy of the project layout: ROOT/jobs/cml/*.py and ROOT/bin/.
        self.root = tempfile.mkdtemp(prefix="launch-test-")
        self.addCleanup(shutil.rmtree, self.root)
        cml = os.path.join(self.root, "jobs", "cml")
        os.makedirs(cml)
        for name in ["_launch.py", *ENTRY_SCRIPTS]:
            shutil.copy(os.path.join(HERE, name), cml)
        self.cml = cml
        self.env = {k: v for k, v in os.environ.items() if k != _launch.BIN_ENV}

    def start(self, script, args, env=None, **kwargs):
        return subprocess.run(
            [sys.executable, os.path.join(self.cml, script), *args],
            env=env or self.env, capture_output=True, text=True, timeout=10, **kwargs,
        )

    def test_each_script_runs_its_binary_from_the_project_bin_folder(self):
        for script, binary in ENTRY_SCRIPTS.items():
            with self.subTest(script=script):
                argv_file = os.path.join(self.root, binary + ".argv")
                recording_binary(os.path.join(self.root, "bin"), binary, argv_file, status=3)
                result = self.start(script, ["-f", "/tmp/k.json", "--period", "3,20"])
                self.assertEqual(result.returncode, 3, result.stderr)
                self.assertEqual(read_argv(argv_file), ["--period", "3,20"])
                self.assertEqual(result.stdout, binary + " ran\n")

    def test_bin_folder_from_the_environment(self):
        other = os.path.join(self.root, "elsewhere")
        argv_file = os.path.join(self.root, "argv.txt")
        recording_binary(other, "get-predictions", argv_file)
        result = self.start("get_predictions.py", [], env={**self.env, _launch.BIN_ENV: other})
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(read_argv(argv_file), [])

    def test_missing_binary_exits_127_with_a_clear_error(self):
        result = self.start("load_ground_truth.py", ["--period", "0,3"])
        self.assertEqual(result.returncode, 127)
        self.assertIn("load-ground-truth", result.stderr)
        self.assertIn(os.path.join(self.root, "bin"), result.stderr)

    def test_output_streams_while_the_binary_runs(self):
        # The binary prints a line, then waits for a file the test creates only
        # after it has read that line: buffered output would time out.
        go = os.path.join(self.root, "go")
        write_fake_binary(
            os.path.join(self.root, "bin"), "get-predictions",
            'echo first\necho to-stderr >&2\ni=0\nwhile [ ! -f "%s" ] && [ $i -lt 250 ]; do sleep 0.02; i=$((i+1)); done\n'
            'echo second\nexit 0\n' % go,
        )
        child = subprocess.Popen(
            [sys.executable, os.path.join(self.cml, "get_predictions.py"), "--period", "0,1"],
            env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        try:
            started = time.monotonic()
            self.assertEqual(child.stdout.readline(), "first\n")
            self.assertLess(time.monotonic() - started, 4, "first line arrived only at exit")
            self.assertIsNone(child.poll())
            open(go, "w").close()
            rest, stderr = child.communicate(timeout=10)
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()
        self.assertEqual(rest, "second\n")
        self.assertEqual(stderr, "to-stderr\n")
        self.assertEqual(child.returncode, 0)


if __name__ == "__main__":
    unittest.main()
