#!/usr/bin/python3
"""deploy_k8s_rules: what every rendered overlay of deploy/k8s must keep.

Renders each overlay with `kubectl kustomize` and checks, for every Ladder server (a
Deployment labelled app.kubernetes.io/part-of=ladder, app.kubernetes.io/component=server):

  - the service's own binary, /usr/local/bin/<service>_server;
  - readiness and liveness probes (and a startup probe, if any) that exec
    /usr/local/bin/ladder_health against 127.0.0.1 on the container port named grpc (also
    the port LADDER_LISTEN serves on) over mutual TLS, with --ca, --cert and --key naming the
    server's own LADDER_TLS_* files: readiness on the service's own health name (one of those
    services/<service>/main.cc registers), liveness on the server as a whole; ladder_health's
    --timeout shorter than the probe's timeoutSeconds;
  - mutual TLS: LADDER_TLS_CERT, LADDER_TLS_KEY and LADDER_TLS_CA naming tls.crt, tls.key and
    ca.crt of the service's own Secret ladder-<service>-tls, mounted whole (no subPath, which
    the kubelet never updates: the servers reload renewed certificates without a restart) and
    read-only; no container of any overlay, dev included, sets LADDER_INSECURE_PLAINTEXT or
    --insecure_plaintext; no Service port declares cleartext HTTP/2 (kubernetes.io/h2c);
  - the certificate behind that Secret: where the overlay renders it (dev), read with openssl,
    and otherwise the cert-manager Certificate of overlays/<overlay>/cert-manager that writes
    it (prod): Common Name the service, usable as TLS server and client, every name it is
    dialled by (its Services, short and with .<namespace>.svc, its probes' 127.0.0.1, the
    host of each caller's LADDER_<CALLEE>_ADDRESS); rendered ones also valid 30 more days,
    their key matching, chained to the ca.crt of every server they call or are called by;
    issued ones from one issuer;
  - tokens: LADDER_JWT_KEYS_DIR with the ConfigMap ladder-jwt-keys mounted whole there (where
    rendered, only <kid>.pem public keys, EC P-256 or RSA), LADDER_JWT_ISSUER and
    LADDER_JWT_AUDIENCE set;
  - cpu and memory requests and limits, requests within limits;
  - non-root, read-only root file system, no privilege escalation, every capability
    dropped, the RuntimeDefault seccomp profile (the "restricted" Pod Security Standard);
  - a termination grace period longer than the server's shutdown grace;
  - replicas: 1 in dev, at least 2 in prod, equal to the autoscaler's minimum;
  - the database URL and password from the Secret ladder-<service>-database; no Secret
    with values in prod; LADDER_MIGRATE=false, and a migration Job running the same binary
    with --migrate_only;
  - where the overlay renders the Secret (dev): the URL names the service's own database
    ladder_<service> on the overlay's database Service and port, the password is the
    database's, and the database's init scripts let that account create and use it;
  - the address of every service it calls in the suite (CALLERS), LADDER_<CALLEE>_ADDRESS,
    set to dns:///<headless Service>:<grpc port>: the dns scheme, a headless Service of this
    namespace (clusterIP None, only ready servers) that selects the callee's servers, and
    the callee's grpc port, so that the caller's round_robin channel spreads its calls over
    every ready server of the callee; no address of a service it does not call;
  - the policy ConfigMap mounted at LADDER_POLICY_DIR, equal to config/policy;
  - a Service with a port named grpc reaching that container port, whose selector picks
    the server's pods and no others (not the migration Job's);
  - metrics: a container port named metrics that LADDER_METRICS_LISTEN serves on 0.0.0.0,
    LADDER_LOG_FORMAT=json, the prometheus.io/scrape, /port and /path pod annotations, a
    port metrics on its main Service; in prod (and wherever one is rendered) a PodMonitor
    scraping that port with job label app.kubernetes.io/part-of, and a PrometheusRule;
  - a PodDisruptionBudget and an autoscaling/v2 HorizontalPodAutoscaler aimed at it;
  - NetworkPolicies that let in only the service's callers in the suite and external
    callers (ladder-client=true), on the gRPC port only, and only the namespace named
    monitoring on the metrics port;
  - connections it needs, allowed by every NetworkPolicy on either end: each callee's
    ingress lets its servers in; the database's ingress (dev) lets its servers and its
    migration Job in; and where a NetworkPolicy restricts their egress, it allows DNS, the
    callees' grpc ports and the database's port.

An overlay's cert-manager/ kustomization, when it has one, is rendered and checked with it.
Every failure names the overlay, the object and what broke. With --self-test it breaks the
rendered manifests in known ways and checks that each break is reported.

Needs kubectl, Debian's python3-yaml and the openssl command line; run with /usr/bin/python3.
"""

import atexit
import base64
import copy
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.parse

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import k8s_render  # noqa: E402

ROOT = k8s_render.ROOT
POLICY_DIR = os.path.join(ROOT, "config", "policy")
SERVICES_DIR = os.path.join(ROOT, "services")

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

# Ports the servers' connections use outside the suite: DNS (names of Services and of the
# database), and MySQL's default, for a database outside the cluster whose URL (in a Secret
# the overlay does not render) the test cannot read.
DNS_PORT = 53
MYSQL_PORT = 3306

# Where the database's image runs its init scripts (MariaDB's and MySQL's official images).
DB_INIT_DIR = "/docker-entrypoint-initdb.d"

# The server's own default for --shutdown_grace (common/server/flags.cc).
DEFAULT_SHUTDOWN_GRACE_S = 20.0

# Replica rules per overlay; an overlay not named here needs at least one.
REPLICAS = {
    "dev": lambda n: n == 1,
    "prod": lambda n: n >= 2,
}
REPLICAS_RULE = {"dev": "exactly 1", "prod": "at least 2"}

# Transport security (deploy/README.md, "Security"). Every server serves and calls over
# mutual TLS with the files of its own Secret ladder-<service>-tls, which the environment
# names; the key of the Secret each variable must name:
TLS_ENV = {"LADDER_TLS_CERT": "tls.crt", "LADDER_TLS_KEY": "tls.key", "LADDER_TLS_CA": "ca.crt"}
TLS_SECRET_TYPE = "kubernetes.io/tls"
# Development only (no TLS, no authentication): no overlay may set it, dev included.
INSECURE_ENV = "LADDER_INSECURE_PLAINTEXT"
INSECURE_FLAG = "--insecure_plaintext"
# Bearer tokens: the issuer's public keys (<kid>.pem) from this ConfigMap, and the claims.
JWT_KEYS_ENV = "LADDER_JWT_KEYS_DIR"
JWT_KEYS_CONFIGMAP = "ladder-jwt-keys"
JWT_CLAIM_ENV = ("LADDER_JWT_ISSUER", "LADDER_JWT_AUDIENCE")

# The probes: ladder_health in the image, over mutual TLS with the pod's own certificate
# (the servers answer no call without a verified identity, and the kubelet's native grpc
# probe speaks no TLS). Its TLS flags name the same files as the server's variables.
LADDER_HEALTH = "/usr/local/bin/ladder_health"
LADDER_HEALTH_DEFAULT_TIMEOUT_S = 10.0  # tools/health/ladder_health.cc
PROBE_TLS_FLAGS = {"--ca": "LADDER_TLS_CA", "--cert": "LADDER_TLS_CERT", "--key": "LADDER_TLS_KEY"}
LOOPBACK_HOSTS = {"127.0.0.1", "localhost"}
PROBES = ("readinessProbe", "livenessProbe", "startupProbe")

# Metrics (docs/operations.md): a container port named metrics that LADDER_METRICS_LISTEN
# serves on every address, JSON logs for the cluster's collector, the prometheus.io/*
# annotations of a plain Prometheus, a port of the main Service, and a NetworkPolicy rule
# that lets only the monitoring namespace reach it. Where the overlay renders a PodMonitor
# (the prometheus-operator component; prod must), it scrapes that port of every server.
METRICS_PORT_NAME = "metrics"
METRICS_PATH = "/metrics"
MONITORING_NAMESPACE = {"kubernetes.io/metadata.name": "monitoring"}
MONITORING_API = "monitoring.coreos.com/v1"
MONITORED_OVERLAYS = {"prod"}

# Where an overlay's TLS Secrets are not rendered (prod), cert-manager issues them from the
# Certificates of this kustomization beside the overlay's (overlays/<overlay>/cert-manager).
CERT_MANAGER_DIR = "cert-manager"
CERT_MANAGER_API = "cert-manager.io/v1"
# Certificates the overlay renders must stay valid this long: time to renew them.
CERT_MIN_VALIDITY_S = 30 * 24 * 3600


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


def callees_of(name):
    """The suite's servers that NAME calls (the inverse of CALLERS)."""
    return {callee for callee, callers in CALLERS.items() if name in callers}


def address_env(callee):
    """ladder-personnel -> LADDER_PERSONNEL_ADDRESS, the flag its callers' servers read."""
    return "LADDER_" + service_name_of(callee).upper().replace("-", "_") + "_ADDRESS"


ADDRESS_ENV_RE = re.compile(r"LADDER_([A-Z0-9_]+)_ADDRESS")

# The servers open their channels to the services they call with gRPC's round_robin policy,
# which balances over every address the target resolves to: the dns resolver (no authority:
# the pod's own DNS) on a headless Service, whose name resolves to each ready server.
DNS_SCHEME = "dns:///"


def health_names_of(service):
    """The grpc.health.v1 names services/<service>/main.cc registers, or None."""
    path = os.path.join(SERVICES_DIR, service, "main.cc")
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except OSError:
        return None
    # Either the server's own config (health_service_names = {"…", …}) or the spec it hands
    # the shared main (health_service = "…").
    names = []
    for match in re.finditer(r"\bhealth_service_names\s*=\s*\{([^}]*)\}", text):
        names += re.findall(r'"([^"]+)"', match.group(1))
    names += re.findall(r'\bhealth_service\s*=\s*"([^"]+)"', text)
    return names or None


def selects(selector, labels):
    """Kubernetes' meaning of a LabelSelector: empty selects everything; matchLabels and
    matchExpressions (In, NotIn, Exists, DoesNotExist) must all hold."""
    selector = selector or {}
    if not all(labels.get(k) == v for k, v in (selector.get("matchLabels") or {}).items()):
        return False
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr.get("key"), expr.get("operator"), expr.get("values") or []
        if op == "In" and labels.get(key) not in values:
            return False
        if op == "NotIn" and key in labels and labels[key] in values:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
    return True


def policy_types(policy):
    """A NetworkPolicy's policyTypes, with Kubernetes' default when the field is absent."""
    spec = policy.get("spec") or {}
    if spec.get("policyTypes"):
        return set(spec["policyTypes"])
    return {"Ingress"} | ({"Egress"} if spec.get("egress") else set())


def peer_selects_pod(peer, labels):
    """Whether a NetworkPolicy peer takes in a pod of the policy's own namespace with LABELS
    (ipBlock peers are for addresses outside the cluster, so never)."""
    if "ipBlock" in peer:
        return False
    if "namespaceSelector" in peer:
        # Only a selector of every namespace surely includes the policy's own.
        if match_labels(peer["namespaceSelector"]) != {}:
            return False
        return selects(peer.get("podSelector"), labels)
    return "podSelector" in peer and selects(peer["podSelector"], labels)


def rule_allows_port(rule, port_names, number, protocol="TCP"):
    """Whether an ingress or egress rule's ports take in NUMBER (or one of PORT_NAMES)."""
    ports = rule.get("ports")
    if not ports:
        return True
    for p in ports:
        if p.get("protocol", "TCP") != protocol:
            continue
        port = p.get("port")
        if port is None or port in port_names:
            return True
        if isinstance(port, int) and port <= number <= p.get("endPort", port):
            return True
    return False


