"""Tests of the CML entry scripts and _launch.py.

Run from the repository root:
    python3 -m unittest discover -s jobs/cml -p 'test_*.py'
"""
import io
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
import unittest
from unittest import mock
from contextlib import redirect_stderr, redirect_stdout

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


class JobArgumentsTests(unittest.TestCase):
    def setUp(self):
        self.stderr = io.StringIO()

    def arguments(self, argv, environ):
        with redirect_stderr(self.stderr):
            return _launch.job_arguments(argv, environ)

    def test_job_arguments_win_over_argv_and_split_like_a_shell(self):
        argv = ["ipykernel_launcher.py", "-f", "/tmp/k.json", "--period", "9,9"]
        cases = [
            ("--period 4,10", ["--period", "4,10"]),
            ('--period 4,10 --note "two words"', ["--period", "4,10", "--note", "two words"]),
            ("--period '0, 5'  --data /d", ["--period", "0, 5", "--data", "/d"]),
            ("", []),
            ("   ", []),
        ]
        for value, expected in cases:
            with self.subTest(value=value):
                self.assertEqual(self.arguments(argv, {"JOB_ARGUMENTS": value}), expected)
        self.assertEqual(self.stderr.getvalue(), "")

    def test_the_text_none_means_no_arguments_with_a_warning(self):
        for value in ("None", " None\n"):
            with self.subTest(value=value):
                self.stderr = io.StringIO()
                self.assertEqual(self.arguments(["x.py", "--period", "1,2"], {"JOB_ARGUMENTS": value}), [])
                self.assertEqual(self.stderr.getvalue().count("\n"), 1)
                self.assertIn("WARNING: JOB_ARGUMENTS", self.stderr.getvalue())

    def test_without_the_variable_argv_less_the_kernel_file(self):
        self.assertEqual(self.arguments(["x.py", "-f", "/tmp/k.json", "--period", "3,20"], {}), ["--period", "3,20"])

    def test_unbalanced_quotes_are_a_clear_error(self):
        with self.assertRaises(ValueError) as raised:
            self.arguments(["x.py"], {"JOB_ARGUMENTS": '--note "open'})
        self.assertIn("JOB_ARGUMENTS", str(raised.exception))


class LocationTests(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="launch-test-")
        self.addCleanup(shutil.rmtree, self.root)
        self.script = os.path.join(self.root, "jobs", "cml", "get_predictions.py")

    def test_project_root_is_the_parent_of_jobs(self):
        self.assertEqual(_launch.project_root(self.script), self.root)
        self.assertEqual(_launch.bin_dir(self.script, environ={}), os.path.join(self.root, "bin"))

    def test_without_a_script_path_the_project_root_is_the_working_directory(self):
        self.assertEqual(_launch.project_root(None), os.getcwd())
        self.assertEqual(_launch.bin_dir(None, environ={}), os.path.join(os.getcwd(), "bin"))

    def test_environment_variable_wins(self):
        self.assertEqual(_launch.bin_dir(self.script, environ={_launch.BIN_ENV: "/opt/pp"}), "/opt/pp")
        self.assertEqual(_launch.bin_dir(self.script, environ={_launch.BIN_ENV: ""}), os.path.join(self.root, "bin"))

    def test_missing_binary_is_job_failed_127(self):
        with self.assertRaises(_launch.JobFailed) as raised:
            _launch.find_binary("get-predictions", self.script, environ={})
        failure = raised.exception
        self.assertEqual(failure.status, 127)
        self.assertTrue(str(failure).startswith("get-predictions exited 127: binary not found at "))
        self.assertIn(os.path.join(self.root, "bin", "get-predictions"), str(failure))
        self.assertIn(_launch.BIN_ENV, str(failure))

    def test_non_executable_binary_is_job_failed_126(self):
        path = write_fake_binary(os.path.join(self.root, "bin"), "get-predictions", "exit 0\n")
        os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
        with self.assertRaises(_launch.JobFailed) as raised:
            _launch.find_binary("get-predictions", self.script, environ={})
        self.assertEqual(raised.exception.status, 126)
        self.assertIn("not executable", str(raised.exception))

    def test_signal_statuses_map_to_128_plus_signal(self):
        self.assertEqual(_launch.exit_status(0), 0)
        self.assertEqual(_launch.exit_status(3), 3)
        self.assertEqual(_launch.exit_status(-15), 143)


