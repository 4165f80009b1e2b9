#!/usr/bin/python3
"""deploy_k8s_rules: what every rendered overlay of deploy/k8s must keep.

Renders each overlay with `kubectl kustomize` and checks, for every Ladder server (a
Deployment labelled app.kubernetes.io/part-of=ladder, app.kubernetes.io/component=server):

  - native gRPC readiness (on the service's own health name) and liveness probes, on the
    container port named grpc, which is also the port LADDER_LISTEN serves on;
  - cpu and memory requests and limits, requests within limits;
  - non-root, read-only root file system, no privilege escalation, every capability
    dropped, the RuntimeDefault seccomp profile (the "restricted" Pod Security Standard);
  - a termination grace period longer than the server's shutdown grace;
  - replicas: 1 in dev, at least 2 in prod, equal to the autoscaler's minimum;
  - the database URL and password from a Secret; no Secret with values in prod;
    LADDER_MIGRATE=false, and a migration Job running the same binary with --migrate_only;
  - the policy ConfigMap mounted at LADDER_POLICY_DIR, equal to config/policy;
  - a Service with a port named grpc reaching that container port, whose selector picks
    the server's pods and no others (not the migration Job's);
  - a PodDisruptionBudget and an autoscaling/v2 HorizontalPodAutoscaler aimed at it;
  - NetworkPolicies that let in only the service's callers in the suite and external
    callers (ladder-client=true), on the gRPC port only.

Every failure names the overlay, the object and what broke. With --self-test it breaks the
rendered manifests in known ways and checks that each break is reported.

Needs kubectl and Debian's python3-yaml; run with /usr/bin/python3.
"""

import copy
import os
import re
import sys

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import k8s_render  # noqa: E402

ROOT = k8s_render.ROOT
POLICY_DIR = os.path.join(ROOT, "config", "policy")

PART_OF = "app.kubernetes.io/part-of"
NAME = "app.kubernetes.io/name"
COMPONENT = "app.kubernetes.io/component"
CLIENT_LABEL = "ladder-client"

# Who calls whom inside the suite (docs/architecture.md): personnel calls nobody,
# evaluation calls personnel, careerpath calls personnel and evaluation.
CALLERS = {
    "ladder-personnel": {"ladder-evaluation", "ladder-careerpath"},
    "ladder-evaluation": {"ladder-careerpath"},
    "ladder-careerpath": set(),
}

# The server's own default for --shutdown_grace (common/server/flags.cc).
DEFAULT_SHUTDOWN_GRACE_S = 20.0

# Replica rules per overlay; an overlay not named here needs at least one.
REPLICAS = {
    "dev": lambda n: n == 1,
    "prod": lambda n: n >= 2,
}
REPLICAS_RULE = {"dev": "exactly 1", "prod": "at least 2"}


# --- helpers --------------------------------------------------------------------------------


