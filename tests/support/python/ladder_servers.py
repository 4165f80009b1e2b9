"""The real Ladder servers, the test PKI and tokens, for the tests written in Python.

A test starts server binaries of the build on free loopback ports against the test MariaDB
(LADDER_TEST_MYSQL_SOCKET, _USER, _PASSWORD, as scripts/test.sh sets them), with TLS and
token checks on as deployed: each server has its own certificate of the test PKI
(LADDER_TEST_PKI_DIR, scripts/lib/dev-pki.sh) and the test token keys. The ports are read
from the servers' own log lines (event=serving, event=metrics_serving), never guessed.

Environment: LADDER_BUILD_DIR (default ./build), LADDER_TOKEN_TOOL (the ladder_token binary).
"""

import os
import re
import subprocess
import threading

import grpc

BUILD_DIR = os.environ.get("LADDER_BUILD_DIR", os.path.join(os.getcwd(), "build"))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
PKI_DIR = os.environ["LADDER_TEST_PKI_DIR"]
TOKEN_TOOL = os.environ.get("LADDER_TOKEN_TOOL", os.path.join(BUILD_DIR, "tools", "token", "ladder_token"))


def pki(name):
    return os.path.join(PKI_DIR, name)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def mint_token(subject, role="HR_ADMIN", key=None):
    """A token from the ladder_token binary, signed with the test PKI's ES256 key."""
    return subprocess.run(
        [TOKEN_TOOL, "--key=" + (key or pki("jwt/private/ladder-dev-es256.key")),
         "--kid=ladder-dev-es256", "--subject=" + subject, "--role=" + role, "--ttl=1h"],
        check=True, capture_output=True, text=True).stdout.strip()


def secure_channel(address, token):
    """TLS verified with the test CA, and the token on every call, as a client is told to."""
    credentials = grpc.ssl_channel_credentials(root_certificates=read(pki("ca.crt")))
    if token:
        credentials = grpc.composite_channel_credentials(
            credentials, grpc.access_token_call_credentials(token))
    return grpc.secure_channel(address, credentials)


class Server:
    """One server binary (personnel, evaluation or careerpath) on a free loopback port, with
    a database of its own, <database_prefix>_<pid>_<name>, which its migrations create;
    database_options are more options of its URL ("&pool_size=4").

    Its log (stderr) is kept, line by line, in `log`: tests read what it wrote."""

    def __init__(self, name, extra=(), database_prefix="ladder_t_py", database_options=""):
        socket = os.environ["LADDER_TEST_MYSQL_SOCKET"]
        user = os.environ.get("LADDER_TEST_MYSQL_USER", "ladder")
        password = os.environ.get("LADDER_TEST_MYSQL_PASSWORD", "ladder")
        self.name = name
        self.database = "%s_%d_%s" % (database_prefix, os.getpid(), name)
        self.process = subprocess.Popen(
            [os.path.join(BUILD_DIR, "services", name, name + "_server"),
             "--listen=127.0.0.1:0",
             "--database=mysql://%s:%s@localhost/%s?socket=%s%s" % (
                 user, password, self.database, socket, database_options),
             "--policy_dir=config/policy", "--health_interval=200ms",
             # Its own certificate: its server identity and, calling the others, its client one.
             "--tls_cert=" + pki(name + ".crt"), "--tls_key=" + pki(name + ".key"),
             "--tls_ca=" + pki("ca.crt"), "--jwt_keys_dir=" + pki("jwt/public"),
             "--jwt_issuer=ladder", "--jwt_audience=ladder"] + list(extra),
            stderr=subprocess.PIPE, text=True, cwd=ROOT)
        self.log = []
        self._log_lock = threading.Lock()
        self.port = None
        self.metrics_port = None
        for line in self.process.stderr:
            self.log.append(line)
            # logfmt (event=serving ... port=N) or JSON ("msg":"serving",..."port":N).
            metrics = re.search(r'(?:event=|"msg":")metrics_serving\b.*?\bport"?[=:]"?(\d+)', line)
            if metrics:
                self.metrics_port = int(metrics.group(1))
                continue
            serving = re.search(r'(?:event=|"msg":")serving\b.*?\bport"?[=:]"?(\d+)', line)
            if serving:
                self.port = int(serving.group(1))
                break
        if self.port is None:
            raise RuntimeError("%s_server did not start:\n%s" % (name, "".join(self.log)))
        # Keep reading the log so that the server never blocks on a full pipe.
        threading.Thread(target=self._keep_log, daemon=True).start()
        self.address = "127.0.0.1:%d" % self.port

    def _keep_log(self):
        for line in self.process.stderr:
            with self._log_lock:
                self.log.append(line)

    def lines(self):
        """What the server has logged so far."""
        with self._log_lock:
            return list(self.log)

    def stop(self):
        """SIGTERM, as a deployment stops it; SIGKILL if it does not stop in time."""
        if self.process.poll() is not None:
            return self.process.returncode
        self.process.terminate()
        try:
            return self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=30)
            return "killed"

    def drop_database(self):
        """A courtesy to a shared test server; scripts/test.sh starts a fresh one."""
        client = "/usr/bin/mariadb"
        if not os.path.exists(client):
            return
        subprocess.run([client, "--no-defaults", "--socket=" + os.environ["LADDER_TEST_MYSQL_SOCKET"],
                        "-u", os.environ.get("LADDER_TEST_MYSQL_USER", "ladder"),
                        "-p" + os.environ.get("LADDER_TEST_MYSQL_PASSWORD", "ladder"),
                        "-e", "DROP DATABASE IF EXISTS " + self.database],
                       capture_output=True, timeout=60)
