#!/usr/bin/python3
"""deploy_alert_rules: the alert rules of deploy/k8s are valid, tested, and can be acted on.

Renders the prod overlay, takes its PrometheusRule (from components/prometheus-operator) and
checks:
  - `promtool check rules` accepts its groups;
  - `promtool test rules tests/deploy/alerts_test.yaml` passes, and that file tests every
    alert both firing (a case with exp_alerts) and quiet (a case without);
  - every alert has a severity (critical or warning), a summary, and a runbook_url naming a
    section of docs/operations.md that exists;
  - every metric an expression reads is one the servers export (a name in the C++ sources
    of common/ or services/), or Prometheus' own `up`: a misspelt name never fires.

Needs kubectl, promtool (Debian's prometheus package) and python3-yaml; run with
/usr/bin/python3. Every failure names the alert and what broke.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import k8s_render  # noqa: E402

ROOT = k8s_render.ROOT
HERE = os.path.dirname(os.path.abspath(__file__))
UNIT_TESTS = os.path.join(HERE, "alerts_test.yaml")
RUNBOOKS = os.path.join(ROOT, "docs", "operations.md")
SEVERITIES = {"critical", "warning"}
# Series Prometheus itself makes for every target.
PROMETHEUS_SERIES = {"up"}
HISTOGRAM_SUFFIXES = ("_bucket", "_count", "_sum")
# PromQL words that look like names in an expression but are not series.
PROMQL_WORDS = {
    "sum", "max", "min", "avg", "count", "by", "without", "on", "ignoring", "and", "or",
    "unless", "rate", "increase", "irate", "time", "histogram_quantile", "group_left",
    "group_right", "bool", "offset", "absent", "le", "inf", "nan",
}


def fail(failures, message):
    failures.append(message)
    print(f"FAIL - {message}")


def markdown_anchors(path):
    """The anchors GitHub gives the headings of a Markdown file."""
    anchors = set()
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"^#{1,6}\s+(.*?)\s*$", line)
            if m:
                text = re.sub(r"[`*_]", "", m.group(1)).strip().lower()
                text = re.sub(r"[^\w\- ]", "", text)
                anchors.add(text.replace(" ", "-"))
    return anchors


def exported_metric_names():
    """Every ladder_* and grpc_* name written as a string in the servers' sources."""
    names = set()
    for top in ("common", "services"):
        for folder, _, files in os.walk(os.path.join(ROOT, top)):
            for name in files:
                if name.endswith((".cc", ".h")):
                    with open(os.path.join(folder, name), encoding="utf-8") as f:
                        names.update(re.findall(r'"((?:ladder|grpc)_[a-z0-9_]+)"', f.read()))
    return names


def grpc_metric_names(names):
    """grpc_server_* and grpc_client_* are made of "grpc_", the side and a suffix in
    grpc_metrics.cc."""
    path = os.path.join(ROOT, "common", "observability", "grpc_metrics.cc")
    with open(path, encoding="utf-8") as f:
        suffixes = re.findall(r'StrCat\("grpc_", side, "_([a-z_]+)"\)', f.read())
    return names | {f"grpc_{side}_{suffix}" for side in ("server", "client") for suffix in suffixes}


def series_in(expr):
    """The series names an expression reads: identifiers followed by { or standing alone,
    minus functions, keywords, label names and string contents."""
    without_strings = re.sub(r'"[^"]*"', '""', expr)
    without_labels = re.sub(r"\{[^}]*\}", "{}", without_strings)
    without_groupings = re.sub(r"\b(by|without|on|ignoring)\s*\([^)]*\)", "", without_labels)
    names = set()
    for m in re.finditer(r"\b([a-zA-Z_:][a-zA-Z0-9_:]*)\b\s*(\(?)", without_groupings):
        word, call = m.group(1), m.group(2)
        if call or word.lower() in PROMQL_WORDS or re.fullmatch(r"\d+[smhdwy]?", word):
            continue
        names.add(word)
    return names