def parse_duration_s(text):
    """absl-style duration ("20s", "1m30s", "500ms") in seconds."""
    text = str(text).strip()
    units = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001, "us": 1e-6, "ns": 1e-9}
    parts = re.findall(r"(\d+(?:\.\d+)?)(ms|us|ns|h|m|s)", text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise ValueError(f"not a duration: {text!r}")
    return sum(float(n) * units[u] for n, u in parts)


def parse_quantity(text):
    """A Kubernetes quantity ("100m", "2", "512Mi", "1G") as a float."""
    text = str(text).strip()
    suffixes = {
        "m": 1e-3, "": 1.0, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12,
        "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40,
    }
    match = re.fullmatch(r"(\d+(?:\.\d+)?)([a-zA-Z]*)", text)
    if not match or match.group(2) not in suffixes:
        raise ValueError(f"not a quantity: {text!r}")
    return float(match.group(1)) * suffixes[match.group(2)]


def labels_match(selector, labels):
    """True when every selector label is among labels (an empty selector matches nothing
    here: Ladder never means "everything")."""
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def match_labels(selector):
    """matchLabels of a LabelSelector; matchExpressions are refused (rules stay simple)."""
    if selector is None:
        return {}
    if selector.get("matchExpressions"):
        return None
    return selector.get("matchLabels") or {}


def ident(obj):
    return f"{obj.get('kind')} {obj.get('metadata', {}).get('name')}"


def env_map(container):
    return {e.get("name"): e for e in container.get("env") or []}


def pod_spec(obj):
    return obj.get("spec", {}).get("template", {}).get("spec", {}) or {}


def pod_labels(obj):
    return obj.get("spec", {}).get("template", {}).get("metadata", {}).get("labels") or {}


def service_name_of(deployment_name):
    """ladder-personnel -> personnel."""
    return deployment_name[len("ladder-"):] if deployment_name.startswith("ladder-") else deployment_name


class Checker:
    def __init__(self, overlay, docs):
        self.overlay = overlay
        self.docs = [d for d in docs if isinstance(d, dict)]
        self.failures = []
        self.passes = 0

    def check(self, condition, obj, message):
        if condition:
            self.passes += 1
        else:
            where = ident(obj) if isinstance(obj, dict) else obj
            self.failures.append(f"[{self.overlay}] {where}: {message}")
        return condition

    def of_kind(self, kind, api_version=None):
        return [
            d for d in self.docs
            if d.get("kind") == kind and (api_version is None or d.get("apiVersion") == api_version)
        ]

    # --- servers ---------------------------------------------------------------------------

    def servers(self):
        return [
            d for d in self.of_kind("Deployment")
            if (d.get("metadata", {}).get("labels") or {}).get(PART_OF) == "ladder"
            and (d.get("metadata", {}).get("labels") or {}).get(COMPONENT) == "server"
        ]

    def server_container(self, dep):
        containers = pod_spec(dep).get("containers") or []
        named = [c for c in containers if any(p.get("name") == "grpc" for p in c.get("ports") or [])]
        self.check(len(named) == 1, dep,
                   f"want exactly one container with a port named grpc, found {len(named)}")
        return named[0] if named else None

    def run(self):
        servers = self.servers()
        self.check(bool(servers), f"overlay {self.overlay}",
                   "renders no Deployment labelled part-of=ladder, component=server")
        for dep in servers:
            self.check_server(dep)
        self.check_secrets()
        self.check_namespace()
        self.check_database()
        return self.failures

    def check_server(self, dep):
        name = dep["metadata"]["name"]
        spec = dep.get("spec", {})
        labels = pod_labels(dep)
        selector = match_labels(spec.get("selector"))
        self.check(selector is not None and labels_match(selector, labels), dep,
                   f"selector {spec.get('selector')} does not match its pod labels {labels}")
        self.check(labels.get(NAME) == name, dep,
                   f"pod label {NAME} is {labels.get(NAME)!r}, want {name!r} "
                   "(NetworkPolicies of other services find its pods by it)")
        self.check(labels.get(PART_OF) == "ladder" and labels.get(COMPONENT) == "server", dep,
                   f"pod labels must carry {PART_OF}=ladder and {COMPONENT}=server, have {labels}")

        container = self.server_container(dep)
        if container is None:
            return
        port = next(p for p in container["ports"] if p.get("name") == "grpc")
        grpc_port = port.get("containerPort")
        self.check(port.get("protocol", "TCP") == "TCP", dep, "the grpc port must be TCP")

        self.check_probes(dep, container, grpc_port)
        self.check_resources(dep, container)
        self.check_security(dep, pod_spec(dep), container)
        env = env_map(container)
        self.check_env(dep, container, env, grpc_port)
        self.check_grace(dep, env)
        self.check_replicas(dep)
        self.check_policy_mount(dep, container, env)
        self.check_image(dep, container)
        pods = {"server": labels}
        job = self.check_migration_job(dep, container)
        if job is not None:
            pods["migration"] = pod_labels(job)
        self.check_services(dep, grpc_port, pods)
        self.check_pdb(dep, pods)
        self.check_hpa(dep)
        self.check_network_policy(dep, grpc_port)

    def check_probes(self, dep, container, grpc_port):
        service = service_name_of(dep["metadata"]["name"])
        for kind in ("readinessProbe", "livenessProbe"):
            probe = container.get(kind)
            if not self.check(isinstance(probe, dict), dep, f"container {container['name']} has no {kind}"):
                continue
            grpc = probe.get("grpc")
            other = [k for k in ("httpGet", "tcpSocket", "exec") if k in probe]
            if not self.check(isinstance(grpc, dict), dep,
                              f"{kind} must be a native grpc probe (grpc.health.v1), found {other or 'none'}"):
                continue
            self.check(grpc.get("port") == grpc_port, dep,
                       f"{kind}.grpc.port is {grpc.get('port')}, want the grpc container port {grpc_port}")
            if kind == "readinessProbe":
                health_name = grpc.get("service") or ""
                self.check(health_name.startswith(f"ladder.{service}.v1.") and health_name.endswith("Service"),
                           dep, f"readinessProbe.grpc.service is {health_name!r}, want the service's own "
                           f"health name ladder.{service}.v1.<Name>Service (NOT_SERVING while its database is down)")

    def check_resources(self, dep, container):
        resources = container.get("resources") or {}
        for section in ("requests", "limits"):
            values = resources.get(section) or {}
            for resource in ("cpu", "memory"):
                self.check(resource in values, dep,
                           f"container {container['name']} has no resources.{section}.{resource}")
        requests = resources.get("requests") or {}
        limits = resources.get("limits") or {}
        for resource in ("cpu", "memory"):
            if resource in requests and resource in limits:
                try:
                    ok = parse_quantity(requests[resource]) <= parse_quantity(limits[resource])
                except ValueError as e:
                    ok = False
                    self.check(False, dep, str(e))
                    continue
                self.check(ok, dep, f"{resource} request {requests[resource]} exceeds its limit {limits[resource]}")

    def check_security(self, obj, spec, container):
        pod_sc = spec.get("securityContext") or {}
        sc = container.get("securityContext") or {}
        where = f"container {container.get('name')}"
        self.check(pod_sc.get("runAsNonRoot") is True, obj, "pod securityContext.runAsNonRoot must be true")
        self.check(sc.get("runAsNonRoot", pod_sc.get("runAsNonRoot")) is True, obj,
                   f"{where}: securityContext.runAsNonRoot must be true")
        for context, label in ((pod_sc, "pod"), (sc, where)):
            if "runAsUser" in context:
                self.check(context["runAsUser"] != 0, obj, f"{label} securityContext.runAsUser must not be 0")
        self.check(sc.get("readOnlyRootFilesystem") is True, obj,
                   f"{where}: securityContext.readOnlyRootFilesystem must be true")
        self.check(sc.get("allowPrivilegeEscalation") is False, obj,
                   f"{where}: securityContext.allowPrivilegeEscalation must be false")
        self.check(sc.get("privileged") in (None, False), obj, f"{where}: must not be privileged")
        caps = sc.get("capabilities") or {}
        self.check("ALL" in (caps.get("drop") or []), obj, f"{where}: securityContext.capabilities.drop must include ALL")
        self.check(not caps.get("add"), obj, f"{where}: must add no capability, adds {caps.get('add')}")
        seccomp = (sc.get("seccompProfile") or pod_sc.get("seccompProfile") or {}).get("type")
        self.check(seccomp in ("RuntimeDefault", "Localhost"), obj,
                   f"{where}: seccompProfile must be RuntimeDefault (restricted Pod Security Standard), is {seccomp}")
        self.check(spec.get("automountServiceAccountToken") is False, obj,
                   "automountServiceAccountToken must be false: the servers call no Kubernetes API")
        self.check(not spec.get("hostNetwork") and not spec.get("hostPID") and not spec.get("hostIPC"), obj,
                   "must not share the host's network, PID or IPC namespace")

    def check_env(self, dep, container, env, grpc_port):
        listen = (env.get("LADDER_LISTEN") or {}).get("value")
        if self.check(listen is not None, dep, "LADDER_LISTEN is not set"):
            self.check(listen.rsplit(":", 1)[-1] == str(grpc_port), dep,
                       f"LADDER_LISTEN={listen} does not serve the grpc container port {grpc_port}")
            self.check(not listen.startswith("127.") and not listen.startswith("localhost"), dep,
                       f"LADDER_LISTEN={listen} listens on loopback only: probes and callers cannot reach it")
        self.check((env.get("LADDER_MIGRATE") or {}).get("value") == "false", dep,
                   "LADDER_MIGRATE must be \"false\": the migration Job applies the schema")
        self.check_database_env(dep, env)

    def check_database_env(self, obj, env):
        for var in ("LADDER_DATABASE_URL", "LADDER_DATABASE_PASSWORD"):
            entry = env.get(var)
            if not self.check(entry is not None, obj, f"{var} is not set"):
                continue
            ref = (entry.get("valueFrom") or {}).get("secretKeyRef")
            self.check("value" not in entry and isinstance(ref, dict) and ref.get("name"), obj,
                       f"{var} must come from a Secret (valueFrom.secretKeyRef), not a literal value")

    def check_grace(self, dep, env):
        grace_text = (env.get("LADDER_SHUTDOWN_GRACE") or {}).get("value")
        try:
            grace = parse_duration_s(grace_text) if grace_text else DEFAULT_SHUTDOWN_GRACE_S
        except ValueError as e:
            self.check(False, dep, f"LADDER_SHUTDOWN_GRACE: {e}")
            return
        period = pod_spec(dep).get("terminationGracePeriodSeconds", 30)
        self.check(period > grace, dep,
                   f"terminationGracePeriodSeconds {period} must exceed the server's shutdown grace "
                   f"{grace:g}s, or the kubelet kills calls still in flight")

    def check_replicas(self, dep):
        replicas = dep.get("spec", {}).get("replicas", 1)
        rule = REPLICAS.get(self.overlay, lambda n: n >= 1)
        self.check(rule(replicas), dep,
                   f"replicas is {replicas}, want {REPLICAS_RULE.get(self.overlay, 'at least 1')} in {self.overlay}")

    def check_policy_mount(self, dep, container, env):
        policy_dir = (env.get("LADDER_POLICY_DIR") or {}).get("value")
        if not self.check(policy_dir, dep, "LADDER_POLICY_DIR is not set"):
            return
        mount = next((m for m in container.get("volumeMounts") or [] if m.get("mountPath") == policy_dir), None)
        if not self.check(mount is not None, dep, f"nothing is mounted at LADDER_POLICY_DIR {policy_dir}"):
            return
        self.check(mount.get("readOnly") is True, dep, f"the policy mount at {policy_dir} must be readOnly")
        volume = next((v for v in pod_spec(dep).get("volumes") or [] if v.get("name") == mount.get("name")), {})
        cm_name = (volume.get("configMap") or {}).get("name")
        if not self.check(cm_name, dep, f"the volume mounted at {policy_dir} is not a ConfigMap"):
            return
        cms = [c for c in self.of_kind("ConfigMap") if c["metadata"]["name"] == cm_name]
        if not self.check(cms, dep, f"mounts ConfigMap {cm_name}, which the overlay does not render"):
            return
        data = cms[0].get("data") or {}
        want = {}
        for f in sorted(os.listdir(POLICY_DIR)):
            if f.endswith(".textproto"):
                with open(os.path.join(POLICY_DIR, f), encoding="utf-8") as fh:
                    want[f] = fh.read()
        self.check(set(data) == set(want), cms[0],
                   f"holds {sorted(data)}, config/policy has {sorted(want)}: copy the policy files to "
                   "deploy/k8s/base/policy/ and list them in deploy/k8s/base/kustomization.yaml")
        for f in sorted(set(data) & set(want)):
            self.check(data[f] == want[f], cms[0],
                       f"{f} differs from config/policy/{f}: cp config/policy/{f} deploy/k8s/base/policy/")

    def check_image(self, dep, container):
        image = container.get("image") or ""
        last = image.rsplit("/", 1)[-1]
        self.check(":" in last or "@" in image, dep, f"image {image!r} has no tag or digest")
        self.check(not image.endswith(":latest"), dep, f"image {image!r}: pin a version, not latest")
        if self.overlay == "prod":
            self.check(not image.startswith("localhost/") and not image.endswith(":dev"), dep,
                       f"image {image!r} is a development image")

    def check_migration_job(self, dep, container):
        name = dep["metadata"]["name"]
        jobs = [
            j for j in self.of_kind("Job")
            if pod_labels(j).get(NAME) == name and pod_labels(j).get(COMPONENT) == "migration"
        ]
        if not self.check(len(jobs) == 1, dep,
                          f"want one migration Job (pod labels {NAME}={name}, {COMPONENT}=migration), "
                          f"found {len(jobs)}"):
            return None
        job = jobs[0]
        spec = pod_spec(job)
        containers = spec.get("containers") or []
        if not self.check(len(containers) == 1, job, "want exactly one container"):
            return job
        jc = containers[0]
        command = (jc.get("command") or []) + (jc.get("args") or [])
        self.check(bool(command) and bool(container.get("command"))
                   and command[0] == container["command"][0], job,
                   f"must run the server's own binary {container.get('command')}, runs {command}")
        self.check("--migrate_only" in command or "--migrate_only=true" in command, job,
                   f"must run with --migrate_only, runs {command}")
        self.check(jc.get("image") == container.get("image"), job,
                   f"image {jc.get('image')} differs from the server's {container.get('image')}")
        self.check(spec.get("restartPolicy") in ("Never", "OnFailure"), job,
                   "restartPolicy must be Never or OnFailure")
        self.check((job.get("spec") or {}).get("backoffLimit", 6) >= 1, job,
                   "backoffLimit must allow retries: the database may come up after the Job")
        env = env_map(jc)
        self.check_database_env(job, env)
        server_env = env_map(container)
        for var in ("LADDER_DATABASE_URL", "LADDER_DATABASE_PASSWORD"):
            a = ((env.get(var) or {}).get("valueFrom") or {}).get("secretKeyRef")
            b = ((server_env.get(var) or {}).get("valueFrom") or {}).get("secretKeyRef")
            self.check(a == b, job, f"{var} comes from {a}, the server's from {b}: same database, same Secret")
        self.check_resources(job, jc)
        self.check_security(job, spec, jc)
        return job

    def check_services(self, dep, grpc_port, pods):
        services = [
            s for s in self.of_kind("Service")
            if labels_match((s.get("spec") or {}).get("selector") or {}, pods["server"])
        ]
        if not self.check(services, dep, "no Service selects its pods"):
            return
        for svc in services:
            spec = svc.get("spec") or {}
            selector = spec.get("selector") or {}
            if "migration" in pods:
                self.check(not labels_match(selector, pods["migration"]), svc,
                           f"selector {selector} also picks the migration Job's pods")
            others = [
                d["metadata"]["name"] for d in self.of_kind("Deployment")
                if d is not dep and labels_match(selector, pod_labels(d))
            ]
            self.check(not others, svc, f"selector {selector} also picks the pods of {others}")
            ports = [p for p in spec.get("ports") or [] if p.get("name") == "grpc"]
            names = [p.get("name") for p in spec.get("ports") or []]
            if not self.check(len(ports) == 1, svc, f"want one port named grpc, has ports named {names}"):
                continue
            target = ports[0].get("targetPort", ports[0].get("port"))
            self.check(target in ("grpc", grpc_port), svc,
                       f"port grpc targets {target!r}, want the container port grpc ({grpc_port})")
            self.check(ports[0].get("protocol", "TCP") == "TCP", svc, "port grpc must be TCP")

    def check_pdb(self, dep, pods):
        pdbs = [
            p for p in self.of_kind("PodDisruptionBudget", "policy/v1")
            if labels_match(match_labels((p.get("spec") or {}).get("selector")) or {}, pods["server"])
        ]
        if not self.check(len(pdbs) == 1, dep, f"want one policy/v1 PodDisruptionBudget selecting its pods, found {len(pdbs)}"):
            return
        pdb = pdbs[0]
        spec = pdb.get("spec") or {}
        selector = match_labels(spec.get("selector")) or {}
        if "migration" in pods:
            self.check(not labels_match(selector, pods["migration"]), pdb,
                       f"selector {selector} also picks the migration Job's pods")
        replicas = dep.get("spec", {}).get("replicas", 1)
        if "minAvailable" in spec:
            self.check(isinstance(spec["minAvailable"], int) and spec["minAvailable"] < replicas, pdb,
                       f"minAvailable {spec['minAvailable']} with {replicas} replicas would block every node drain")
        else:
            self.check(spec.get("maxUnavailable") not in (None, 0, "0%"), pdb,
                       f"maxUnavailable {spec.get('maxUnavailable')} would block every node drain")

    def check_hpa(self, dep):
        name = dep["metadata"]["name"]
        hpas = [
            h for h in self.of_kind("HorizontalPodAutoscaler")
            if ((h.get("spec") or {}).get("scaleTargetRef") or {}).get("name") == name
        ]
        if not self.check(len(hpas) == 1, dep, f"want one HorizontalPodAutoscaler aimed at it, found {len(hpas)}"):
            return
        hpa = hpas[0]
        spec = hpa.get("spec") or {}
        ref = spec.get("scaleTargetRef") or {}
        self.check(hpa.get("apiVersion") == "autoscaling/v2", hpa,
                   f"apiVersion is {hpa.get('apiVersion')}, want autoscaling/v2")
        self.check(ref.get("kind") == "Deployment" and ref.get("apiVersion") == "apps/v1", hpa,
                   f"scaleTargetRef {ref} must be an apps/v1 Deployment")
        low, high = spec.get("minReplicas", 1), spec.get("maxReplicas", 0)
        self.check(low <= high, hpa, f"minReplicas {low} exceeds maxReplicas {high}")
        replicas = dep.get("spec", {}).get("replicas", 1)
        self.check(low == replicas, hpa,
                   f"minReplicas {low} differs from the Deployment's replicas {replicas}: keep them equal")
        self.check(bool(spec.get("metrics")), hpa, "has no metrics to scale on")

    def check_network_policy(self, dep, grpc_port):
        name = dep["metadata"]["name"]
        labels = pod_labels(dep)
        policies = [
            n for n in self.of_kind("NetworkPolicy", "networking.k8s.io/v1")
            if labels_match(match_labels((n.get("spec") or {}).get("podSelector")) or {}, labels)
        ]
        if not self.check(policies, dep, "no NetworkPolicy selects its pods: anyone in the cluster may call it"):
            return
        if name not in CALLERS:
            self.check(False, dep, f"unknown service: add its callers to CALLERS in {os.path.basename(__file__)}")
            return
        allowed = CALLERS[name]
        seen_callers, seen_external = set(), False
        for policy in policies:
            spec = policy.get("spec") or {}
            self.check("Ingress" in (spec.get("policyTypes") or []), policy, "policyTypes must include Ingress")
            for rule in spec.get("ingress") or []:
                peers = rule.get("from")
                self.check(bool(peers), policy, "an ingress rule without `from` lets every pod and address in")
                ports = rule.get("ports") or []
                self.check(bool(ports) and all(p.get("port") in ("grpc", grpc_port) for p in ports), policy,
                           f"ingress rule ports {ports} must name only the grpc port ({grpc_port})")
                for peer in peers or []:
                    kind = self.classify_peer(peer)
                    if kind == "external":
                        seen_external = True
                    elif kind and kind.startswith("caller:"):
                        caller = kind[len("caller:"):]
                        seen_callers.add(caller)
                        self.check(caller in allowed, policy,
                                   f"lets in {caller}, which is not among its callers {sorted(allowed) or 'none'}")
                    else:
                        self.check(False, policy, f"ingress peer {peer} is neither a caller of {name} in the suite "
                                   f"nor an external caller ({CLIENT_LABEL}=true)")
        missing = allowed - seen_callers
        self.check(not missing, dep, f"NetworkPolicy does not let in its callers {sorted(missing)}")
        self.check(seen_external, dep, f"NetworkPolicy does not let in external callers ({CLIENT_LABEL}=true)")

    def classify_peer(self, peer):
        """"caller:<name>" for a suite server, "external" for ladder-client callers, None else."""
        if "ipBlock" in peer:
            return None
        pods = match_labels(peer.get("podSelector")) if "podSelector" in peer else None
        namespaces = match_labels(peer.get("namespaceSelector")) if "namespaceSelector" in peer else None
        if pods is None and namespaces is None:
            return None
        if namespaces is not None:
            # Another namespace: only namespaces that declare themselves Ladder clients.
            return "external" if namespaces == {CLIENT_LABEL: "true"} else None
        if pods == {CLIENT_LABEL: "true"}:
            return "external"
        if pods.get(PART_OF) == "ladder" and pods.get(COMPONENT) == "server" and pods.get(NAME):
            return "caller:" + pods[NAME]
        return None

    # --- overlay-wide ------------------------------------------------------------------------

    def check_secrets(self):
        referenced = set()
        for obj in self.of_kind("Deployment") + self.of_kind("Job") + self.of_kind("StatefulSet"):
            for c in (pod_spec(obj).get("containers") or []) + (pod_spec(obj).get("initContainers") or []):
                for e in c.get("env") or []:
                    ref = (e.get("valueFrom") or {}).get("secretKeyRef")
                    if ref:
                        referenced.add((ref.get("name"), ref.get("key")))
        secrets = {s["metadata"]["name"]: s for s in self.of_kind("Secret")}
        if self.overlay == "prod":
            for s in secrets.values():
                self.check(not s.get("data") and not s.get("stringData"), s,
                           "prod must not carry Secret values: create the Secret in the cluster instead")
        else:
            for name, key in sorted(referenced):
                s = secrets.get(name)
                if self.check(s is not None, f"Secret {name}", "is referenced but not rendered"):
                    keys = set(s.get("data") or {}) | set(s.get("stringData") or {})
                    self.check(key in keys, s, f"has no key {key!r}")

    def check_namespace(self):
        namespaces = self.of_kind("Namespace")
        for ns in namespaces:
            labels = ns.get("metadata", {}).get("labels") or {}
            self.check(labels.get("pod-security.kubernetes.io/enforce") == "restricted", ns,
                       "must enforce the restricted Pod Security Standard")

    def check_database(self):
        statefulsets = self.of_kind("StatefulSet")
        if self.overlay == "dev":
            self.check(len(statefulsets) == 1 and statefulsets[0].get("spec", {}).get("replicas", 1) == 1,
                       "overlay dev", "want a single MariaDB StatefulSet with one replica")
        elif self.overlay == "prod":
            self.check(not statefulsets, "overlay prod",
                       f"prod uses an external database, yet renders {[ident(s) for s in statefulsets]}")


def check_overlay(overlay, docs):
    checker = Checker(overlay, docs)
    return checker.run(), checker.passes


# --- self-test: each break must be reported -----------------------------------------------


def _server(docs):
    return next(d for d in docs if d.get("kind") == "Deployment"
                and (d["metadata"].get("labels") or {}).get(COMPONENT) == "server")


def _container(docs):
    return pod_spec(_server(docs))["containers"][0]


def _kind(docs, kind):
    return next(d for d in docs if d.get("kind") == kind)


def _env(docs, name):
    return next(e for e in _container(docs)["env"] if e["name"] == name)


MUTATIONS = [
    ("readiness probe removed", "prod", lambda d: _container(d).pop("readinessProbe"), "no readinessProbe"),
    ("liveness probe over HTTP", "prod",
     lambda d: _container(d).update(livenessProbe={"httpGet": {"port": 50051, "path": "/"}}), "native grpc probe"),
    ("readiness on the wrong port", "prod",
     lambda d: _container(d)["readinessProbe"]["grpc"].update(port=50052), "readinessProbe.grpc.port"),
    ("readiness on the server as a whole", "prod",
     lambda d: _container(d)["readinessProbe"]["grpc"].pop("service"), "readinessProbe.grpc.service"),
    ("memory limit removed", "prod", lambda d: _container(d)["resources"]["limits"].pop("memory"),
     "resources.limits.memory"),
    ("cpu request above limit", "prod", lambda d: _container(d)["resources"]["requests"].update(cpu="4"),
     "exceeds its limit"),
    ("root allowed", "prod", lambda d: pod_spec(_server(d))["securityContext"].update(runAsNonRoot=False),
     "runAsNonRoot"),
    ("writable root file system", "prod",
     lambda d: _container(d)["securityContext"].update(readOnlyRootFilesystem=False), "readOnlyRootFilesystem"),
    ("privilege escalation", "prod",
     lambda d: _container(d)["securityContext"].pop("allowPrivilegeEscalation"), "allowPrivilegeEscalation"),
    ("capabilities kept", "prod", lambda d: _container(d)["securityContext"].pop("capabilities"),
     "capabilities.drop"),
    ("short grace period", "prod",
     lambda d: pod_spec(_server(d)).update(terminationGracePeriodSeconds=20), "terminationGracePeriodSeconds"),
    ("longer shutdown grace", "prod", lambda d: _env(d, "LADDER_SHUTDOWN_GRACE").update(value="45s"),
     "terminationGracePeriodSeconds"),
    ("one replica in prod", "prod", lambda d: _server(d)["spec"].update(replicas=1), "replicas is 1"),
    ("two replicas in dev", "dev", lambda d: _server(d)["spec"].update(replicas=2), "replicas is 2"),
    ("password inlined", "prod", lambda d: _env(d, "LADDER_DATABASE_PASSWORD").update(value="x"),
     "must come from a Secret"),
    ("Secret with values in prod", "prod",
     lambda d: d.append({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "data": {"a": "eA=="}}),
     "must not carry Secret values"),
    ("migrations at server start", "prod", lambda d: _env(d, "LADDER_MIGRATE").update(value="true"),
     "LADDER_MIGRATE"),
    ("migration Job removed", "prod", lambda d: d.remove(_kind(d, "Job")), "migration Job"),
    ("Job without --migrate_only", "prod",
     lambda d: pod_spec(_kind(d, "Job"))["containers"][0].update(command=["/usr/local/bin/personnel_server"]),
     "--migrate_only"),
    ("Service to another port", "prod",
     lambda d: _kind(d, "Service")["spec"]["ports"][0].update(targetPort=8080), "targets"),
    ("Service port renamed", "prod",
     lambda d: _kind(d, "Service")["spec"]["ports"][0].update(name="http"), "port named grpc"),
    ("Service selector widened to the Job", "prod",
     lambda d: _kind(d, "Service")["spec"].update(selector={NAME: "ladder-personnel"}), "migration Job's pods"),
    ("Deployment selector not matching", "prod",
     lambda d: _server(d)["spec"]["selector"]["matchLabels"].update({NAME: "other"}), "does not match"),
    ("PDB removed", "prod", lambda d: d.remove(_kind(d, "PodDisruptionBudget")), "PodDisruptionBudget"),
    ("PDB blocks drains", "dev",
     lambda d: _kind(d, "PodDisruptionBudget")["spec"].pop("maxUnavailable")
     or _kind(d, "PodDisruptionBudget")["spec"].update(minAvailable=1), "block every node drain"),
    ("HPA on the old API", "prod", lambda d: _kind(d, "HorizontalPodAutoscaler").update(apiVersion="autoscaling/v1"),
     "autoscaling/v2"),
    ("HPA aimed elsewhere", "prod",
     lambda d: _kind(d, "HorizontalPodAutoscaler")["spec"]["scaleTargetRef"].update(name="other"),
     "HorizontalPodAutoscaler aimed at it"),
    ("NetworkPolicy removed", "prod", lambda d: d.remove(_kind(d, "NetworkPolicy")), "no NetworkPolicy"),
    ("NetworkPolicy open to all", "prod",
     lambda d: _kind(d, "NetworkPolicy")["spec"]["ingress"].append({}), "without `from`"),
    ("NetworkPolicy lets in any pod", "prod",
     lambda d: _kind(d, "NetworkPolicy")["spec"]["ingress"][0]["from"].append({"podSelector": {}}),
     "neither a caller"),
    ("NetworkPolicy drops a caller", "prod",
     lambda d: _kind(d, "NetworkPolicy")["spec"]["ingress"][0]["from"].pop(0), "does not let in its callers"),
    ("NetworkPolicy on every port", "prod",
     lambda d: _kind(d, "NetworkPolicy")["spec"]["ingress"][0].pop("ports"), "only the grpc port"),
    ("policy ConfigMap drifted", "prod",
     lambda d: next(iter([c for c in d if c.get("kind") == "ConfigMap"]))["data"].update(
         {k: v + "\n# edited\n" for k, v in
          next(iter([c for c in d if c.get("kind") == "ConfigMap"]))["data"].items()}), "differs from config/policy"),
]


def self_test(rendered):
    failed = 0
    for title, overlay, mutate, expected in MUTATIONS:
        docs = copy.deepcopy(rendered[overlay])
        mutate(docs)
        failures, _ = check_overlay(overlay, docs)
        if any(expected in f for f in failures):
            print(f"ok - break caught: {title}")
        else:
            failed += 1
            print(f"FAIL - break not caught: {title} (want a failure containing {expected!r}; got {failures})")
    print(f"{len(MUTATIONS) - failed} passed, {failed} failed")
    return 1 if failed else 0


def main(argv):
    overlays = k8s_render.overlays()
    rendered = {}
    for overlay in overlays:
        try:
            rendered[overlay] = [d for d in yaml.safe_load_all(k8s_render.render(overlay)) if d]
        except k8s_render.RenderError as e:
            print(f"FAIL - {e}")
            return 1
    for required in ("dev", "prod"):
        if required not in rendered:
            print(f"FAIL - overlay {required} is missing from deploy/k8s/overlays")
            return 1
    if "--self-test" in argv[1:]:
        return self_test(rendered)
    failed_overlays = 0
    for overlay in overlays:
        failures, passes = check_overlay(overlay, rendered[overlay])
        for f in failures:
            print(f"FAIL - {f}")
        print(f"# overlay {overlay}: {passes} checks passed, {len(failures)} failed")
        failed_overlays += 1 if failures else 0
    print(f"{len(overlays) - failed_overlays} passed, {failed_overlays} failed")
    return 1 if failed_overlays else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
