#!/usr/bin/python3
"""Renders the kustomize overlays of deploy/k8s with `kubectl kustomize`.

As a program (the deploy_kustomize_<overlay> tests): renders each overlay named on the
command line, or every overlay, and fails with kubectl's message when one does not render.

    k8s_render.py [OVERLAY...]

As a module: overlays() lists deploy/k8s/overlays/*, render(name) returns the YAML text.
Needs kubectl (kustomize is built into it); no cluster.
"""

import os
import shutil
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
K8S_DIR = os.path.join(ROOT, "deploy", "k8s")
OVERLAYS_DIR = os.path.join(K8S_DIR, "overlays")


class RenderError(Exception):
    pass


def overlays():
    """Names of the overlays under deploy/k8s/overlays, sorted."""
    return sorted(
        name
        for name in os.listdir(OVERLAYS_DIR)
        if os.path.isfile(os.path.join(OVERLAYS_DIR, name, "kustomization.yaml"))
    )


def kubectl():
    path = shutil.which("kubectl")
    if path is None:
        raise RenderError(
            "kubectl not found on PATH: it renders the kustomize overlays of deploy/k8s "
            "(`kubectl kustomize`, no cluster needed)"
        )
    return path


def render(overlay):
    """The rendered YAML of deploy/k8s/overlays/OVERLAY."""
    directory = os.path.join(OVERLAYS_DIR, overlay)
    if not os.path.isdir(directory):
        raise RenderError(f"no overlay {overlay!r} in {OVERLAYS_DIR}")
    result = subprocess.run(
        [kubectl(), "kustomize", directory],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RenderError(
            f"`kubectl kustomize {os.path.relpath(directory, ROOT)}` failed "
            f"(exit {result.returncode}):\n{result.stderr.strip()}"
        )
    if not result.stdout.strip():
        raise RenderError(f"`kubectl kustomize` rendered nothing for overlay {overlay!r}")
    return result.stdout


def main(argv):
    names = argv[1:] or overlays()
    failed = 0
    for name in names:
        try:
            text = render(name)
        except RenderError as e:
            print(f"FAIL - overlay {name}: {e}")
            failed += 1
            continue
        count = sum(1 for line in text.splitlines() if line.startswith("kind: "))
        print(f"ok - overlay {name} renders ({count} objects)")
    print(f"{len(names) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