def parse_database_url(url):
    """(user, host, port, database) of mysql://user[:password]@host[:port]/database[?…]."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme != "mysql" or not parts.hostname:
        return None
    return parts.username, parts.hostname, parts.port or MYSQL_PORT, parts.path.lstrip("/")


def like_matches(pattern, text):
    """SQL LIKE, as GRANT … ON `pattern`.* reads it: % any run, _ one character, \\ escapes;
    * is every database."""
    if pattern == "*":
        return True
    out, i = [], 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        out.append(".*" if c == "%" else "." if c == "_" else re.escape(c))
        i += 1
    return re.fullmatch("".join(out), text) is not None


GRANT_RE = re.compile(r"GRANT\s+(.+?)\s+ON\s+`?([^`\s]+?)`?\.\*\s+TO\s+'([^']+)'", re.I | re.S)


def secret_value(secret, key):
    """A key of a rendered Secret, decoded; None when absent."""
    if key in (secret.get("stringData") or {}):
        return secret["stringData"][key]
    data = secret.get("data") or {}
    if key not in data:
        return None
    try:
        return base64.b64decode(data[key]).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None


def parse_flags(args):
    """{--flag: value} of a command line of --flag=value (or --flag value) words."""
    flags = {}
    i = 0
    while i < len(args):
        arg = str(args[i])
        if arg.startswith("--") and "=" in arg:
            name, _, value = arg.partition("=")
            flags[name] = value
        elif arg.startswith("--"):
            if i + 1 < len(args) and not str(args[i + 1]).startswith("--"):
                flags[arg] = str(args[i + 1])
                i += 1
            else:
                flags[arg] = "true"
        i += 1
    return flags


def generated_name(want, name):
    """NAME is WANT, or WANT with the hash suffix of a kustomize generator."""
    return isinstance(name, str) and (name == want or re.fullmatch(re.escape(want) + r"-[a-z0-9]{10}", name))


def is_true(value):
    return str(value).strip().lower() in ("1", "true", "yes", "on", "")


class OpenSSL:
    """The openssl command line, to read the certificates and keys an overlay renders.
    Results are kept by content: the self-test checks the same files many times."""

    def __init__(self):
        self.path = shutil.which("openssl")
        self.dir = None
        self.cache = {}

    def file(self, text):
        if self.dir is None:
            self.dir = tempfile.mkdtemp(prefix="ladder-k8s-rules-")
            atexit.register(shutil.rmtree, self.dir, True)
        path = os.path.join(self.dir, hashlib.sha256(text.encode()).hexdigest() + ".pem")
        if not os.path.exists(path):
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(text)
        return path

    def run(self, *args):
        key = args
        if key not in self.cache:
            result = subprocess.run([self.path, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    text=True, check=False)
            self.cache[key] = (result.returncode, result.stdout, result.stderr.strip())
        return self.cache[key]

    def certificate(self, pem):
        """{cn, dns, ips, eku, not_after, expiring, public_key} of a PEM certificate, or None."""
        code, out, _ = self.run("x509", "-in", self.file(pem), "-noout", "-subject", "-nameopt", "RFC2253",
                                "-ext", "subjectAltName,extendedKeyUsage", "-enddate", "-pubkey",
                                "-checkend", str(CERT_MIN_VALIDITY_S))
        subject = re.search(r"^subject=(.*)$", out, re.M)
        if subject is None:
            return None
        cn = re.search(r"(?:^|,)CN=((?:[^,\\]|\\.)*)", subject.group(1))
        san = re.search(r"X509v3 Subject Alternative Name:[^\n]*\n\s*([^\n]*)", out)
        eku = re.search(r"X509v3 Extended Key Usage:[^\n]*\n\s*([^\n]*)", out)
        names = [n.strip() for n in san.group(1).split(",")] if san else []
        public = re.search(r"-----BEGIN PUBLIC KEY-----.*?-----END PUBLIC KEY-----", out, re.S)
        not_after = re.search(r"^notAfter=(.*)$", out, re.M)
        return {
            "cn": cn.group(1) if cn else None,
            "dns": {n[len("DNS:"):] for n in names if n.startswith("DNS:")},
            "ips": {n[len("IP Address:"):] for n in names if n.startswith("IP Address:")},
            "eku": {u.strip() for u in eku.group(1).split(",")} if eku else set(),
            "not_after": not_after.group(1) if not_after else "?",
            "expiring": code != 0,
            "public_key": public.group(0) if public else None,
        }

    def public_of_private_key(self, pem):
        code, out, _ = self.run("pkey", "-in", self.file(pem), "-pubout")
        return out.strip() if code == 0 else None

    def public_key_kind(self, pem):
        """"EC P-256", "RSA" or None (not a PEM public key, or another kind)."""
        code, out, _ = self.run("pkey", "-pubin", "-in", self.file(pem), "-noout", "-text")
        if code != 0:
            return None
        if "prime256v1" in out or "P-256" in out:
            return "EC P-256"
        if "Modulus:" in out:
            return "RSA"
        return None

    def verifies(self, ca_pem, cert_pem, purpose):
        """Whether CERT_PEM chains to CA_PEM for PURPOSE (sslserver, sslclient); (ok, why)."""
        code, out, err = self.run("verify", "-CAfile", self.file(ca_pem), "-purpose", purpose, self.file(cert_pem))
        reasons = re.findall(r"error \d+ at \d+ depth lookup: ([^\n]*)", out + "\n" + err)
        return code == 0, "; ".join(dict.fromkeys(reasons)) or "verification failed"


OPENSSL = OpenSSL()


class Checker:
    def __init__(self, overlay, docs):
        self.overlay = overlay
        self.docs = [d for d in docs if isinstance(d, dict)]
        self.failures = []
        self.passes = 0
        # Gathered while checking each server, for the checks of its certificate:
        self.tls_secret = {}   # server -> name of the Secret its LADDER_TLS_* files come from
        self.probe_hosts = {}  # server -> hosts its probes dial (names its certificate needs)
        self.dialed = {}       # server -> {host its callers dial: which caller, which variable}
        self.jwt_keys_checked = set()

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
        self.check_certificates(servers)
        self.check_pod_monitor(servers)
        self.check_no_plaintext()
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

        env = env_map(container)
        self.check_binary(dep, container)
        self.check_probes(dep, container, env, grpc_port)
        self.check_resources(dep, container)
        self.check_security(dep, pod_spec(dep), container)
        self.check_env(dep, container, env, grpc_port)
        metrics_port = self.check_metrics(dep, container, env)
        self.check_tls(dep, container, env)
        self.check_jwt(dep, container, env)
        self.check_secret_names(dep, env)
        self.check_callees(dep, env)
        self.check_grace(dep, env)
        self.check_replicas(dep)
        self.check_policy_mount(dep, container, env)
        self.check_image(dep, container)
        pods = {"server": labels}
        job = self.check_migration_job(dep, container)
        if job is not None:
            pods["migration"] = pod_labels(job)
        self.check_services(dep, grpc_port, pods, metrics_port)
        self.check_pdb(dep, pods)
        self.check_hpa(dep)
        self.check_network_policy(dep, grpc_port, metrics_port)
        self.check_database_url(dep, env)
        self.check_database_reach(dep, "server", labels)
        if job is not None:
            self.check_database_reach(job, "migration Job", pod_labels(job))

    def check_probes(self, dep, container, env, grpc_port):
        """Readiness and liveness (and startup, if any) run ladder_health against this pod's own
        server over mutual TLS, with the pod's certificate, and report before the kubelet's
        timeout."""
        name = dep["metadata"]["name"]
        service = service_name_of(name)
        for kind in PROBES:
            probe = container.get(kind)
            if kind == "startupProbe" and probe is None:
                continue
            if not self.check(isinstance(probe, dict), dep, f"container {container['name']} has no {kind}"):
                continue
            other = [k for k in ("grpc", "httpGet", "tcpSocket") if k in probe]
            command = (probe.get("exec") or {}).get("command")
            if not self.check(isinstance(command, list) and bool(command) and not other, dep,
                              f"{kind} must be an exec probe running {LADDER_HEALTH} with the pod's certificate "
                              f"(found {other or 'none'}): the servers refuse calls without a verified client "
                              "certificate, which the kubelet's grpc, httpGet and tcpSocket probes cannot present"):
                continue
            if not self.check(command[0] == LADDER_HEALTH, dep,
                              f"{kind} runs {command[0]!r}, want {LADDER_HEALTH} (in the image, on its PATH)"):
                continue
            flags = parse_flags(command[1:])

            target = flags.get("--target") or ""
            host, _, port = target.rpartition(":")
            self.check(host in LOOPBACK_HOSTS, dep,
                       f"{kind} --target={target}: want 127.0.0.1:{grpc_port}, the server of this very pod "
                       "(a Service name would probe some other pod)")
            self.check(port == str(grpc_port), dep,
                       f"{kind} --target={target} is not on the grpc container port {grpc_port}")
            if host:
                self.probe_hosts.setdefault(name, set()).add(host)

            health_name = flags.get("--service", "")
            if kind == "readinessProbe":
                self.check(health_name.startswith(f"ladder.{service}.v1.") and health_name.endswith("Service"),
                           dep, f"readinessProbe --service={health_name!r}, want the service's own "
                           f"health name ladder.{service}.v1.<Name>Service (NOT_SERVING while its database is down)")
                names = health_names_of(service)
                if self.check(names, dep, f"services/{service}/main.cc registers no health name "
                              "to check readinessProbe --service against"):
                    self.check(health_name in names, dep,
                               f"readinessProbe --service={health_name!r}, but {service}_server reports "
                               f"health for {names} (services/{service}/main.cc): the pod would never be ready")
            else:
                self.check(health_name == "", dep,
                           f"{kind} --service={health_name!r}: want the server as a whole (--service=), which "
                           "stays SERVING whatever its database does; on the service's own name a database "
                           "outage would restart every server")

            for flag, var in PROBE_TLS_FLAGS.items():
                want = (env.get(var) or {}).get("value")
                self.check(flag in flags and flags[flag] == want, dep,
                           f"{kind} {flag}={flags.get(flag, '<missing>')}: "
                           f"want {want or 'the file ' + var + ' names'}, "
                           "the pod's own TLS files: without its client certificate, or with other files than the "
                           "server's, the server refuses the probe and the pod is never ready")

            timeout_text = flags.get("--timeout")
            try:
                timeout = parse_duration_s(timeout_text) if timeout_text else LADDER_HEALTH_DEFAULT_TIMEOUT_S
            except ValueError as e:
                self.check(False, dep, f"{kind} --timeout: {e}")
                continue
            seconds = probe.get("timeoutSeconds", 1)
            self.check(timeout < seconds, dep,
                       f"{kind}: ladder_health --timeout={timeout_text or '10s (its default)'} is not shorter "
                       f"than timeoutSeconds {seconds}: the kubelet would kill the check before it reports")

    # --- transport security and tokens ------------------------------------------------------

    @staticmethod
    def mount_of(container, path):
        """(volumeMount, path inside the volume) of the mount holding PATH: the deepest mount
        whose mountPath is PATH or one of its folders; (None, None) when nothing is."""
        best = None
        for m in container.get("volumeMounts") or []:
            mount_path = (m.get("mountPath") or "").rstrip("/")
            if path == mount_path or path.startswith(mount_path + "/"):
                if best is None or len(mount_path) > len(best[0]):
                    best = (mount_path, m)
        if best is None:
            return None, None
        return best[1], path[len(best[0]):].lstrip("/")

    def check_whole_mount(self, obj, mount, what):
        """MOUNT is read-only and mounts its volume whole: the kubelet updates a Secret or
        ConfigMap volume in place, but never what a subPath mount took at the start."""
        self.check(mount.get("readOnly") is True, obj, f"{what}: the mount {mount.get('name')!r} must be readOnly")
        for field in ("subPath", "subPathExpr"):
            self.check(not mount.get(field), obj,
                       f"{what}: mounted with {field} {mount.get(field)!r}, which the kubelet never updates: a "
                       "renewed certificate or a new key would reach the server only when the pod restarts; mount "
                       "the volume as a directory")

    def check_tls(self, dep, container, env):
        """LADDER_TLS_CERT, _KEY and _CA name tls.crt, tls.key and ca.crt of the server's own
        Secret ladder-<service>-tls, one Secret mounted whole and read-only."""
        name = dep["metadata"]["name"]
        service = service_name_of(name)
        want = f"{name}-tls"
        volumes = {v.get("name"): v for v in pod_spec(dep).get("volumes") or []}
        secrets = set()
        for var, key in TLS_ENV.items():
            entry = env.get(var)
            if not self.check(entry is not None, dep,
                              f"{var} is not set: {service}_server serves only with TLS (no overlay may set "
                              f"{INSECURE_ENV}); name the file {key} of the Secret {want}"):
                continue
            path = entry.get("value")
            if not self.check(isinstance(path, str) and path.startswith("/") and "valueFrom" not in entry, dep,
                              f"{var} must be a literal absolute path, has {entry}"):
                continue
            mount, inside = self.mount_of(container, path)
            if not self.check(mount is not None, dep,
                              f"{var}={path}: nothing is mounted there; mount the Secret {want} as a directory"):
                continue
            self.check_whole_mount(dep, mount, f"{var}={path}")
            volume = volumes.get(mount.get("name")) or {}
            secret = volume.get("secret")
            if not self.check(isinstance(secret, dict), dep,
                              f"{var}={path} is on the volume {mount.get('name')!r}, which is not a Secret "
                              f"volume: want the Secret {want}"):
                continue
            secret_name = secret.get("secretName")
            secrets.add(secret_name)
            self.check(generated_name(want, secret_name), dep,
                       f"{var} comes from the Secret {secret_name}, want {want}: each server its own "
                       f"certificate, whose Common Name ({service}) is its identity on the calls it makes")
            items = secret.get("items")
            if mount.get("subPath"):
                inside = mount["subPath"]
            file_key = inside if not items else next(
                (i.get("key") for i in items if i.get("path") == inside), None)
            self.check(file_key == key, dep,
                       f"{var}={path} is the Secret's key {file_key!r}, want {key!r}")
        self.check(len(secrets) <= 1, dep,
                   f"{', '.join(TLS_ENV)} come from the Secrets {sorted(map(str, secrets))}: keep them in one, "
                   "renewed as a whole, so that the certificate, its key and the CA always match")
        if len(secrets) == 1:
            self.tls_secret[name] = next(iter(secrets))

    def check_jwt(self, dep, container, env):
        """The token issuer's public keys from the ConfigMap ladder-jwt-keys, mounted whole at
        LADDER_JWT_KEYS_DIR; the issuer and audience set."""
        keys_dir = (env.get(JWT_KEYS_ENV) or {}).get("value")
        if self.check(isinstance(keys_dir, str) and keys_dir.startswith("/"), dep,
                      f"{JWT_KEYS_ENV} is not set to a literal absolute path: the servers take no token "
                      f"without the issuer's public keys (ConfigMap {JWT_KEYS_CONFIGMAP})"):
            mount, inside = self.mount_of(container, keys_dir)
            if self.check(mount is not None and inside == "", dep,
                          f"nothing is mounted at {JWT_KEYS_ENV} {keys_dir}: mount the ConfigMap "
                          f"{JWT_KEYS_CONFIGMAP} there as a directory"):
                self.check_whole_mount(dep, mount, f"{JWT_KEYS_ENV}={keys_dir}")
                volume = next((v for v in pod_spec(dep).get("volumes") or [] if v.get("name") == mount.get("name")), {})
                cm_name = (volume.get("configMap") or {}).get("name")
                if self.check(generated_name(JWT_KEYS_CONFIGMAP, cm_name), dep,
                              f"{JWT_KEYS_ENV}={keys_dir} is the volume {mount.get('name')!r} "
                              f"({'ConfigMap ' + cm_name if cm_name else 'not a ConfigMap'}), want the ConfigMap "
                              f"{JWT_KEYS_CONFIGMAP}"):
                    cm = next((c for c in self.of_kind("ConfigMap") if c["metadata"]["name"] == cm_name), None)
                    if cm is not None and cm_name not in self.jwt_keys_checked:  # else made in the cluster
                        self.jwt_keys_checked.add(cm_name)
                        self.check_jwt_keys(cm)
        for var in JWT_CLAIM_ENV:
            entry = env.get(var) or {}
            value = entry.get("value")
            ref = (entry.get("valueFrom") or {}).get("configMapKeyRef")
            if ref:
                cm = next((c for c in self.of_kind("ConfigMap") if c["metadata"]["name"] == ref.get("name")), None)
                value = ((cm or {}).get("data") or {}).get(ref.get("key")) if cm else "<in the cluster>"
            self.check(bool(value), dep, f"{var} is not set: the claim every token must carry")

    def check_jwt_keys(self, cm):
        data = cm.get("data") or {}
        pems = sorted(k for k in data if k.endswith(".pem"))
        self.check(pems, cm, "holds no <kid>.pem public key: the servers would take no token")
        for key in sorted(set(data) - set(pems)):
            self.check(False, cm, f"holds {key!r}, not a <kid>.pem public key")
        if pems and not self.check(OPENSSL.path, cm, "openssl not found (Debian package openssl): "
                                   "it reads the token keys"):
            return
        for key in pems:
            kind = OPENSSL.public_key_kind(data[key])
            self.check(kind is not None, cm,
                       f"{key} is not a PEM public key of EC P-256 (ES256) or RSA (RS256)")

    def check_certificates(self, servers):
        """Each server's TLS Secret is rendered with a certificate that fits (dev), or issued by
        a cert-manager Certificate of overlays/<overlay>/cert-manager that fits (prod): CN the
        service, EKU server and client, every name it is dialled by, one CA for all."""
        rendered, issued = {}, {}
        for dep in servers:
            name = dep["metadata"]["name"]
            secret_name = self.tls_secret.get(name)
            if secret_name is None:
                continue  # reported by check_tls
            namespace = dep["metadata"].get("namespace")
            needs = {f"{name}": "its ClusterIP Service", f"{name}-headless": "its headless Service"}
            if namespace:
                needs[f"{name}.{namespace}.svc"] = "its ClusterIP Service's name with the namespace"
                needs[f"{name}-headless.{namespace}.svc"] = "its headless Service's name with the namespace"
            for host in sorted(self.probe_hosts.get(name, ())):
                needs[host] = "its probes' --target"
            needs.update(self.dialed.get(name, {}))
            secret = next((s for s in self.of_kind("Secret") if s["metadata"]["name"] == secret_name), None)
            certificates = [c for c in self.of_kind("Certificate")
                            if (c.get("spec") or {}).get("secretName") == secret_name
                            and c["metadata"].get("namespace") == namespace]
            if secret is not None:
                rendered[name] = self.check_tls_secret(dep, secret, needs)
            elif certificates:
                self.check(len(certificates) == 1, dep,
                           f"{len(certificates)} Certificates write the Secret {secret_name}; want one")
                issued[name] = self.check_certificate(dep, certificates[0], needs)
            else:
                self.check(False, dep,
                           f"the TLS Secret {secret_name} is neither rendered by the overlay nor issued by a "
                           f"cert-manager Certificate of its {CERT_MANAGER_DIR}/ kustomization (in namespace "
                           f"{namespace}): say in the overlay how the Secret is made")
        # Both ends of every call trust each other: the callee's certificate chains to the
        # caller's CA (the caller checks the server), and the caller's to the callee's CA.
        for callee, callers in sorted(CALLERS.items()):
            for caller in sorted(callers):
                if rendered.get(callee) and rendered.get(caller):
                    for verifier, holder, purpose, role in ((caller, callee, "sslserver", "server"),
                                                            (callee, caller, "sslclient", "client")):
                        ok, why = OPENSSL.verifies(rendered[verifier]["ca"], rendered[holder]["crt"], purpose)
                        self.check(ok, f"Secret {self.tls_secret[holder]}",
                                   f"the certificate of {holder} does not verify as a TLS {role} against the "
                                   f"ca.crt of {verifier} ({self.tls_secret[verifier]}): {why}; "
                                   f"{caller}'s calls to {callee} would fail the handshake")
                if issued.get(callee) and issued.get(caller):
                    self.check(issued[callee] == issued[caller], f"Certificate {callee}",
                               f"is issued by {issued[callee]}, the Certificate of its caller {caller} by "
                               f"{issued[caller]}: each server trusts only the CA of its own Secret's ca.crt")

    def check_tls_secret(self, dep, secret, needs):
        """A rendered TLS Secret: the certificate of DEP's service, its key, and the CA."""
        service = service_name_of(dep["metadata"]["name"])
        self.check(secret.get("type") == TLS_SECRET_TYPE, secret,
                   f"type is {secret.get('type')!r}, want {TLS_SECRET_TYPE} (tls.crt and tls.key), with ca.crt")
        values = {key: secret_value(secret, key) for key in TLS_ENV.values()}
        for key, value in values.items():
            self.check(value, secret, f"has no key {key!r}")
        if not all(values.values()):
            return None
        if not self.check(OPENSSL.path, secret, "openssl not found (Debian package openssl): it reads the "
                          "certificates the overlay renders"):
            return None
        cert = OPENSSL.certificate(values["tls.crt"])
        if not self.check(cert is not None, secret, "tls.crt is not a PEM certificate"):
            return None
        self.check(cert["cn"] == service, secret,
                   f"the certificate's Common Name is {cert['cn']!r}, want {service!r}: the servers {service} "
                   "calls take the caller's service from it")
        for usage in ("TLS Web Server Authentication", "TLS Web Client Authentication"):
            self.check(usage in cert["eku"], secret,
                       f"the certificate's extended key usage lacks {usage}: it is the server's certificate and, "
                       "on the calls it makes, its client certificate")
        names = cert["dns"] | cert["ips"]
        for host, why in sorted(needs.items()):
            self.check(host in names, secret,
                       f"the certificate lacks the name {host} ({why}): the TLS handshake would fail on it; "
                       f"it has {sorted(names)}")
        self.check(not cert["expiring"], secret,
                   f"the certificate expires {cert['not_after']}, within 30 days: make new ones (in dev: "
                   "deploy/k8s/overlays/dev/pki/generate.sh)")
        public = OPENSSL.public_of_private_key(values["tls.key"])
        self.check(public is not None and public == (cert["public_key"] or "").strip(), secret,
                   "tls.key is not the private key of tls.crt")
        for purpose in ("sslserver", "sslclient"):
            ok, why = OPENSSL.verifies(values["ca.crt"], values["tls.crt"], purpose)
            self.check(ok, secret, f"tls.crt does not verify against ca.crt ({purpose}): {why}")
        return {"crt": values["tls.crt"], "ca": values["ca.crt"]}

    def check_certificate(self, dep, certificate, needs):
        """A cert-manager Certificate that writes DEP's TLS Secret; returns its issuer."""
        service = service_name_of(dep["metadata"]["name"])
        spec = certificate.get("spec") or {}
        self.check(certificate.get("apiVersion") == CERT_MANAGER_API, certificate,
                   f"apiVersion is {certificate.get('apiVersion')}, want {CERT_MANAGER_API}")
        self.check(spec.get("commonName") == service, certificate,
                   f"commonName is {spec.get('commonName')!r}, want {service!r}: the servers {service} calls "
                   "take the caller's service from it")
        usages = set(spec.get("usages") or [])
        for usage in ("server auth", "client auth"):
            self.check(usage in usages, certificate,
                       f"usages lack {usage!r}: the certificate is the server's and, on the calls it makes, its "
                       "client certificate")
        names = set(spec.get("dnsNames") or []) | set(spec.get("ipAddresses") or [])
        for host, why in sorted(needs.items()):
            self.check(host in names, certificate,
                       f"dnsNames and ipAddresses lack {host} ({why}): the TLS handshake would fail on it")
        issuer = spec.get("issuerRef") or {}
        self.check(issuer.get("name"), certificate, "has no issuerRef")
        return (issuer.get("group", "cert-manager.io"), issuer.get("kind", "Issuer"), issuer.get("name"))

    def check_no_plaintext(self):
        """No container of the overlay turns TLS off, dev included."""
        for obj in (self.of_kind("Deployment") + self.of_kind("StatefulSet") + self.of_kind("DaemonSet")
                    + self.of_kind("Job")):
            for c in (pod_spec(obj).get("containers") or []) + (pod_spec(obj).get("initContainers") or []):
                env = env_map(c)
                if INSECURE_ENV in env:
                    self.check(False, obj, f"container {c.get('name')} sets {INSECURE_ENV}: no overlay runs without "
                               "TLS and authentication, dev included")
                for source in c.get("envFrom") or []:
                    ref = (source.get("configMapRef") or {}).get("name")
                    cm = next((x for x in self.of_kind("ConfigMap") if x["metadata"]["name"] == ref), None)
                    self.check(INSECURE_ENV not in ((cm or {}).get("data") or {}), obj,
                               f"container {c.get('name')} gets {INSECURE_ENV} from ConfigMap {ref}: no overlay "
                               "runs without TLS and authentication")
                words = [str(w) for w in (c.get("command") or []) + (c.get("args") or [])]
                for word in words:
                    flag, _, value = word.partition("=")
                    if flag in (INSECURE_FLAG, "-" + INSECURE_FLAG.lstrip("-")) and is_true(value):
                        self.check(False, obj, f"container {c.get('name')} runs with {word}: no overlay runs "
                                   "without TLS and authentication, dev included")

    def check_binary(self, dep, container):
        service = service_name_of(dep["metadata"]["name"])
        want = f"/usr/local/bin/{service}_server"
        command = container.get("command") or []
        self.check(command[:1] == [want], dep,
                   f"container {container.get('name')} runs {command}, want the service's own binary {want}")

    def check_secret_names(self, dep, env):
        """The Secret is ladder-<service>-database (what deploy/README.md tells operators to
        create), with the hash suffix of a kustomize secretGenerator where the overlay makes it."""
        want = f"{dep['metadata']['name']}-database"
        for var in ("LADDER_DATABASE_URL", "LADDER_DATABASE_PASSWORD"):
            ref = ((env.get(var) or {}).get("valueFrom") or {}).get("secretKeyRef") or {}
            name = ref.get("name")
            if name is None:
                continue  # reported by check_database_env
            self.check(name == want or re.fullmatch(re.escape(want) + r"-[a-z0-9]{10}", name), dep,
                       f"{var} comes from the Secret {name}, want {want}: each service its own database account")

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

    def check_metrics(self, dep, container, env):
        """The metrics port, its listener and the scrape annotations; returns the port number."""
        ports = [p for p in container.get("ports") or [] if p.get("name") == METRICS_PORT_NAME]
        if not self.check(len(ports) == 1, dep, f"want one container port named {METRICS_PORT_NAME}, "
                          f"found {len(ports)}: Prometheus has nothing to scrape"):
            return None
        number = ports[0].get("containerPort")
        self.check(ports[0].get("protocol", "TCP") == "TCP", dep, f"the {METRICS_PORT_NAME} port must be TCP")
        listen = (env.get("LADDER_METRICS_LISTEN") or {}).get("value")
        if self.check(listen is not None, dep, "LADDER_METRICS_LISTEN is not set: the server serves no /metrics"):
            self.check(listen == f"0.0.0.0:{number}", dep,
                       f"LADDER_METRICS_LISTEN={listen}, want 0.0.0.0:{number} (the {METRICS_PORT_NAME} "
                       "container port, on every address of the pod)")
        self.check((env.get("LADDER_LOG_FORMAT") or {}).get("value") == "json", dep,
                   "LADDER_LOG_FORMAT must be json: one object per line for the cluster's log collector")
        annotations = ((dep.get("spec") or {}).get("template") or {}).get("metadata", {}).get("annotations") or {}
        want = {"prometheus.io/scrape": "true", "prometheus.io/port": str(number), "prometheus.io/path": METRICS_PATH}
        for key, value in want.items():
            self.check(annotations.get(key) == value, dep,
                       f"pod annotation {key} is {annotations.get(key)!r}, want {value!r} (a plain "
                       "Prometheus finds the metrics port by it)")
        return number

    def check_pod_monitor(self, servers):
        monitors = self.of_kind("PodMonitor", MONITORING_API)
        if self.overlay in MONITORED_OVERLAYS:
            self.check(bool(monitors), f"overlay {self.overlay}",
                       "renders no PodMonitor: include deploy/k8s/components/prometheus-operator")
            self.check(bool(self.of_kind("PrometheusRule", MONITORING_API)), f"overlay {self.overlay}",
                       "renders no PrometheusRule: include deploy/k8s/components/prometheus-operator")
        if not monitors:
            return
        for dep in servers:
            scraped = False
            for monitor in monitors:
                spec = monitor.get("spec") or {}
                if not selects(spec.get("selector"), pod_labels(dep)):
                    continue
                for endpoint in spec.get("podMetricsEndpoints") or []:
                    if endpoint.get("port") == METRICS_PORT_NAME and endpoint.get("path", METRICS_PATH) == METRICS_PATH:
                        scraped = True
                self.check(not selects(spec.get("selector"), {**pod_labels(dep), COMPONENT: "migration"}),
                           monitor, "its selector also picks the migration Job's pods, which serve no metrics")
            self.check(scraped, dep, f"no PodMonitor scrapes its {METRICS_PORT_NAME} port at {METRICS_PATH}")
        for monitor in monitors:
            self.check((monitor.get("spec") or {}).get("jobLabel") == PART_OF, monitor,
                       f"jobLabel must be {PART_OF}: the alert rules select job=\"ladder\"")

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
        for field in ("subPath", "subPathExpr"):
            self.check(not mount.get(field), dep,
                       f"the policy mount at {policy_dir} has {field}: the kubelet would never update it")
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

    def check_services(self, dep, grpc_port, pods, metrics_port=None):
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
            if spec.get("clusterIP") == "None":
                # A headless name resolves to the pods themselves: clients connect to the port
                # they name, on each pod, with no Service in between to map it.
                self.check(ports[0].get("port") == grpc_port, svc,
                           f"headless, yet port grpc is {ports[0].get('port')}, not the container port "
                           f"{grpc_port} its clients connect to on each pod")
            self.check(ports[0].get("protocol", "TCP") == "TCP", svc, "port grpc must be TCP")
            if spec.get("clusterIP") != "None" and metrics_port is not None:
                scraped = [p for p in spec.get("ports") or [] if p.get("name") == METRICS_PORT_NAME]
                if self.check(len(scraped) == 1, svc, f"want a port named {METRICS_PORT_NAME}, has ports named {names}"):
                    target = scraped[0].get("targetPort", scraped[0].get("port"))
                    self.check(target in (METRICS_PORT_NAME, metrics_port), svc,
                               f"port {METRICS_PORT_NAME} targets {target!r}, want the container port "
                               f"{METRICS_PORT_NAME} ({metrics_port})")
            self.check(ports[0].get("appProtocol") not in ("kubernetes.io/h2c", "h2c", "http", "HTTP"), svc,
                       f"port grpc declares appProtocol {ports[0].get('appProtocol')}, cleartext: the servers "
                       "speak gRPC over TLS only, so a gateway or mesh taking it at its word would fail")

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

    def check_network_policy(self, dep, grpc_port, metrics_port=None):
        name = dep["metadata"]["name"]
        labels = pod_labels(dep)
        policies = [
            n for n in self.of_kind("NetworkPolicy", "networking.k8s.io/v1")
            if labels_match(match_labels((n.get("spec") or {}).get("podSelector")) or {}, labels)
            and "Ingress" in policy_types(n)
        ]
        if not self.check(policies, dep, "no NetworkPolicy selects its pods for Ingress: "
                          "anyone in the cluster may call it"):
            return
        if name not in CALLERS:
            self.check(False, dep, f"unknown service: add its callers to CALLERS in {os.path.basename(__file__)}")
            return
        allowed = CALLERS[name]
        seen_callers, seen_external, seen_monitoring = set(), False, False
        metrics_ports = (METRICS_PORT_NAME, metrics_port)
        for policy in policies:
            spec = policy.get("spec") or {}
            self.check("Ingress" in (spec.get("policyTypes") or []), policy, "policyTypes must include Ingress")
            for rule in spec.get("ingress") or []:
                peers = rule.get("from")
                self.check(bool(peers), policy, "an ingress rule without `from` lets every pod and address in")
                ports = rule.get("ports") or []
                if metrics_port is not None and ports and all(p.get("port") in metrics_ports for p in ports):
                    # The metrics port: Prometheus' namespace, nobody else.
                    self.check(bool(peers) and all(peer == {"namespaceSelector": {"matchLabels": MONITORING_NAMESPACE}}
                                                   for peer in peers or []), policy,
                               f"the metrics port is open to {peers}, want only the namespace selected by "
                               f"{MONITORING_NAMESPACE}")
                    seen_monitoring = seen_monitoring or bool(peers)
                    continue
                self.check(bool(ports) and all(p.get("port") in ("grpc", grpc_port) for p in ports), policy,
                           f"ingress rule ports {ports} must name only the grpc port ({grpc_port}), or only "
                           f"the {METRICS_PORT_NAME} port")
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
        if metrics_port is not None:
            self.check(seen_monitoring, dep, f"NetworkPolicy does not let the monitoring namespace "
                       f"{MONITORING_NAMESPACE} reach the {METRICS_PORT_NAME} port: nothing can scrape it")

    # --- calls between services and to the database ------------------------------------------

    def check_callees(self, dep, env):
        """LADDER_<CALLEE>_ADDRESS for each service it calls, at that service's headless Service."""
        name = dep["metadata"]["name"]
        callees = callees_of(name)
        for var in sorted(env):
            match = ADDRESS_ENV_RE.fullmatch(var or "")
            if match:
                callee = "ladder-" + match.group(1).lower().replace("_", "-")
                self.check(callee in callees, dep,
                           f"sets {var}, but {callee} is not among the services it calls "
                           f"({sorted(callees) or 'none'}, CALLERS): {callee}'s NetworkPolicy will not let it in")
        for callee in sorted(callees):
            var = address_env(callee)
            entry = env.get(var)
            if not self.check(entry is not None, dep,
                              f"{var} is not set: {service_name_of(name)}_server calls {callee} and would "
                              "call its default address on 127.0.0.1, inside its own pod"):
                continue
            value = entry.get("value")
            if not self.check(isinstance(value, str) and "valueFrom" not in entry, dep,
                              f"{var} must be a literal {DNS_SCHEME}host:port, has {entry}"):
                continue
            self.check_address(dep, var, value, callee)

    def check_address(self, dep, var, value, callee):
        """VALUE is dns:///<headless Service of CALLEE>:<CALLEE's grpc port>, reachable."""
        caller = service_name_of(dep["metadata"]["name"])
        callee_deps = [d for d in self.servers() if d["metadata"]["name"] == callee]
        _, grpc_port = self.grpc_port_of(callee_deps[0]) if callee_deps else (None, None)
        want = f"{DNS_SCHEME}{callee}-headless:{grpc_port or '<grpc port>'}"
        if not self.check(value.startswith(DNS_SCHEME), dep,
                          f"{var}={value}: want {want}, the dns scheme without an authority: "
                          f"{caller}_server balances its calls to {callee} with round_robin over "
                          "the addresses the pod's DNS gives for a headless Service"):
            return
        target = value[len(DNS_SCHEME):]
        host, _, port_text = target.rpartition(":")
        if not self.check(host and port_text.isdigit(), dep, f"{var}={value} is not {DNS_SCHEME}host:port"):
            return
        port = int(port_text)
        if not self.check(not host.startswith("127.") and host not in ("localhost", "[::1]", "0.0.0.0"), dep,
                          f"{var}={value} points inside its own pod, not at {callee}"):
            return
        self.dialed.setdefault(callee, {})[host] = f"{dep['metadata']['name']} dials it, {var}"
        namespace = dep["metadata"].get("namespace")
        service_name, _, rest = host.partition(".")
        suffixes = {""} | ({namespace, f"{namespace}.svc", f"{namespace}.svc.cluster.local"} if namespace else set())
        if not self.check(rest in suffixes, dep,
                          f"{var}={value}: want the DNS name of a headless Service of its own namespace "
                          f"({callee}-headless, {callee}-headless.{namespace}, or "
                          f"{callee}-headless.{namespace}.svc.cluster.local)"):
            return
        if not self.check(callee_deps, dep, f"calls {callee} ({var}), which the overlay does not deploy"):
            return
        callee_pods = pod_labels(callee_deps[0])
        services = [s for s in self.of_kind("Service") if s["metadata"]["name"] == service_name]
        if not self.check(services, dep, f"{var}={value}: the overlay has no Service {service_name}"):
            return
        svc = services[0]
        spec = svc.get("spec") or {}
        selector = spec.get("selector") or {}
        if not self.check(labels_match(selector, callee_pods), dep,
                          f"{var}={value}: Service {service_name} (selector {selector}) does not select "
                          f"the servers of {callee}"):
            return
        self.check(spec.get("clusterIP") == "None", dep,
                   f"{var}={value}: Service {service_name} is not headless (clusterIP "
                   f"{spec.get('clusterIP', 'assigned')}): its name resolves to one virtual address, so "
                   f"{caller}_server's round_robin channel would hold one connection to one server of "
                   f"{callee}; want {want}")
        self.check(spec.get("publishNotReadyAddresses") is not True, dep,
                   f"{var}={value}: Service {service_name} has publishNotReadyAddresses: its name would "
                   f"resolve to servers of {callee} that are not ready")
        self.check(port == grpc_port, dep,
                   f"{var}={value}: port {port}, but the servers of {callee} serve grpc on {grpc_port} "
                   "(a headless Service maps no port: the caller connects to that port on each pod)")
        self.check_reach(dep, pod_labels(dep), callee_deps[0], callee_pods, self.grpc_port_of(callee_deps[0]),
                         f"{callee}'s servers")

    def grpc_port_of(self, dep):
        for c in pod_spec(dep).get("containers") or []:
            for p in c.get("ports") or []:
                if p.get("name") == "grpc":
                    return ("grpc",), p.get("containerPort")
        return ("grpc",), None

    def network_policies(self, labels, policy_type):
        """The NetworkPolicies that select pods with LABELS for POLICY_TYPE (Kubernetes'
        reading: an empty podSelector selects every pod of the namespace)."""
        return [
            n for n in self.of_kind("NetworkPolicy", "networking.k8s.io/v1")
            if selects((n.get("spec") or {}).get("podSelector"), labels) and policy_type in policy_types(n)
        ]

    def ingress_admits(self, target_labels, source_labels, port):
        names, number = port
        policies = self.network_policies(target_labels, "Ingress")
        if not policies:
            return True
        for policy in policies:
            for rule in (policy.get("spec") or {}).get("ingress") or []:
                peers = rule.get("from")
                if (not peers or any(peer_selects_pod(p, source_labels) for p in peers)) \
                        and rule_allows_port(rule, names, number):
                    return True
        return False

    def egress_allows(self, source_labels, port, target_labels=None, protocol="TCP"):
        """Whether the egress policies of SOURCE_LABELS' pods let them reach PORT: on the pods
        with TARGET_LABELS in the namespace, or (TARGET_LABELS None: DNS, a database outside
        the cluster) on any destination some rule names."""
        names, number = port
        policies = self.network_policies(source_labels, "Egress")
        if not policies:
            return True
        for policy in policies:
            for rule in (policy.get("spec") or {}).get("egress") or []:
                peers = rule.get("to")
                reaches = (not peers or target_labels is None
                           or any(peer_selects_pod(p, target_labels) for p in peers))
                if reaches and rule_allows_port(rule, names, number, protocol):
                    return True
        return False

    def check_reach(self, source, source_labels, target, target_labels, port, what):
        """SOURCE's pods can open connections to TARGET's pods on PORT, as far as every
        NetworkPolicy on either end is concerned."""
        names, number = port
        shown = number if number is not None else "/".join(names)
        self.check(self.ingress_admits(target_labels, source_labels, port), source,
                   f"cannot reach {what} on port {shown}: no NetworkPolicy selecting the pods of "
                   f"{ident(target)} lets its pods in")
        self.check(self.egress_allows(source_labels, port, target_labels), source,
                   f"a NetworkPolicy restricts its pods' egress without allowing {what} on port {shown}")
        self.check(self.egress_allows(source_labels, ((), DNS_PORT), None, "UDP"), source,
                   f"a NetworkPolicy restricts its pods' egress without allowing DNS (port {DNS_PORT}/UDP), "
                   f"so it cannot resolve the name of {what}")

    def database_workloads(self):
        return [
            d for d in self.of_kind("StatefulSet") + self.of_kind("Deployment")
            if pod_labels(d).get(COMPONENT) == "database"
        ]

    def rendered_secret(self, env, var):
        ref = ((env.get(var) or {}).get("valueFrom") or {}).get("secretKeyRef") or {}
        secret = next((x for x in self.of_kind("Secret") if x["metadata"]["name"] == ref.get("name")), None)
        return (secret_value(secret, ref.get("key")) if secret else None), secret

    def database_service(self, host):
        """The rendered Service a database URL's host names, and the workload it selects."""
        service_name = host.split(".", 1)[0]
        svc = next((x for x in self.of_kind("Service") if x["metadata"]["name"] == service_name), None)
        if svc is None:
            return None, None
        selector = (svc.get("spec") or {}).get("selector") or {}
        workload = next((w for w in self.database_workloads() if labels_match(selector, pod_labels(w))), None)
        return svc, workload

    def check_database_url(self, dep, env):
        """Where the overlay renders the Secret: the service's own database, on the overlay's
        database, with the database's password, an account allowed to create and use it."""
        url, secret = self.rendered_secret(env, "LADDER_DATABASE_URL")
        if url is None:
            return  # prod: the Secret is made in the cluster
        service = service_name_of(dep["metadata"]["name"])
        parsed = parse_database_url(url)
        if not self.check(parsed is not None, secret, f"url {url!r} is not mysql://user@host:port/database"):
            return
        user, host, port, database = parsed
        want_db = f"ladder_{service.replace('-', '_')}"
        self.check(database == want_db, secret,
                   f"url names the database {database!r}, want {want_db!r}: each service owns its database")
        workloads = self.database_workloads()
        if not workloads:
            return  # a database outside the cluster
        svc, workload = self.database_service(host)
        if not self.check(workload is not None, secret,
                          f"url host {host!r} is no Service of the overlay's database "
                          f"{[ident(w) for w in workloads]}"):
            return
        self.check(port in [p.get("port") for p in (svc.get("spec") or {}).get("ports") or []], secret,
                   f"url port {port} is not a port of Service {svc['metadata']['name']}")
        db_container = (pod_spec(workload).get("containers") or [{}])[0]
        db_env = env_map(db_container)
        password, _ = self.rendered_secret(env, "LADDER_DATABASE_PASSWORD")
        db_user = (db_env.get("MARIADB_USER") or db_env.get("MYSQL_USER") or {}).get("value")
        if db_user is None:
            return  # not an image this test knows the accounts of
        if user == db_user:
            db_password, _ = self.rendered_secret(db_env, "MARIADB_PASSWORD" if "MARIADB_USER" in db_env
                                                  else "MYSQL_PASSWORD")
            self.check(password == db_password, secret,
                       f"password differs from the one {ident(workload)} creates the account {user!r} with")
        initial_db = (db_env.get("MARIADB_DATABASE") or db_env.get("MYSQL_DATABASE") or {}).get("value")
        granted = user == db_user and database == initial_db
        for pattern, privileges in self.database_grants(workload, user):
            if like_matches(pattern, database) and re.search(r"\bALL\b|\bCREATE\b", privileges, re.I):
                granted = True
        self.check(granted, secret,
                   f"the account {user!r} may not create the database {database!r}: grant it in the init "
                   f"scripts of {ident(workload)} (overlays/dev/mariadb-init/)")

    def database_grants(self, workload, user):
        """(database pattern, privileges) of the GRANTs to USER in the init scripts mounted at
        DB_INIT_DIR."""
        container = (pod_spec(workload).get("containers") or [{}])[0]
        mount = next((m for m in container.get("volumeMounts") or [] if m.get("mountPath") == DB_INIT_DIR), None)
        if mount is None:
            return []
        volume = next((v for v in pod_spec(workload).get("volumes") or [] if v.get("name") == mount.get("name")), {})
        cm_name = (volume.get("configMap") or {}).get("name")
        cm = next((c for c in self.of_kind("ConfigMap") if c["metadata"]["name"] == cm_name), None)
        grants = []
        for text in ((cm or {}).get("data") or {}).values():
            text = re.sub(r"--[^\n]*", "", text)
            for privileges, pattern, grantee in GRANT_RE.findall(text):
                if grantee == user:
                    grants.append((pattern, privileges))
        return grants

    def check_database_reach(self, obj, what, labels):
        """The server's or migration Job's pods can reach their database."""
        env = env_map((pod_spec(obj).get("containers") or [{}])[0])
        url, _ = self.rendered_secret(env, "LADDER_DATABASE_URL")
        parsed = parse_database_url(url) if url else None
        if parsed is not None and self.database_workloads():
            svc, workload = self.database_service(parsed[1])
            if svc is None or workload is None:
                return  # reported by check_database_url
            port = next((p for p in (svc.get("spec") or {}).get("ports") or [] if p.get("port") == parsed[2]), None)
            if port is None:
                return
            target = port.get("targetPort", port.get("port"))
            number = target if isinstance(target, int) else next(
                (p.get("containerPort") for c in pod_spec(workload).get("containers") or []
                 for p in c.get("ports") or [] if p.get("name") == target), None)
            names = (target,) if isinstance(target, str) else ()
            self.check_reach(obj, labels, workload, pod_labels(workload), (names, number),
                             f"its database ({svc['metadata']['name']})")
        else:
            # A database outside the cluster, at an address the test cannot read: its egress
            # must at least allow MySQL's port somewhere, and DNS.
            self.check(self.egress_allows(labels, ((), MYSQL_PORT)), obj,
                       f"a NetworkPolicy restricts the {what}'s egress without allowing its database "
                       f"(port {MYSQL_PORT}/TCP)")
            self.check(self.egress_allows(labels, ((), DNS_PORT), None, "UDP"), obj,
                       f"a NetworkPolicy restricts the {what}'s egress without allowing DNS (port {DNS_PORT}/UDP)")

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


