"""The docs stay true to the repository.

- No section citation of the outside brief the project was started from
  ("SPEC" followed by a section sign) is left: the code and docs explain
  themselves (docs/).
- Every relative link of README.md and docs/*.md names a file that exists,
  and an anchor into a Markdown file names one of its headings.
- The module graph in docs/architecture.md is the one scripts/module-graph
  makes from Package.swift.

Run from the repository root: python3 -m unittest discover -s scripts -p 'test_*.py'
"""
import glob
import os
import re
import shutil
import subprocess
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CITATION = "SPEC" + " \u00a7"
LINK = re.compile(r"\]\(([^)\s]+)\)")


def markdown_files():
    return [os.path.join(ROOT, "README.md")] + sorted(glob.glob(os.path.join(ROOT, "docs", "*.md")))


def anchors(path):
    """GitHub's anchors for the headings of a Markdown file (outside code blocks)."""
    result = set()
    fenced = False
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("```"):
                fenced = not fenced
            if fenced or not line.startswith("#"):
                continue
            title = line.lstrip("#").strip().lower()
            slug = "".join(c for c in title if c.isalnum() or c in " -_").replace(" ", "-")
            base, n = slug, 1
            while slug in result:
                slug = f"{base}-{n}"
                n += 1
            result.add(slug)
    return result


def links(path):
    """(line number, target) of the relative links of a Markdown file, outside code blocks."""
    found = []
    fenced = False
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if line.startswith("```"):
                fenced = not fenced
            if fenced:
                continue
            for target in LINK.findall(line):
                if not re.match(r"^[a-z]+:", target):
                    found.append((number, target))
    return found


class DocsTests(unittest.TestCase):
    def test_no_brief_section_citations(self):
        files = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT, check=True, capture_output=True, text=True,
        ).stdout.split("\n")
        found = []
        for name in filter(None, files):
            path = os.path.join(ROOT, name)
            if not os.path.isfile(path):
                continue
            with open(path, "rb") as f:
                text = f.read().decode("utf-8", errors="replace")
            found += [f"{name}:{i}" for i, line in enumerate(text.split("\n"), 1) if CITATION in line]
        self.assertEqual(found, [], "cite docs/ instead of the brief's sections")

    def test_links_resolve(self):
        self.assertTrue(os.path.isdir(os.path.join(ROOT, "docs")))
        broken = []
        for path in markdown_files():
            for number, target in links(path):
                file_part, _, anchor = target.partition("#")
                destination = os.path.normpath(os.path.join(os.path.dirname(path), file_part)) if file_part else path
                where = f"{os.path.relpath(path, ROOT)}:{number}: {target}"
                if not os.path.exists(destination):
                    broken.append(where + " (no such file)")
                elif anchor and destination.endswith(".md") and anchor not in anchors(destination):
                    broken.append(where + " (no such heading)")
        self.assertEqual(broken, [])

    def test_anchor_slugs_follow_github(self):
        path = os.path.join(ROOT, "docs", "launcher.md")
        self.assertIn("rehearsing-a-cml-deployment---as-cml", anchors(path))

    @unittest.skipUnless(shutil.which("swift"), "swift is not installed")
    def test_module_graph_matches_package_swift(self):
        result = subprocess.run(
            [os.path.join(ROOT, "scripts", "module-graph"), "--check", os.path.join(ROOT, "docs", "architecture.md")],
            cwd=ROOT, capture_output=True, text=True,
        )
        self.assertEqual(result.returncode, 0, result.stderr)


if __name__ == "__main__":
    unittest.main()