def check_rules(groups, failures):
    alerts = {}
    anchors = markdown_anchors(RUNBOOKS)
    exported = grpc_metric_names(exported_metric_names())
    for group in groups:
        for rule in group.get("rules") or []:
            name = rule.get("alert")
            if not name:
                continue
            alerts[name] = rule
            labels = rule.get("labels") or {}
            annotations = rule.get("annotations") or {}
            if labels.get("severity") not in SEVERITIES:
                fail(failures, f"{name}: severity {labels.get('severity')!r}, want one of {sorted(SEVERITIES)}")
            if not annotations.get("summary"):
                fail(failures, f"{name}: no summary annotation")
            url = annotations.get("runbook_url", "")
            m = re.fullmatch(r"docs/operations\.md#([a-z0-9-]+)", url)
            if not m:
                fail(failures, f"{name}: runbook_url {url!r} must be docs/operations.md#<section>")
            elif m.group(1) not in anchors:
                fail(failures, f"{name}: runbook_url {url!r} names no section of docs/operations.md")
            for series in sorted(series_in(rule.get("expr", ""))):
                base = series
                for suffix in HISTOGRAM_SUFFIXES:
                    if series.endswith(suffix) and series[: -len(suffix)] in exported:
                        base = series[: -len(suffix)]
                if base not in exported and base not in PROMETHEUS_SERIES:
                    fail(failures, f"{name}: reads {series}, which no Ladder server exports")
    return alerts


def check_unit_tests_cover(alerts, failures):
    with open(UNIT_TESTS, encoding="utf-8") as f:
        tests = yaml.safe_load(f)
    firing, quiet = set(), set()
    for test in tests.get("tests") or []:
        for case in test.get("alert_rule_test") or []:
            (firing if case.get("exp_alerts") else quiet).add(case.get("alertname"))
    for name in sorted(alerts):
        if name not in firing:
            fail(failures, f"{name}: no unit test in alerts_test.yaml where it fires")
        if name not in quiet:
            fail(failures, f"{name}: no unit test in alerts_test.yaml where it stays quiet")
    for name in sorted((firing | quiet) - set(alerts)):
        fail(failures, f"alerts_test.yaml tests {name}, which is not a rule")


def promtool(work, *args):
    run = subprocess.run(["promtool", *args], cwd=work, capture_output=True, text=True)
    return run.returncode, (run.stdout + run.stderr).strip()


def main():
    if shutil.which("promtool") is None:
        print("FAIL - promtool not found: install Debian's prometheus package (scripts/install-deps.sh)")
        return 1
    failures = []
    try:
        rendered = list(yaml.safe_load_all(k8s_render.render("prod")))
    except k8s_render.RenderError as e:
        print(f"FAIL - {e}")
        return 1
    rules = [d for d in rendered if d and d.get("kind") == "PrometheusRule"]
    if len(rules) != 1:
        fail(failures, f"the prod overlay renders {len(rules)} PrometheusRules, want 1")
        return 1
    groups = (rules[0].get("spec") or {}).get("groups") or []
    alerts = check_rules(groups, failures)
    if not alerts:
        fail(failures, "the PrometheusRule holds no alert")
    check_unit_tests_cover(alerts, failures)

    work = tempfile.mkdtemp(prefix="ladder-alerts-")
    try:
        with open(os.path.join(work, "ladder-alerts.yaml"), "w", encoding="utf-8") as f:
            yaml.safe_dump({"groups": groups}, f, sort_keys=False)
        shutil.copy(UNIT_TESTS, os.path.join(work, "alerts_test.yaml"))
        code, out = promtool(work, "check", "rules", "ladder-alerts.yaml")
        print(out)
        if code != 0:
            fail(failures, "promtool check rules refused the rules")
        code, out = promtool(work, "test", "rules", "alerts_test.yaml")
        print(out)
        if code != 0:
            fail(failures, "promtool test rules failed (above)")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"# {len(alerts)} alerts; {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