PERSONNEL = "ladder-personnel"
EVALUATION = "ladder-evaluation"
CAREERPATH = "ladder-careerpath"


def _server(docs, app=PERSONNEL):
    return next(d for d in docs if d.get("kind") == "Deployment" and d["metadata"]["name"] == app
                and (d["metadata"].get("labels") or {}).get(COMPONENT) == "server")


def _container(docs, app=PERSONNEL):
    return pod_spec(_server(docs, app))["containers"][0]


def _kind(docs, kind, app=PERSONNEL):
    """The first object of KIND labelled app.kubernetes.io/name=APP."""
    return next(d for d in docs if d.get("kind") == kind and (d["metadata"].get("labels") or {}).get(NAME) == app)


def _named(docs, kind, prefix):
    """The object of KIND whose name is PREFIX, or PREFIX and a generator's hash."""
    return next(d for d in docs if d.get("kind") == kind
                and re.fullmatch(re.escape(prefix) + r"(-[a-z0-9]{10})?", d["metadata"]["name"]))


def _env(docs, name, app=PERSONNEL):
    return next(e for e in _container(docs, app)["env"] if e["name"] == name)


def _drop_env(docs, name, app):
    container = _container(docs, app)
    container["env"] = [e for e in container["env"] if e["name"] != name]