class MeaningTests(unittest.TestCase):
    def test_period_of(self):
        cases = [
            (["--period", "4,10"], (4, 10)),
            (["--data", "/d", "--period", " 4 , 10 "], (4, 10)),
            (["--period=2,3"], (2, 3)),
            (["--period", "1,9", "--period", "2,9"], (2, 9)),
            (["--period"], None),
            (["--period", "x,10"], None),
            ([], None),
        ]
        for args, expected in cases:
            with self.subTest(args=args):
                self.assertEqual(_launch.period_of(args), expected)

    def test_statuses(self):
        cases = [
            ("check-model", 3, ["--period", "4,10"], None,
             "model degraded in period 4; pipeline stopped; resume with job 'Get Predictions', "
             "arguments '--period 5,10' once the model is dealt with"),
            ("check-model", 3, [], None,
             "model degraded; pipeline stopped; resume with job 'Get Predictions' and the next period "
             "once the model is dealt with"),
            ("load-ground-truth", 1, [], "Missing --period", "failed: Missing --period"),
            ("load-ground-truth", 1, [], None, "failed: no error message (see the output above)"),
            ("get-predictions", 3, [], "odd", "failed: odd"),
            ("get-predictions", 143, [], None, "killed by signal 15 (SIGTERM)"),
            ("get-predictions", 127, [], "libc.so.6: version `GLIBC_2.34' not found",
             "could not run: libc.so.6: version `GLIBC_2.34' not found"),
        ]
        for job, status, args, last_error, expected in cases:
            with self.subTest(job=job, status=status):
                self.assertEqual(_launch.meaning(job, status, args, last_error), expected)


