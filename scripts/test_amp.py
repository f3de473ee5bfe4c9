"""The AMP file agrees with jobs/jobs.json.

Run from the repository root: python3 -m unittest discover -s scripts -p 'test_*.py'
"""
import json
import os
import re
import subprocess
import sys
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

try:
    import yaml
except ImportError:  # the kernel venv of scripts/test has it
    yaml = None


def generate(jobs_path):
    return subprocess.run(
        [sys.executable, os.path.join(ROOT, "scripts", "amp_metadata.py"), jobs_path],
        check=True, capture_output=True, text=True,
    ).stdout


@unittest.skipIf(yaml is None, "PyYAML is not installed")
class AMPTests(unittest.TestCase):
    def setUp(self):
        self.jobs_path = os.path.join(ROOT, "jobs", "jobs.json")
        with open(self.jobs_path) as f:
            self.jobs = json.load(f)["jobs"]
        self.text = generate(self.jobs_path)
        self.amp = yaml.safe_load(self.text)

    def test_create_job_tasks_match_the_job_definitions(self):
        expected = []
        for job in self.jobs:
            task = {
                "type": "create_job", "name": job["name"],
                "entity_label": job["name"].lower().replace(" ", "_"),
                "script": job["script"], "kernel": job.get("kernel") or "python3",
                "cpu": job["cpu"], "memory": job["memory"],
            }
            if job.get("environment"):
                task["environment"] = job["environment"]
            expected.append(task)
        created = [t for t in self.amp["tasks"] if t["type"] == "create_job"]
        for task in created:
            for field in ("name", "entity_label", "script", "kernel"):
                self.assertTrue(task.get(field), "create_job without %s: %r" % (field, task))
        compared = [{k: v for k, v in t.items() if k != "short_summary"} for t in created]
        self.assertEqual(compared, expected)

    def test_never_none_arguments(self):
        for task in self.amp["tasks"]:
            self.assertNotIn(task.get("arguments", "absent"), (None, "None", ""), task)
        self.assertIsNone(re.search(r"arguments:\s*(None|null|~)?\s*$", self.text, re.M))

    def test_first_run_runtime_and_variables(self):
        labels = {t["entity_label"] for t in self.amp["tasks"] if t["type"] == "create_job"}
        runs = [t for t in self.amp["tasks"] if t["type"] == "run_job"]
        self.assertEqual([r["entity_label"] for r in runs], ["get_predictions"])
        self.assertTrue(labels.issuperset(r["entity_label"] for r in runs))
        self.assertEqual(self.amp["specification_version"], 1.0)
        for field in ("name", "description", "author", "prototype_version", "date"):
            self.assertIn(field, self.amp)
        for runtime in self.amp["runtimes"]:
            self.assertEqual(set(runtime), {"editor", "kernel", "edition"})
        for name, variable in self.amp["environment_variables"].items():
            self.assertTrue(name.startswith("MONITOR_"))
            self.assertEqual(set(variable), {"default", "description", "required"})

    def test_a_definition_without_a_script_is_refused(self):
        broken = os.path.join(os.environ.get("TMPDIR", "/tmp"), "amp-jobs-%d.json" % os.getpid())
        with open(broken, "w") as f:
            json.dump({"jobs": [{"name": "Get Predictions", "executable": "get-predictions", "cpu": 1, "memory": 2}]}, f)
        try:
            result = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "amp_metadata.py"), broken],
                                    capture_output=True, text=True)
            self.assertNotEqual(result.returncode, 0)
            self.assertIn("has no script", result.stderr)
        finally:
            os.remove(broken)

    def test_a_scheduled_named_pipeline(self):
        jobs = json.loads(json.dumps(self.jobs))
        for job in jobs:
            job.setdefault("environment", {})["MONITOR_PIPELINE"] = "churn"
        jobs[0]["schedule"] = "0 6 * * *"
        path = os.path.join(os.environ.get("TMPDIR", "/tmp"), "amp-daily-%d.json" % os.getpid())
        with open(path, "w") as f:
            json.dump({"jobs": jobs}, f)
        try:
            amp = yaml.safe_load(generate(path))
        finally:
            os.remove(path)
        created = [t for t in amp["tasks"] if t["type"] == "create_job"]
        self.assertEqual([t["name"] for t in created],
                         ["Get Predictions [churn]", "Load Ground Truth [churn]", "Check Model [churn]"])
        self.assertEqual([t.get("schedule") for t in created], ["0 6 * * *", None, None])
        self.assertEqual([t.get("arguments") for t in created], ["--period next", None, None])
        runs = [t for t in amp["tasks"] if t["type"] == "run_job"]
        self.assertEqual([r["entity_label"] for r in runs], ["get_predictions_churn"])

    def test_the_bundle_script_writes_it(self):
        with open(os.path.join(ROOT, "scripts", "package-cml")) as f:
            self.assertRegex(f.read(), r"amp_metadata\.py.*\.project-metadata\.yaml")


if __name__ == "__main__":
    unittest.main()