def _set_secret(docs, prefix, key, value):
    _named(docs, "Secret", prefix)["data"][key] = base64.b64encode(value.encode()).decode()


def _drop_peer(docs, app, caller):
    """Removes CALLER's podSelector from the ingress rules of APP's NetworkPolicy."""
    for rule in _kind(docs, "NetworkPolicy", app)["spec"]["ingress"]:
        rule["from"] = [p for p in rule["from"]
                        if ((p.get("podSelector") or {}).get("matchLabels") or {}).get(NAME) != caller]


def _add_peer(docs, app, caller):
    _kind(docs, "NetworkPolicy", app)["spec"]["ingress"][0]["from"].append(
        {"podSelector": {"matchLabels": {NAME: caller, COMPONENT: "server", PART_OF: "ladder"}}})


def _egress_policy(app, rules, component="server"):
    """A NetworkPolicy restricting the egress of APP's pods to RULES."""
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": f"{app}-{component}-egress", "labels": {NAME: app, COMPONENT: component}},
        "spec": {
            "podSelector": {"matchLabels": {NAME: app, COMPONENT: component}},
            "policyTypes": ["Egress"],
            "egress": rules,
        },
    }


EGRESS_DNS = {"to": [{"namespaceSelector": {}, "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}],
              "ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}]}
EGRESS_PERSONNEL = {"to": [{"podSelector": {"matchLabels": {NAME: PERSONNEL, COMPONENT: "server"}}}],
                    "ports": [{"port": "grpc", "protocol": "TCP"}]}
EGRESS_EVALUATION = {"to": [{"podSelector": {"matchLabels": {NAME: EVALUATION, COMPONENT: "server"}}}],
                     "ports": [{"port": "grpc", "protocol": "TCP"}]}
EGRESS_MARIADB = {"to": [{"podSelector": {"matchLabels": {NAME: "ladder-mariadb"}}}],
                  "ports": [{"port": 3306, "protocol": "TCP"}]}
EGRESS_EXTERNAL_DB = {"to": [{"ipBlock": {"cidr": "10.20.0.0/16"}}], "ports": [{"port": 3306, "protocol": "TCP"}]}


def _restrict_egress(docs, app, rules, component="server"):
    docs.append(_egress_policy(app, rules, component))


PERSONNEL_HEALTH = "ladder.personnel.v1.PersonnelService"


def _probe_command(docs, kind, app=PERSONNEL):
    return _container(docs, app)[kind]["exec"]["command"]


def _set_probe_flag(docs, kind, flag, value, app=PERSONNEL):
    """Sets FLAG=VALUE on the ladder_health command line of the probe KIND."""
    command = _probe_command(docs, kind, app)
    command[:] = [w for w in command if not w.startswith(flag + "=")] + [f"{flag}={value}"]


def _drop_probe_flag(docs, kind, flag, app=PERSONNEL):
    command = _probe_command(docs, kind, app)
    command[:] = [w for w in command if not w.startswith(flag + "=")]


def _mount(docs, volume, app=PERSONNEL):
    return next(m for m in _container(docs, app)["volumeMounts"] if m["name"] == volume)


def _volume(docs, volume, app=PERSONNEL):
    return next(v for v in pod_spec(_server(docs, app))["volumes"] if v["name"] == volume)


def _tls_by_subpath(docs, app=PERSONNEL):
    """Mounts each file of the TLS Secret on its own with subPath, as if to keep the folder."""
    container = _container(docs, app)
    tls = _mount(docs, "tls", app)
    container["volumeMounts"].remove(tls)
    for key in TLS_ENV.values():
        container["volumeMounts"].append(
            {"name": "tls", "mountPath": f"{tls['mountPath']}/{key}", "subPath": key, "readOnly": True})


def _self_signed(cn, names, days=365):
    """(certificate, key) of a fresh self-signed EC P-256 certificate with these SAN entries."""
    work = tempfile.mkdtemp(prefix="ladder-k8s-rules-cert-")
    try:
        subprocess.run(
            [OPENSSL.path or "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
             "-nodes", "-keyout", f"{work}/key.pem", "-out", f"{work}/cert.pem", "-days", str(days),
             "-subj", f"/CN={cn}", "-addext", "subjectAltName=" + ",".join(names),
             "-addext", "extendedKeyUsage=serverAuth,clientAuth",
             "-addext", "basicConstraints=critical,CA:TRUE"],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with open(f"{work}/cert.pem", encoding="utf-8") as c, open(f"{work}/key.pem", encoding="utf-8") as k:
            return c.read(), k.read()
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _replace_tls(docs, app, cn, names, days=365, ca_too=True):
    """Gives APP's rendered TLS Secret a self-signed certificate (and, with CA_TOO, trusts only it)."""
    cert, key = _self_signed(cn, names, days)
    _set_secret(docs, f"{app}-tls", "tls.crt", cert)
    _set_secret(docs, f"{app}-tls", "tls.key", key)
    if ca_too:
        _set_secret(docs, f"{app}-tls", "ca.crt", cert)


def _dev_names(service, namespace="ladder-dev"):
    app = f"ladder-{service}"
    return ["DNS:localhost", "IP:127.0.0.1", f"DNS:{app}", f"DNS:{app}-headless",
            f"DNS:{app}.{namespace}.svc", f"DNS:{app}-headless.{namespace}.svc"]


def _secret_text(docs, prefix, key):
    return secret_value(_named(docs, "Secret", prefix), key)


MUTATIONS = [
    ("readiness probe removed", "prod", lambda d: _container(d).pop("readinessProbe"), "no readinessProbe"),
    ("liveness probe over HTTP", "prod",
     lambda d: _container(d).update(livenessProbe={"httpGet": {"port": 50051, "path": "/"}}), "must be an exec probe"),
    ("readiness back on the native grpc probe", "prod",
     lambda d: _container(d).update(readinessProbe={"grpc": {"port": 50051, "service": PERSONNEL_HEALTH}}),
     "cannot present"),
    ("readiness on the wrong port", "prod",
     lambda d: _set_probe_flag(d, "readinessProbe", "--target", "127.0.0.1:50052"), "not on the grpc container port"),
    ("readiness on the server as a whole", "prod",
     lambda d: _set_probe_flag(d, "readinessProbe", "--service", ""), "readinessProbe --service=''"),
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
    ("metrics port removed", "prod",
     lambda d: _container(d)["ports"].pop(1), "container port named metrics"),
    ("metrics on loopback only", "prod",
     lambda d: _env(d, "LADDER_METRICS_LISTEN").update(value="127.0.0.1:9090"), "LADDER_METRICS_LISTEN"),
    ("logfmt logs in the cluster", "prod",
     lambda d: _env(d, "LADDER_LOG_FORMAT").update(value="logfmt"), "LADDER_LOG_FORMAT"),
    ("scrape annotation on the gRPC port", "prod",
     lambda d: _server(d)["spec"]["template"]["metadata"]["annotations"].update({"prometheus.io/port": "50051"}),
     "prometheus.io/port"),
    ("Service without the metrics port", "prod",
     lambda d: _kind(d, "Service")["spec"]["ports"].pop(1), "port named metrics"),
    ("metrics port open to every pod", "prod",
     lambda d: _kind(d, "NetworkPolicy")["spec"]["ingress"][1]["from"].append({"podSelector": {}}),
     "the metrics port is open to"),
    ("metrics port closed to the monitoring namespace", "prod",
     lambda d: _kind(d, "NetworkPolicy")["spec"]["ingress"].pop(1), "monitoring namespace"),
    ("metrics port opened to callers", "prod",
     lambda d: _kind(d, "NetworkPolicy")["spec"]["ingress"][0]["ports"].append({"port": "metrics", "protocol": "TCP"}),
     "only the grpc port"),
    ("PodMonitor removed", "prod", lambda d: d.remove(_kind(d, "PodMonitor", app=None)), "renders no PodMonitor"),
    ("PrometheusRule removed", "prod", lambda d: d.remove(_kind(d, "PrometheusRule", app=None)),
     "renders no PrometheusRule"),
    ("PodMonitor on the gRPC port", "prod",
     lambda d: _kind(d, "PodMonitor", app=None)["spec"]["podMetricsEndpoints"][0].update(port="grpc"),
     "no PodMonitor scrapes"),
    ("PodMonitor without the job label", "prod",
     lambda d: _kind(d, "PodMonitor", app=None)["spec"].pop("jobLabel"), "jobLabel"),
    # evaluation: what it needs beyond personnel's rules
    ("evaluation runs the personnel binary", "prod",
     lambda d: _container(d, EVALUATION).update(command=["/usr/local/bin/personnel_server"]),
     "want the service's own binary /usr/local/bin/evaluation_server"),
    ("evaluation ready on personnel's health name", "prod",
     lambda d: _set_probe_flag(d, "readinessProbe", "--service", PERSONNEL_HEALTH, EVALUATION),
     "want the service's own health name ladder.evaluation.v1"),
    ("evaluation ready on a health name its server never reports", "prod",
     lambda d: _set_probe_flag(d, "readinessProbe", "--service", "ladder.evaluation.v1.EvaluationsService",
                               EVALUATION), "would never be ready"),
    ("evaluation without the personnel address", "prod",
     lambda d: _drop_env(d, "LADDER_PERSONNEL_ADDRESS", EVALUATION), "LADDER_PERSONNEL_ADDRESS is not set"),
    ("personnel address on loopback", "prod",
     lambda d: _env(d, "LADDER_PERSONNEL_ADDRESS", EVALUATION).update(value="dns:///127.0.0.1:50051"),
     "inside its own pod"),
    ("personnel address misspelt", "prod",
     lambda d: _env(d, "LADDER_PERSONNEL_ADDRESS", EVALUATION).update(value="dns:///ladder-personel-headless:50051"),
     "no Service ladder-personel-headless"),
    ("personnel address on the wrong port", "prod",
     lambda d: _env(d, "LADDER_PERSONNEL_ADDRESS", EVALUATION).update(
         value="dns:///ladder-personnel-headless:50052"), "port 50052"),
    ("personnel address at evaluation's own Service", "prod",
     lambda d: _env(d, "LADDER_PERSONNEL_ADDRESS", EVALUATION).update(
         value="dns:///ladder-evaluation-headless:50051"), "does not select the servers of ladder-personnel"),
    ("personnel address in another namespace", "prod",
     lambda d: _env(d, "LADDER_PERSONNEL_ADDRESS", EVALUATION).update(
         value="dns:///ladder-personnel-headless.ladder-dev:50051"), "headless Service of its own namespace"),
    ("personnel address through the ClusterIP Service", "prod",
     lambda d: _env(d, "LADDER_PERSONNEL_ADDRESS", EVALUATION).update(value="dns:///ladder-personnel:50051"),
     "Service ladder-personnel is not headless"),
    ("personnel address without the dns scheme", "prod",
     lambda d: _env(d, "LADDER_PERSONNEL_ADDRESS", EVALUATION).update(value="ladder-personnel-headless:50051"),
     "want dns:///ladder-personnel-headless:50051"),
    ("personnel address resolved by another DNS server", "prod",
     lambda d: _env(d, "LADDER_PERSONNEL_ADDRESS", EVALUATION).update(
         value="dns://10.96.0.10/ladder-personnel-headless:50051"), "without an authority"),
    ("personnel's headless Service lists servers not ready", "prod",
     lambda d: _named(d, "Service", "ladder-personnel-headless")["spec"].update(publishNotReadyAddresses=True),
     "not ready"),
    ("personnel's headless Service on another port", "prod",
     lambda d: _named(d, "Service", "ladder-personnel-headless")["spec"]["ports"][0].update(port=80),
     "headless, yet port grpc is 80"),
    ("personnel's headless Service no longer headless", "dev",
     lambda d: _named(d, "Service", "ladder-personnel-headless")["spec"].pop("clusterIP"),
     "Service ladder-personnel-headless is not headless"),
    ("personnel given an address of evaluation", "prod",
     lambda d: _container(d).setdefault("env", []).append(
         {"name": "LADDER_EVALUATION_ADDRESS", "value": "ladder-evaluation:50051"}),
     "not among the services it calls"),
    ("personnel's NetworkPolicy shuts out evaluation", "prod",
     lambda d: _drop_peer(d, PERSONNEL, EVALUATION), "cannot reach ladder-personnel's servers"),
    ("evaluation's NetworkPolicy lets in evaluation itself", "prod",
     lambda d: _add_peer(d, EVALUATION, EVALUATION), "not among its callers"),
    ("evaluation's NetworkPolicy shuts out careerpath", "prod",
     lambda d: _drop_peer(d, EVALUATION, "ladder-careerpath"), "does not let in its callers ['ladder-careerpath']"),
    ("evaluation on personnel's Secret", "prod",
     lambda d: [e["valueFrom"]["secretKeyRef"].update(name="ladder-personnel-database")
                for e in _container(d, EVALUATION)["env"] if e["name"].startswith("LADDER_DATABASE_")],
     "want ladder-evaluation-database"),
    ("evaluation's Secret missing in dev", "dev",
     lambda d: d.remove(_named(d, "Secret", "ladder-evaluation-database")), "is referenced but not rendered"),
    ("evaluation on personnel's database", "dev",
     lambda d: _set_secret(d, "ladder-evaluation-database", "url",
                           "mysql://ladder@ladder-mariadb:3306/ladder_personnel"), "want 'ladder_evaluation'"),
    ("evaluation's database host misspelt", "dev",
     lambda d: _set_secret(d, "ladder-evaluation-database", "url",
                           "mysql://ladder@ladder-mariadbx:3306/ladder_evaluation"),
     "no Service of the overlay's database"),
    ("evaluation's database password wrong", "dev",
     lambda d: _set_secret(d, "ladder-evaluation-database", "password", "other"), "password differs"),
    ("MariaDB grants only personnel's database", "dev",
     lambda d: _named(d, "ConfigMap", "ladder-mariadb-init").update(
         data={"grant.sql": "GRANT ALL PRIVILEGES ON `ladder_personnel`.* TO 'ladder'@'%';\n"}),
     "may not create the database 'ladder_evaluation'"),
    ("MariaDB's NetworkPolicy lets in personnel only", "dev",
     lambda d: _kind(d, "NetworkPolicy", "ladder-mariadb")["spec"]["ingress"][0]["from"][0]["podSelector"].update(
         matchLabels={NAME: PERSONNEL}), "cannot reach its database"),
    # careerpath: it calls personnel and evaluation, and nothing in the suite calls it
    ("careerpath runs the evaluation binary", "prod",
     lambda d: _container(d, CAREERPATH).update(command=["/usr/local/bin/evaluation_server"]),
     "want the service's own binary /usr/local/bin/careerpath_server"),
    ("careerpath ready on a health name its server never reports", "prod",
     lambda d: _set_probe_flag(d, "readinessProbe", "--service", "ladder.careerpath.v1.CareerpathService",
                               CAREERPATH), "would never be ready"),
    ("careerpath without the evaluation address", "prod",
     lambda d: _drop_env(d, "LADDER_EVALUATION_ADDRESS", CAREERPATH), "LADDER_EVALUATION_ADDRESS is not set"),
    ("careerpath without the personnel address", "dev",
     lambda d: _drop_env(d, "LADDER_PERSONNEL_ADDRESS", CAREERPATH), "LADDER_PERSONNEL_ADDRESS is not set"),
    ("careerpath's evaluation address at personnel", "prod",
     lambda d: _env(d, "LADDER_EVALUATION_ADDRESS", CAREERPATH).update(
         value="dns:///ladder-personnel-headless:50051"), "does not select the servers of ladder-evaluation"),
    ("careerpath's evaluation address through the ClusterIP Service", "prod",
     lambda d: _env(d, "LADDER_EVALUATION_ADDRESS", CAREERPATH).update(value="dns:///ladder-evaluation:50051"),
     "Service ladder-evaluation is not headless"),
    ("careerpath's personnel address without the dns scheme", "prod",
     lambda d: _env(d, "LADDER_PERSONNEL_ADDRESS", CAREERPATH).update(value="ladder-personnel:50051"),
     "want dns:///ladder-personnel-headless:50051"),
    ("evaluation given an address of careerpath", "prod",
     lambda d: _container(d, EVALUATION)["env"].append(
         {"name": "LADDER_CAREERPATH_ADDRESS", "value": "dns:///ladder-careerpath-headless:50051"}),
     "not among the services it calls"),
    ("careerpath cannot reach personnel through its NetworkPolicy", "prod",
     lambda d: _drop_peer(d, PERSONNEL, CAREERPATH),
     "Deployment ladder-careerpath: cannot reach ladder-personnel's servers"),
    ("personnel's NetworkPolicy shuts out careerpath", "dev",
     lambda d: _drop_peer(d, PERSONNEL, CAREERPATH), "does not let in its callers ['ladder-careerpath']"),
    ("careerpath cannot reach evaluation through its NetworkPolicy", "prod",
     lambda d: _drop_peer(d, EVALUATION, CAREERPATH),
     "Deployment ladder-careerpath: cannot reach ladder-evaluation's servers"),
    ("careerpath's NetworkPolicy lets in evaluation", "prod",
     lambda d: _add_peer(d, CAREERPATH, EVALUATION), "not among its callers none"),
    ("careerpath's NetworkPolicy removed", "prod",
     lambda d: d.remove(_kind(d, "NetworkPolicy", CAREERPATH)), "anyone in the cluster may call it"),
    ("careerpath's migration Job removed", "prod",
     lambda d: d.remove(_kind(d, "Job", CAREERPATH)), "want one migration Job"),
    ("careerpath on evaluation's Secret", "prod",
     lambda d: [e["valueFrom"]["secretKeyRef"].update(name="ladder-evaluation-database")
                for e in _container(d, CAREERPATH)["env"] if e["name"].startswith("LADDER_DATABASE_")],
     "want ladder-careerpath-database"),
    ("careerpath's Secret missing in dev", "dev",
     lambda d: d.remove(_named(d, "Secret", "ladder-careerpath-database")), "is referenced but not rendered"),
    ("careerpath on evaluation's database", "dev",
     lambda d: _set_secret(d, "ladder-careerpath-database", "url",
                           "mysql://ladder@ladder-mariadb:3306/ladder_evaluation"), "want 'ladder_careerpath'"),
    ("careerpath's egress without evaluation", "dev",
     lambda d: _restrict_egress(d, CAREERPATH, [EGRESS_DNS, EGRESS_PERSONNEL, EGRESS_MARIADB]),
     "egress without allowing ladder-evaluation's servers"),
    ("careerpath's egress without personnel", "dev",
     lambda d: _restrict_egress(d, CAREERPATH, [EGRESS_DNS, EGRESS_EVALUATION, EGRESS_MARIADB]),
     "egress without allowing ladder-personnel's servers"),
    ("evaluation not deployed beside careerpath", "prod",
     lambda d: d.remove(_server(d, EVALUATION)),
     "calls ladder-evaluation (LADDER_EVALUATION_ADDRESS), which the overlay does not deploy"),
    # evaluation's egress
    ("evaluation's egress without personnel", "dev",
     lambda d: _restrict_egress(d, EVALUATION, [EGRESS_DNS, EGRESS_MARIADB]),
     "egress without allowing ladder-personnel's servers"),
    ("evaluation's egress without its database", "dev",
     lambda d: _restrict_egress(d, EVALUATION, [EGRESS_DNS, EGRESS_PERSONNEL]),
     "egress without allowing its database"),
    ("evaluation's egress without DNS", "dev",
     lambda d: _restrict_egress(d, EVALUATION, [EGRESS_PERSONNEL, EGRESS_MARIADB]), "DNS"),
    ("evaluation's egress to personnel on another port", "dev",
     lambda d: _restrict_egress(d, EVALUATION, [EGRESS_DNS, EGRESS_MARIADB, dict(
         EGRESS_PERSONNEL, ports=[{"port": 8080, "protocol": "TCP"}])]),
     "egress without allowing ladder-personnel's servers"),
    ("migration Job's egress without its database", "dev",
     lambda d: _restrict_egress(d, EVALUATION, [EGRESS_DNS], "migration"), "egress without allowing its database"),
    ("evaluation's egress without the external database", "prod",
     lambda d: _restrict_egress(d, EVALUATION, [EGRESS_DNS, EGRESS_PERSONNEL]), "port 3306/TCP"),
    ("personnel not deployed beside evaluation", "prod",
     lambda d: d.remove(_server(d, PERSONNEL)), "which the overlay does not deploy"),
    # transport security: TLS files, token keys, probes over mutual TLS, no plaintext
    ("TLS Secret mounted file by file with subPath", "prod", _tls_by_subpath, "subPath"),
    ("TLS mount writable", "prod", lambda d: _mount(d, "tls").update(readOnly=False), "must be readOnly"),
    ("LADDER_TLS_CA missing", "prod", lambda d: _drop_env(d, "LADDER_TLS_CA", PERSONNEL), "LADDER_TLS_CA is not set"),
    ("LADDER_TLS_KEY missing in dev", "dev",
     lambda d: _drop_env(d, "LADDER_TLS_KEY", EVALUATION), "LADDER_TLS_KEY is not set"),
    ("LADDER_TLS_CERT naming the CA file", "prod",
     lambda d: _env(d, "LADDER_TLS_CERT").update(value="/etc/ladder/tls/ca.crt"), "want 'tls.crt'"),
    ("LADDER_TLS_CA outside the TLS mount", "prod",
     lambda d: _env(d, "LADDER_TLS_CA").update(value="/etc/ssl/certs/ca-certificates.crt"), "nothing is mounted"),
    ("TLS files from a ConfigMap", "prod",
     lambda d: _volume(d, "tls").update(secret=None, configMap={"name": "ladder-personnel-tls"}),
     "not a Secret volume"),
    ("evaluation on personnel's TLS Secret", "prod",
     lambda d: _volume(d, "tls", EVALUATION)["secret"].update(secretName="ladder-personnel-tls"),
     "want ladder-evaluation-tls"),
    ("insecure plaintext in dev", "dev",
     lambda d: _container(d).setdefault("env", []).append({"name": "LADDER_INSECURE_PLAINTEXT", "value": "1"}),
     "sets LADDER_INSECURE_PLAINTEXT"),
    ("insecure plaintext set false is still refused", "prod",
     lambda d: _container(d, CAREERPATH)["env"].append({"name": "LADDER_INSECURE_PLAINTEXT", "value": "false"}),
     "sets LADDER_INSECURE_PLAINTEXT"),
    ("insecure plaintext on the command line", "prod",
     lambda d: _container(d, EVALUATION)["command"].append("--insecure_plaintext"), "runs with --insecure_plaintext"),
    ("insecure plaintext for the migration Job", "dev",
     lambda d: pod_spec(_kind(d, "Job"))["containers"][0]["env"].append(
         {"name": "LADDER_INSECURE_PLAINTEXT", "value": "true"}), "sets LADDER_INSECURE_PLAINTEXT"),
    ("JWT keys not mounted", "prod",
     lambda d: _container(d)["volumeMounts"].remove(_mount(d, "jwt-keys")),
     "nothing is mounted at LADDER_JWT_KEYS_DIR"),
    ("JWT keys mounted with subPath", "dev",
     lambda d: _mount(d, "jwt-keys").update(subPath="ladder-k8s-dev-es256.pem"), "subPath"),
    ("JWT keys from another ConfigMap", "prod",
     lambda d: _volume(d, "jwt-keys")["configMap"].update(name="ladder-policy"), "want the ConfigMap ladder-jwt-keys"),
    ("LADDER_JWT_KEYS_DIR missing", "prod", lambda d: _drop_env(d, "LADDER_JWT_KEYS_DIR", CAREERPATH),
     "LADDER_JWT_KEYS_DIR is not set"),
    ("LADDER_JWT_ISSUER missing", "prod", lambda d: _drop_env(d, "LADDER_JWT_ISSUER", PERSONNEL),
     "LADDER_JWT_ISSUER is not set"),
    ("LADDER_JWT_AUDIENCE empty", "dev", lambda d: _env(d, "LADDER_JWT_AUDIENCE").update(value=""),
     "LADDER_JWT_AUDIENCE is not set"),
    ("dev token keys ConfigMap empty", "dev",
     lambda d: _named(d, "ConfigMap", "ladder-jwt-keys").update(data={}), "holds no <kid>.pem"),
    ("dev token key not a public key", "dev",
     lambda d: _named(d, "ConfigMap", "ladder-jwt-keys").update(
         data={"ladder-k8s-dev-es256.pem": _secret_text(d, "ladder-personnel-tls", "tls.key")}),
     "is not a PEM public key"),
    ("liveness without the client certificate", "prod",
     lambda d: _drop_probe_flag(d, "livenessProbe", "--cert"), "livenessProbe --cert=<missing>"),
    ("readiness without the client key", "dev",
     lambda d: _drop_probe_flag(d, "readinessProbe", "--key", CAREERPATH), "readinessProbe --key=<missing>"),
    ("readiness trusting another CA file", "prod",
     lambda d: _set_probe_flag(d, "readinessProbe", "--ca", "/etc/ssl/certs/ca-certificates.crt"),
     "readinessProbe --ca=/etc/ssl/certs/ca-certificates.crt"),
    ("probe run by another program", "prod",
     lambda d: _probe_command(d, "livenessProbe").__setitem__(0, "/usr/bin/grpc_health_probe"),
     "want /usr/local/bin/ladder_health"),
    ("readiness probing the Service instead of its pod", "prod",
     lambda d: _set_probe_flag(d, "readinessProbe", "--target", "ladder-personnel:50051"), "this very pod"),
    ("liveness on the service's health name", "prod",
     lambda d: _set_probe_flag(d, "livenessProbe", "--service", PERSONNEL_HEALTH), "livenessProbe --service="),
    ("probe timeout longer than the kubelet waits", "prod",
     lambda d: _container(d)["readinessProbe"].update(timeoutSeconds=1), "shorter than timeoutSeconds 1"),
    ("probe with ladder_health's default timeout", "dev",
     lambda d: _drop_probe_flag(d, "livenessProbe", "--timeout", EVALUATION), "10s (its default)"),
    ("Service declares cleartext HTTP/2", "prod",
     lambda d: _kind(d, "Service")["spec"]["ports"][0].update(appProtocol="kubernetes.io/h2c"), "cleartext"),
    # dev: the certificates the overlay renders
    ("dev Secret not of type kubernetes.io/tls", "dev",
     lambda d: _named(d, "Secret", "ladder-personnel-tls").update(type="Opaque"), "want kubernetes.io/tls"),
    ("dev Secret without ca.crt", "dev",
     lambda d: _named(d, "Secret", "ladder-personnel-tls")["data"].pop("ca.crt"), "has no key 'ca.crt'"),
    ("dev TLS Secret missing", "dev",
     lambda d: d.remove(_named(d, "Secret", "ladder-careerpath-tls")), "neither rendered by the overlay"),
    ("evaluation given personnel's certificate", "dev",
     lambda d: [_set_secret(d, "ladder-evaluation-tls", k, _secret_text(d, "ladder-personnel-tls", k))
                for k in ("tls.crt", "tls.key")], "Common Name is 'personnel', want 'evaluation'"),
    ("dev key of another certificate", "dev",
     lambda d: _set_secret(d, "ladder-personnel-tls", "tls.key", _secret_text(d, "ladder-evaluation-tls", "tls.key")),
     "tls.key is not the private key of tls.crt"),
    ("dev certificate without its headless name", "dev",
     lambda d: _replace_tls(d, EVALUATION, "evaluation",
                            [n for n in _dev_names("evaluation") if n != "DNS:ladder-evaluation-headless"]),
     "lacks the name ladder-evaluation-headless"),
    ("dev certificate without 127.0.0.1 for the probes", "dev",
     lambda d: _replace_tls(d, PERSONNEL, "personnel", [n for n in _dev_names("personnel") if n != "IP:127.0.0.1"]),
     "lacks the name 127.0.0.1 (its probes' --target)"),
    ("dev certificate about to expire", "dev",
     lambda d: _replace_tls(d, CAREERPATH, "careerpath", _dev_names("careerpath"), days=10), "within 30 days"),
    ("personnel trusting another CA than its callers' certificates", "dev",
     lambda d: _set_secret(d, "ladder-personnel-tls", "ca.crt", _self_signed("other CA", ["DNS:other"])[0]),
     "the certificate of ladder-evaluation does not verify as a TLS client against the ca.crt of ladder-personnel"),
    ("careerpath's certificate from another CA", "dev",
     lambda d: _replace_tls(d, CAREERPATH, "careerpath", _dev_names("careerpath")),
     "the certificate of ladder-careerpath does not verify as a TLS client"),
    ("careerpath dials personnel by a name its certificate lacks", "dev",
     lambda d: _env(d, "LADDER_PERSONNEL_ADDRESS", CAREERPATH).update(
         value="dns:///ladder-personnel-headless.ladder-dev:50051"),
     "lacks the name ladder-personnel-headless.ladder-dev (ladder-careerpath dials it"),
    # prod: the cert-manager Certificates that issue the TLS Secrets
    ("cert-manager Certificate removed", "prod",
     lambda d: d.remove(_kind(d, "Certificate", CAREERPATH)), "neither rendered by the overlay nor issued"),
    ("Certificate without client auth", "prod",
     lambda d: _kind(d, "Certificate")["spec"].update(usages=["digital signature", "server auth"]),
     "usages lack 'client auth'"),
    ("Certificate with another service's name", "prod",
     lambda d: _kind(d, "Certificate", EVALUATION)["spec"].update(commonName="personnel"),
     "commonName is 'personnel', want 'evaluation'"),
    ("Certificate without the headless Service's names", "prod",
     lambda d: _kind(d, "Certificate")["spec"].update(dnsNames=[
         n for n in _kind(d, "Certificate")["spec"]["dnsNames"] if "headless" not in n]),
     "lack ladder-personnel-headless"),
    ("Certificate without 127.0.0.1 for the probes", "prod",
     lambda d: _kind(d, "Certificate", EVALUATION)["spec"].pop("ipAddresses"), "lack 127.0.0.1"),
    ("Certificate in another namespace", "prod",
     lambda d: _kind(d, "Certificate")["metadata"].update(namespace="default"), "neither rendered"),
    ("Certificate writing another Secret", "prod",
     lambda d: _kind(d, "Certificate", EVALUATION)["spec"].update(secretName="ladder-evaluation-cert"),
     "neither rendered"),
    ("Certificates from two issuers", "prod",
     lambda d: _kind(d, "Certificate", CAREERPATH)["spec"]["issuerRef"].update(name="another-ca"), "is issued by"),
    ("personnel address by a name outside its certificate", "prod",
     lambda d: _env(d, "LADDER_PERSONNEL_ADDRESS", EVALUATION).update(
         value="dns:///ladder-personnel-headless.ladder.svc.cluster.local:50051"),
     "lack ladder-personnel-headless.ladder.svc.cluster.local (ladder-evaluation dials it"),
    ("policy ConfigMap drifted", "prod",
     lambda d: next(iter([c for c in d if c.get("kind") == "ConfigMap"]))["data"].update(
         {k: v + "\n# edited\n" for k, v in
          next(iter([c for c in d if c.get("kind") == "ConfigMap"]))["data"].items()}), "differs from config/policy"),
]


# Changes that keep every rule: none may be reported (the checks must not refuse what is sound).
SOUND = [
    ("evaluation's egress restricted to what it needs", "dev",
     lambda d: _restrict_egress(d, EVALUATION, [EGRESS_DNS, EGRESS_PERSONNEL, EGRESS_MARIADB])),
    ("evaluation's and its Job's egress restricted to what they need", "prod",
     lambda d: _restrict_egress(d, EVALUATION, [EGRESS_DNS, EGRESS_PERSONNEL, EGRESS_EXTERNAL_DB])
     or _restrict_egress(d, EVALUATION, [EGRESS_DNS, EGRESS_EXTERNAL_DB], "migration")),
    ("careerpath's egress restricted to what it needs", "dev",
     lambda d: _restrict_egress(d, CAREERPATH, [EGRESS_DNS, EGRESS_PERSONNEL, EGRESS_EVALUATION, EGRESS_MARIADB])),
    ("personnel address by the headless Service's name with the namespace", "prod",
     lambda d: _env(d, "LADDER_PERSONNEL_ADDRESS", EVALUATION).update(
         value="dns:///ladder-personnel-headless.ladder.svc:50051")),
    ("careerpath's evaluation address with the namespace", "dev",
     lambda d: _env(d, "LADDER_EVALUATION_ADDRESS", CAREERPATH).update(
         value="dns:///ladder-evaluation-headless.ladder-dev.svc:50051")),
    ("probes on localhost, flags as separate words", "dev",
     lambda d: _probe_command(d, "readinessProbe").__setitem__(slice(1, None), [
         "--target", "localhost:50051", "--service", PERSONNEL_HEALTH, "--ca", "/etc/ladder/tls/ca.crt",
         "--cert", "/etc/ladder/tls/tls.crt", "--key", "/etc/ladder/tls/tls.key", "--timeout", "2s"])),
    ("a startup probe like the liveness probe", "prod",
     lambda d: _container(d, EVALUATION).update(startupProbe=dict(
         copy.deepcopy(_container(d, EVALUATION)["livenessProbe"]), failureThreshold=30))),
    ("TLS Secret mounted with its files named by items", "prod",
     lambda d: _volume(d, "tls", CAREERPATH)["secret"].update(
         items=[{"key": k, "path": k} for k in ("tls.crt", "tls.key", "ca.crt")])),
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
    for title, overlay, mutate in SOUND:
        docs = copy.deepcopy(rendered[overlay])
        mutate(docs)
        failures, _ = check_overlay(overlay, docs)
        if failures:
            failed += 1
            print(f"FAIL - sound change refused: {title} ({failures})")
        else:
            print(f"ok - sound change accepted: {title}")
    total = len(MUTATIONS) + len(SOUND)
    print(f"{total - failed} passed, {failed} failed")
    return 1 if failed else 0


def main(argv):
    overlays = k8s_render.overlays()
    rendered = {}
    for overlay in overlays:
        try:
            rendered[overlay] = [d for d in yaml.safe_load_all(k8s_render.render(overlay)) if d]
            # The overlay's cert-manager Certificates, applied apart from it (prod), are
            # checked with it: they make the TLS Secrets its servers mount.
            if os.path.isfile(os.path.join(k8s_render.OVERLAYS_DIR, overlay, CERT_MANAGER_DIR, "kustomization.yaml")):
                rendered[overlay] += [d for d in yaml.safe_load_all(
                    k8s_render.render(f"{overlay}/{CERT_MANAGER_DIR}")) if d]
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
