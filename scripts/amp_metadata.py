#!/usr/bin/env python3
"""Writes the AMP file (.project-metadata.yaml) of the CML bundle from jobs/jobs.json.

Usage: scripts/amp_metadata.py [JOBS_JSON] > .project-metadata.yaml

An Applied ML Prototype declares the project's jobs (create_job), the first
run (run_job of Get Predictions), the runtime, and the project variables users
set; CML creates the project from it. Scalars are written as JSON strings,
which YAML reads as they are. Standard library only.
"""
import datetime
import json
import re
import sys

FIRST_JOB = "Get Predictions"
PIPELINE_VARIABLE = "MONITOR_PIPELINE"
SCHEDULED_ARGUMENTS = "--period next"
RUNTIME = {"editor": "Workbench", "kernel": "Python 3.10", "edition": "Standard"}
PROJECT_VARIABLES = {
    "MONITOR_DATA_DIR": ("data/sample", "The data set folder, relative to the project root."),
    "MONITOR_STORE_DIR": ("", "Where the results go (default: state/<data set name>)."),
}


def entity_label(name):
    """``Get Predictions`` → ``get_predictions``."""
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def cml_name(job):
    """The job's CML name: ``Get Predictions [churn]`` when its environment sets MONITOR_PIPELINE."""
    pipeline = (job.get("environment") or {}).get(PIPELINE_VARIABLE)
    return "%s [%s]" % (job["name"], pipeline) if pipeline else job["name"]


def q(value):
    return json.dumps(value, ensure_ascii=False)


def render(definitions):
    """The YAML text for the job definitions (the parsed jobs.json)."""
    jobs = definitions["jobs"]
    names = [job["name"] for job in jobs]
    if FIRST_JOB not in names:
        raise ValueError("jobs.json has no job named %r, the pipeline's first" % FIRST_JOB)
    first = cml_name(jobs[names.index(FIRST_JOB)])
    lines = [
        "name: " + q("PeriodPipeline model monitoring"),
        "description: " + q("Walks a deployed model's logged predictions period by period as three chained jobs, "
                            "measures each period against its ground truth, and stops when the model degrades."),
        "author: " + q("PeriodPipeline"),
        "specification_version: 1.0",
        "prototype_version: 1.0",
        "date: " + q(datetime.date.today().isoformat()),
        "",
        "environment_variables:",
    ]
    for variable, (default, description) in PROJECT_VARIABLES.items():
        lines += ["  %s:" % variable, "    default: " + q(default), "    description: " + q(description),
                  "    required: false"]
    lines += ["", "runtimes:", "  - " + "\n    ".join("%s: %s" % (k, q(v)) for k, v in RUNTIME.items()), "", "tasks:"]
    for job in jobs:
        if not job.get("script"):
            raise ValueError("job %r has no script" % job["name"])
        name = cml_name(job)
        lines += [
            "  - type: create_job",
            "    name: " + q(name),
            "    entity_label: " + q(entity_label(name)),
            "    script: " + q(job["script"]),
            "    kernel: " + q(job.get("kernel") or "python3"),
            "    cpu: " + json.dumps(job.get("cpu", 1)),
            "    memory: " + json.dumps(job.get("memory", 1)),
            "    short_summary: " + q("Create the job " + job["name"]),
        ]
        # A scheduled run continues where the store stopped.
        arguments = job.get("arguments") or (SCHEDULED_ARGUMENTS if job.get("schedule") else None)
        if arguments:  # never None: a missing value reaches the script as the text "None"
            lines.append("    arguments: " + q(arguments))
        if job.get("schedule"):
            lines.append("    schedule: " + q(job["schedule"]))
        environment = job.get("environment") or {}
        if environment:
            lines.append("    environment:")
            lines += ["      %s: %s" % (key, q(value)) for key, value in sorted(environment.items())]
    lines += [
        "  - type: run_job",
        "    entity_label: " + q(entity_label(first)),
        "    short_summary: " + q("Run the pipeline: Get Predictions starts the chain at period 0"),
    ]
    return "\n".join(lines) + "\n"


def main(argv):
    path = argv[1] if len(argv) > 1 else "jobs/jobs.json"
    with open(path, encoding="utf-8") as f:
        sys.stdout.write(render(json.load(f)))


if __name__ == "__main__":
    main(sys.argv)
