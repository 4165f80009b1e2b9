"""scripts/lib/dev-pki.sh: the layout of the security contract, usable by gRPC, made once.

Runs the script into a scratch directory and checks with the openssl command line what the
servers, the tools and the tests rely on: every file, private keys PKCS#8 and mode 0600, the
service certificates (CN, SANs, both EKUs, 825 days) chaining to the CA and the rogue one
only to the rogue CA, the JWT key pairs; that a second run changes nothing and a lost CA key
re-issues what it signed; and that gRPC accepts the certificates for mutual TLS (Debian's
python3-grpcio, a server requiring client certificates) and refuses the rogue one.

Run through ctest; needs openssl and /usr/bin/python3 with python3-grpcio.
"""

import hashlib
import os
import shutil
import stat
import subprocess
import tempfile
import unittest
from concurrent import futures
from datetime import datetime

import grpc

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(ROOT, "scripts", "lib", "dev-pki.sh")
SERVICES = ("personnel", "evaluation", "careerpath")
PRIVATE_KEYS = (["ca.key", "rogue-ca.key", "rogue.key", "stranger.key"] + [s + ".key" for s in SERVICES] +
                ["jwt/private/ladder-dev-es256.key", "jwt/private/ladder-dev-rs256.key",
                 "jwt/rogue/ladder-dev-es256.key"])
CERTIFICATES = ["ca.crt", "rogue-ca.crt", "rogue.crt", "stranger.crt"] + [s + ".crt" for s in SERVICES]
PUBLIC_KEYS = ["jwt/public/ladder-dev-es256.pem", "jwt/public/ladder-dev-rs256.pem"]


def openssl(*args):
    return subprocess.run(["openssl"] + list(args), capture_output=True, text=True)


class DevPkiTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="dev_pki_test_")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def run_script(self):
        result = subprocess.run(["bash", SCRIPT, self.dir], capture_output=True, text=True, timeout=120)
        self.assertEqual(result.returncode, 0, result.stderr)
        return result

    def path(self, name):
        return os.path.join(self.dir, name)

    def fingerprints(self):
        """Content and modification time of every file, to see that nothing was rewritten."""
        state = {}
        for folder, _, files in os.walk(self.dir):
            for name in files:
                full = os.path.join(folder, name)
                with open(full, "rb") as f:
                    state[os.path.relpath(full, self.dir)] = (hashlib.sha256(f.read()).hexdigest(),
                                                              os.stat(full).st_mtime_ns)
        return state

    def verifies(self, ca, cert):
        return openssl("verify", "-CAfile", self.path(ca), self.path(cert)).returncode == 0

    def public_of(self, key):
        return openssl("pkey", "-in", self.path(key), "-pubout").stdout

    def test_layout_keys_and_certificates(self):
        self.run_script()
        expected = set(PRIVATE_KEYS + CERTIFICATES + PUBLIC_KEYS)
        self.assertEqual(set(self.fingerprints()), expected)
        for key in PRIVATE_KEYS:
            self.assertEqual(stat.S_IMODE(os.stat(self.path(key)).st_mode), 0o600, key)
            with open(self.path(key)) as f:
                self.assertTrue(f.read().startswith("-----BEGIN PRIVATE KEY-----"), key + " is not PKCS#8")
        for folder in ("jwt/private", "jwt/rogue"):
            self.assertEqual(stat.S_IMODE(os.stat(self.path(folder)).st_mode), 0o700, folder)

        for svc in SERVICES:
            cert = svc + ".crt"
            self.assertTrue(self.verifies("ca.crt", cert), cert)
            self.assertFalse(self.verifies("rogue-ca.crt", cert), cert)
            self.assertEqual(self.public_of(svc + ".key"),
                             openssl("x509", "-in", self.path(cert), "-noout", "-pubkey").stdout)
            text = openssl("x509", "-in", self.path(cert), "-noout", "-subject", "-ext",
                           "subjectAltName,extendedKeyUsage,basicConstraints").stdout
            self.assertIn("CN = %s\n" % svc, text)
            for san in ("DNS:localhost", "IP Address:127.0.0.1", "DNS:ladder-%s," % svc,
                        "DNS:ladder-%s-headless," % svc, "DNS:ladder-%s.ladder.svc," % svc,
                        "DNS:ladder-%s-headless.ladder.svc" % svc):
                self.assertIn(san, text, cert)
            self.assertIn("TLS Web Server Authentication, TLS Web Client Authentication", text)
            self.assertIn("CA:FALSE", text)
            dates = openssl("x509", "-in", self.path(cert), "-noout", "-startdate", "-enddate").stdout
            start, end = (datetime.strptime(line.split("=", 1)[1], "%b %d %H:%M:%S %Y %Z")
                          for line in dates.splitlines())
            self.assertEqual((end - start).days, 825, dates)

        self.assertTrue(self.verifies("rogue-ca.crt", "rogue.crt"))
        # A certificate of the real CA that names no service (servers must refuse its calls).
        self.assertTrue(self.verifies("ca.crt", "stranger.crt"))
        self.assertIn("CN = stranger", openssl("x509", "-in", self.path("stranger.crt"), "-noout",
                                               "-subject").stdout)
        self.assertFalse(self.verifies("ca.crt", "rogue.crt"))
        self.assertIn("CN = careerpath", openssl("x509", "-in", self.path("rogue.crt"), "-noout",
                                                 "-subject").stdout)
        self.assertIn("CA:TRUE", openssl("x509", "-in", self.path("ca.crt"), "-noout", "-ext",
                                         "basicConstraints").stdout)

        for kid, kind in (("ladder-dev-es256", "prime256v1"), ("ladder-dev-rs256", "2048 bit")):
            private = "jwt/private/%s.key" % kid
            with open(self.path("jwt/public/%s.pem" % kid)) as f:
                self.assertEqual(f.read(), self.public_of(private), kid)
            self.assertIn(kind, openssl("pkey", "-in", self.path(private), "-noout", "-text").stdout)
        rogue = "jwt/rogue/ladder-dev-es256.key"
        self.assertIn("prime256v1", openssl("pkey", "-in", self.path(rogue), "-noout", "-text").stdout)
        self.assertNotEqual(self.public_of(rogue), self.public_of("jwt/private/ladder-dev-es256.key"))

    def test_a_second_run_changes_nothing_and_a_lost_ca_key_reissues(self):
        self.run_script()
        before = self.fingerprints()
        self.run_script()
        self.assertEqual(self.fingerprints(), before)

        os.remove(self.path("ca.key"))
        os.remove(self.path("jwt/public/ladder-dev-rs256.pem"))
        self.run_script()
        after = self.fingerprints()
        self.assertEqual(set(after), set(before))
        for changed in ["ca.key", "ca.crt", "stranger.crt"] + [s + ".crt" for s in SERVICES]:
            self.assertNotEqual(after[changed][0], before[changed][0], changed)
        for svc in SERVICES:
            self.assertTrue(self.verifies("ca.crt", svc + ".crt"), svc)
            self.assertEqual(after[svc + ".key"], before[svc + ".key"], "keys are kept")
        for kept in ["rogue-ca.crt", "rogue.crt", "jwt/private/ladder-dev-rs256.key"]:
            self.assertEqual(after[kept], before[kept], kept)
        self.assertEqual(after["jwt/public/ladder-dev-rs256.pem"][0],
                         before["jwt/public/ladder-dev-rs256.pem"][0])

    def test_grpc_accepts_the_certificates_for_mutual_tls(self):
        self.run_script()

        def read(name):
            with open(self.path(name), "rb") as f:
                return f.read()

        peers = []

        def check(request, context):
            peers.append(context.auth_context().get("x509_common_name"))
            return b"\x08\x01"  # HealthCheckResponse{status: SERVING}

        server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
        server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(
            "grpc.health.v1.Health", {"Check": grpc.unary_unary_rpc_method_handler(check)}),))
        port = server.add_secure_port("127.0.0.1:0", grpc.ssl_server_credentials(
            [(read("personnel.key"), read("personnel.crt"))], root_certificates=read("ca.crt"),
            require_client_auth=True))
        server.start()
        try:
            def call(target, ca, cert):
                credentials = grpc.ssl_channel_credentials(read(ca), read(cert[:-4] + ".key"), read(cert))
                with grpc.secure_channel(target, credentials) as channel:
                    return channel.unary_unary("/grpc.health.v1.Health/Check")(b"", timeout=10)

            # The SANs serve both ways the scripts and tests dial: by IP and by name.
            for target in ("127.0.0.1:%d" % port, "localhost:%d" % port):
                self.assertEqual(call(target, "ca.crt", "evaluation.crt"), b"\x08\x01")
            self.assertEqual(peers, [[b"evaluation"], [b"evaluation"]])
            # A client certificate of the rogue CA is refused in the handshake.
            with self.assertRaises(grpc.RpcError) as raised:
                call("127.0.0.1:%d" % port, "ca.crt", "rogue.crt")
            self.assertEqual(raised.exception.code(), grpc.StatusCode.UNAVAILABLE)
            # And a client that trusts only the rogue CA does not accept the server.
            with self.assertRaises(grpc.RpcError):
                call("127.0.0.1:%d" % port, "rogue-ca.crt", "rogue.crt")
            self.assertEqual(len(peers), 2)
        finally:
            server.stop(None)


if __name__ == "__main__":
    unittest.main(verbosity=2)