class MainTests(unittest.TestCase):
    """_launch.main in this process, with a fake binary in a temporary bundle."""

    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="launch-test-")
        self.addCleanup(shutil.rmtree, self.root)
        self.script = os.path.join(self.root, "jobs", "cml", "check_model.py")
        self.bin = os.path.join(self.root, "bin")
        self.argv_file = os.path.join(self.root, "argv.txt")
        self.environ = {k: v for k, v in os.environ.items() if k not in (_launch.BIN_ENV, _launch.ARGUMENTS_ENV)}

    def run_main(self, argv, environ=None):
        """``(JobFailed or None, stdout, stderr)`` of _launch.main with sys.stdout/sys.stderr captured."""
        stdout, stderr = io.StringIO(), io.StringIO()
        failure = None
        with redirect_stdout(stdout), redirect_stderr(stderr):
            try:
                _launch.main("check-model", self.script, argv=argv, environ=environ or self.environ)
            except _launch.JobFailed as error:
                failure = error
        return failure, stdout.getvalue(), stderr.getvalue()

    def test_missing_binary_is_job_failed_127(self):
        failure, _, _ = self.run_main(["check_model.py", "--period", "0,3"])
        self.assertEqual(failure.status, 127)
        self.assertIn("not found", str(failure))

    def test_exit_0_returns_and_other_statuses_raise(self):
        for status in (0, 1, 3, 5):
            with self.subTest(status=status):
                recording_binary(self.bin, "check-model", self.argv_file, status)
                failure, stdout, _ = self.run_main(["check_model.py", "-f", "/tmp/k.json", "--period", "3,20"])
                self.assertEqual(read_argv(self.argv_file), ["--period", "3,20"])
                self.assertEqual(stdout, "check-model ran\n")
                if status == 0:
                    self.assertIsNone(failure)
                else:
                    self.assertEqual((failure.job, failure.status), ("check-model", status))
                    self.assertTrue(str(failure).startswith("check-model exited %d: " % status))

    def test_job_arguments_from_the_environment(self):
        recording_binary(self.bin, "check-model", self.argv_file)
        environ = {**self.environ, "JOB_ARGUMENTS": '--period 3,20 --note "a b"'}
        failure, _, _ = self.run_main(["ipykernel_launcher.py", "-f", "/tmp/k.json"], environ)
        self.assertIsNone(failure)
        self.assertEqual(read_argv(self.argv_file), ["--period", "3,20", "--note", "a b"])

    def test_the_last_error_line_names_the_cause(self):
        write_fake_binary(self.bin, "check-model",
                          'echo "ERROR: first" >&2\necho "ERROR: Missing --period: check-model must" >&2\n'
                          'echo "trailing note" >&2\nexit 1\n')
        failure, _, stderr = self.run_main(["check_model.py"])
        self.assertEqual(str(failure), "check-model exited 1: failed: Missing --period: check-model must")
        self.assertEqual(stderr, "ERROR: first\nERROR: Missing --period: check-model must\ntrailing note\n")

    def test_degradation_names_the_period_to_resume_with(self):
        recording_binary(self.bin, "check-model", self.argv_file, 3)
        failure, _, _ = self.run_main(["check_model.py", "--period", "4,10"])
        self.assertEqual(
            str(failure),
            "check-model exited 3: model degraded in period 4; pipeline stopped; resume with job "
            "'Get Predictions', arguments '--period 5,10' once the model is dealt with")

    def test_arguments_are_not_interpreted_by_a_shell(self):
        recording_binary(self.bin, "check-model", self.argv_file)
        tricky = ["--period", "3,20; echo pwned", "$HOME", "a b", "*"]
        failure, _, _ = self.run_main(["check_model.py", *tricky])
        self.assertIsNone(failure)
        self.assertEqual(read_argv(self.argv_file), tricky)

    def test_killed_binary_is_128_plus_signal(self):
        write_fake_binary(self.bin, "check-model", "kill -TERM $$\nsleep 5\n")
        failure, _, _ = self.run_main(["check_model.py"])
        self.assertEqual(failure.status, 128 + 15)
        self.assertIn("killed by signal 15 (SIGTERM)", str(failure))

    def test_output_lines_partial_last_line_and_bad_bytes(self):
        write_fake_binary(self.bin, "check-model",
                          "printf 'one\\ntwo\\r\\n'\nprintf 'bad \\377\\n' >&2\nprintf 'no newline'\nexit 0\n")
        failure, stdout, stderr = self.run_main(["check_model.py"])
        self.assertIsNone(failure)
        self.assertEqual(stdout, "one\ntwo\r\nno newline\n")
        self.assertEqual(stderr, "bad \ufffd\n")

    def test_much_output_on_both_pipes_does_not_deadlock(self):
        # 4 MB on each pipe, interleaved: far beyond a pipe's buffer.
        write_fake_binary(self.bin, "check-model",
                          "i=0\nwhile [ $i -lt 4 ]; do\n"
                          "  head -c 1048576 /dev/zero | tr '\\0' 'o' | fold -w 1023\n"
                          "  head -c 1048576 /dev/zero | tr '\\0' 'e' | fold -w 1023 >&2\n"
                          "  i=$((i+1))\ndone\nexit 0\n")
        failure, stdout, stderr = self.run_main(["check_model.py"])
        self.assertIsNone(failure)
        self.assertEqual(stdout.count("o"), 4 * 1048576)
        self.assertEqual(stderr.count("e"), 4 * 1048576)

    def test_run_entry_keeps_the_status_for_a_plain_main_script(self):
        recording_binary(self.bin, "check-model", self.argv_file, 3)
        environ = {**self.environ, _launch.BIN_ENV: self.bin}
        stderr = io.StringIO()
        with mock.patch.dict(os.environ, environ, clear=True), \
                mock.patch.object(sys, "argv", ["check_model.py", "--period", "4,10"]), \
                redirect_stdout(io.StringIO()), redirect_stderr(stderr):
            with self.assertRaises(SystemExit) as exit_:
                _launch.run_entry("check-model", {"__name__": "__main__"})
            with self.assertRaises(_launch.JobFailed):
                _launch.run_entry("check-model", {"__name__": "check_model"})
        self.assertEqual(exit_.exception.code, 3)
        self.assertIn("check-model exited 3: model degraded in period 4", stderr.getvalue())


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
        self.env = {k: v for k, v in os.environ.items() if k not in (_launch.BIN_ENV, _launch.ARGUMENTS_ENV)}

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

    def test_legacy_command_line_keeps_the_status_and_says_what_it_means(self):
        argv_file = os.path.join(self.root, "argv.txt")
        recording_binary(os.path.join(self.root, "bin"), "check-model", argv_file, status=3)
        result = subprocess.run(
            [sys.executable, "jobs/cml/check_model.py", "--period", "0,10", "-f", "/tmp/k.json"],
            cwd=self.root, env=self.env, capture_output=True, text=True, timeout=10,
        )
        self.assertEqual(result.returncode, 3, result.stderr)
        self.assertEqual(read_argv(argv_file), ["--period", "0,10"])
        self.assertEqual(result.stdout, "check-model ran\n")
        self.assertEqual(result.stderr.splitlines(), [
            "check-model exited 3: model degraded in period 0; pipeline stopped; resume with job "
            "'Get Predictions', arguments '--period 1,10' once the model is dealt with"])

    def test_exec_without_file_finds_helper_and_bin_from_the_working_directory(self):
        argv_file = os.path.join(self.root, "argv.txt")
        recording_binary(os.path.join(self.root, "bin"), "load-ground-truth", argv_file, status=1)
        script = "jobs/cml/load_ground_truth.py"
        code = "exec(compile(open(%r).read(), %r, 'exec'), {'__name__': '__main__'})" % (script, script)
        result = subprocess.run(
            [sys.executable, "-c", code], cwd=self.root, capture_output=True, text=True, timeout=10,
            env={**self.env, "JOB_ARGUMENTS": '--period 2,10 --note "a b"'},
        )
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertEqual(read_argv(argv_file), ["--period", "2,10", "--note", "a b"])
        self.assertIn("load-ground-truth exited 1: failed: no error message", result.stderr)

    def test_a_stop_signal_reaches_the_binary(self):
        write_fake_binary(os.path.join(self.root, "bin"), "get-predictions", "echo started\nexec sleep 30\n")
        child = subprocess.Popen(
            [sys.executable, os.path.join(self.cml, "get_predictions.py")],
            env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        try:
            self.assertEqual(child.stdout.readline(), "started\n")
            child.send_signal(signal.SIGTERM)
            _, stderr = child.communicate(timeout=10)
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()
        self.assertEqual(child.returncode, 143, stderr)
        self.assertIn("get-predictions exited 143: killed by signal 15 (SIGTERM)", stderr)

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
