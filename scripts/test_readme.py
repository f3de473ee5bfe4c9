"""The runnable examples of README.md and docs/*.md run as written.

A shell block (```sh or ```bash) preceded by the line `<!-- runnable -->` is
run with `bash -e` from the repository root, in document order (README.md
first), with a fresh temporary MONITOR_STORE_DIR per block and without the
CML platform variables. It must exit 0. A ```text block preceded by
`<!-- output -->`, after it and before the next runnable block, is its
expected output: each non-empty line must appear in the output, in order;
`…` stands for any text.

Run from the repository root: python3 -m unittest discover -s scripts -p 'test_*.py'
(scripts/test runs it after building).
"""
import glob
import os
import re
import subprocess
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUNNABLE = "<!-- runnable -->"
OUTPUT = "<!-- output -->"
# The first build of the release binaries (scripts/run-local) takes minutes.
TIMEOUT_SECONDS = 1800


class Example:
    def __init__(self, path, line, code, expected):
        self.path = path
        self.line = line
        self.code = code
        self.expected = expected

    def __repr__(self):
        return f"{os.path.relpath(self.path, ROOT)}:{self.line}"


class MarkupError(Exception):
    pass


def _fenced(lines, index, languages, path):
    """The content of the fenced block opening at the first non-empty line from `index`, and the index after it."""
    while index < len(lines) and not lines[index].strip():
        index += 1
    if index >= len(lines) or lines[index].strip() not in tuple("```" + l for l in languages):
        raise MarkupError(f"{path}:{index + 1}: expected a ```{'/'.join(languages)} block after the marker")
    start = index + 1
    end = start
    while end < len(lines) and lines[end].strip() != "```":
        end += 1
    if end == len(lines):
        raise MarkupError(f"{path}:{index + 1}: the block is not closed")
    return "\n".join(lines[start:end]) + "\n", start, end + 1


def examples(path):
    """The runnable examples of one Markdown file, in order."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    found = []
    index = 0
    while index < len(lines):
        marker = lines[index].strip()
        if marker == RUNNABLE:
            code, start, index = _fenced(lines, index + 1, ("sh", "bash"), path)
            found.append(Example(path, start, code, None))
        elif marker == OUTPUT:
            if not found or found[-1].expected is not None:
                raise MarkupError(f"{path}:{index + 1}: {OUTPUT} without a runnable block before it")
            found[-1].expected, _, index = _fenced(lines, index + 1, ("text",), path)
        else:
            index += 1
    return found


def all_examples():
    paths = [os.path.join(ROOT, "README.md")] + sorted(glob.glob(os.path.join(ROOT, "docs", "*.md")))
    return [example for path in paths for example in examples(path)]


def first_missing_line(expected, output):
    """The first expected line not found in `output` after the previous one's match; None when all are."""
    lines = output.split("\n")
    position = 0
    for wanted in expected.split("\n"):
        if not wanted.strip():
            continue
        pattern = re.compile(".*".join(re.escape(part) for part in wanted.rstrip().split("…")))
        while position < len(lines) and not pattern.fullmatch(lines[position].rstrip()):
            position += 1
        if position == len(lines):
            return wanted
        position += 1
    return None


def environment(store):
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("CDSW_", "MONITOR_")) and name != "CML_LOCAL_PYTHON"
    }
    env["MONITOR_STORE_DIR"] = store
    env["NO_COLOR"] = "1"
    return env


def run(example):
    """(exit status, combined output) of the example run as the README says."""
    with tempfile.TemporaryDirectory(prefix="readme-example-") as scratch:
        result = subprocess.run(
            ["bash", "-e", "-c", example.code],
            cwd=ROOT,
            env=environment(os.path.join(scratch, "store")),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=TIMEOUT_SECONDS,
        )
    return result.returncode, result.stdout


class MatcherTests(unittest.TestCase):
    def test_lines_in_order_with_ellipsis(self):
        output = "a\nrows: 3, rate 50%\nb\nAll done\n"
        self.assertIsNone(first_missing_line("rows: …, rate 50%\nAll done\n", output))

    def test_a_missing_or_reordered_line_is_reported(self):
        output = "first\nsecond\n"
        self.assertEqual(first_missing_line("second\nfirst\n", output), "first")
        self.assertEqual(first_missing_line("third\n", output), "third")

    def test_a_line_matches_whole(self):
        self.assertEqual(first_missing_line("Accuracy: 95%\n", "  Accuracy: 95.19%\n"), "Accuracy: 95%")


class MarkupTests(unittest.TestCase):
    def parse(self, text):
        with tempfile.NamedTemporaryFile("w", suffix=".md", delete=False) as f:
            f.write(text)
        try:
            return examples(f.name)
        finally:
            os.unlink(f.name)

    def test_marker_output_and_plain_blocks(self):
        found = self.parse("```sh\nnot run\n```\n<!-- runnable -->\n```sh\necho hi\n```\n\n<!-- output -->\n```text\nhi\n```\n")
        self.assertEqual([(e.code, e.expected) for e in found], [("echo hi\n", "hi\n")])

    def test_a_marker_without_a_shell_block_is_an_error(self):
        with self.assertRaises(MarkupError):
            self.parse("<!-- runnable -->\n```text\necho hi\n```\n")
        with self.assertRaises(MarkupError):
            self.parse("<!-- output -->\n```text\nhi\n```\n")
        with self.assertRaises(MarkupError):
            self.parse("<!-- runnable -->\n```sh\ntrue\n```\n" + "<!-- output -->\n```text\n\n```\n" * 2)


class RunnableExampleTests(unittest.TestCase):
    def test_the_readme_has_runnable_examples(self):
        readme = examples(os.path.join(ROOT, "README.md"))
        self.assertGreaterEqual(len(readme), 2)
        self.assertEqual(readme[0].code.strip(), "scripts/run-local")

    def test_every_runnable_example_runs_as_written(self):
        found = all_examples()
        self.assertTrue(found)
        for example in found:
            with self.subTest(example=repr(example)):
                status, output = run(example)
                tail = "\n".join(output.rstrip().split("\n")[-40:])
                self.assertEqual(status, 0, f"{example!r} exited {status}:\n{tail}")
                if example.expected is not None:
                    missing = first_missing_line(example.expected, output)
                    self.assertIsNone(missing, f"{example!r}: output lacks the line {missing!r}; it ends:\n{tail}")


if __name__ == "__main__":
    unittest.main()
