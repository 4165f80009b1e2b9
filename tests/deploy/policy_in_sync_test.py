#!/usr/bin/python3
"""deploy_policy_in_sync: deploy/k8s/base/policy/ is an exact copy of config/policy/.

kustomize reads no file outside the kustomization's folder, so the policy ConfigMap is
generated from a copy kept in deploy/k8s/base/policy/. This test fails when a file differs,
is missing from either side, or is not listed in the configMapGenerator of
deploy/k8s/base/kustomization.yaml, and says how to fix it.

Needs Debian's python3-yaml; run with /usr/bin/python3.
"""

import filecmp
import os
import sys

import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SOURCE = os.path.join(ROOT, "config", "policy")
BASE = os.path.join(ROOT, "deploy", "k8s", "base")
COPY = os.path.join(BASE, "policy")
GENERATOR = "ladder-policy"


def textprotos(directory):
    if not os.path.isdir(directory):
        return set()
    return {f for f in os.listdir(directory) if f.endswith(".textproto")}


def main():
    failures = []
    source, copied = textprotos(SOURCE), textprotos(COPY)
    if not source:
        failures.append(f"no policy file in {SOURCE}")
    for f in sorted(source - copied):
        failures.append(f"config/policy/{f} has no copy: cp config/policy/{f} deploy/k8s/base/policy/ "
                        f"and list policy/{f} under {GENERATOR} in deploy/k8s/base/kustomization.yaml")
    for f in sorted(copied - source):
        failures.append(f"deploy/k8s/base/policy/{f} is not in config/policy: remove it (and its line in "
                        "deploy/k8s/base/kustomization.yaml)")
    for f in sorted(source & copied):
        if not filecmp.cmp(os.path.join(SOURCE, f), os.path.join(COPY, f), shallow=False):
            failures.append(f"deploy/k8s/base/policy/{f} differs from config/policy/{f}: "
                            f"cp config/policy/{f} deploy/k8s/base/policy/")

    with open(os.path.join(BASE, "kustomization.yaml"), encoding="utf-8") as fh:
        kustomization = yaml.safe_load(fh)
    generators = [g for g in kustomization.get("configMapGenerator") or [] if g.get("name") == GENERATOR]
    if len(generators) != 1:
        failures.append(f"deploy/k8s/base/kustomization.yaml must have one configMapGenerator named {GENERATOR}")
    else:
        listed = set()
        for entry in generators[0].get("files") or []:
            key, _, path = entry.rpartition("=") if "=" in entry else ("", "", entry)
            if not path.startswith("policy/") or (key and key != os.path.basename(path)):
                failures.append(f"configMapGenerator {GENERATOR} entry {entry!r}: list files as policy/NAME")
            listed.add(os.path.basename(path))
        for f in sorted(source - listed):
            failures.append(f"policy/{f} is not listed under configMapGenerator {GENERATOR} in "
                            "deploy/k8s/base/kustomization.yaml: the ConfigMap would lack it")
        for f in sorted(listed - source):
            failures.append(f"configMapGenerator {GENERATOR} lists policy/{f}, which config/policy does not have")

    for f in failures:
        print(f"FAIL - {f}")
    if not failures:
        print(f"ok - deploy/k8s/base/policy/ equals config/policy/ ({len(source)} files, all in the ConfigMap)")
    print(f"{0 if failures else 1} passed, {1 if failures else 0} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
