"""ladder_token as scripts and other systems use it, checked by another JWT implementation.

Makes a development PKI with scripts/lib/dev-pki.sh in a scratch directory, mints tokens
with the ladder_token binary and verifies them with Debian's python3-jwt (PyJWT) against the
public keys: signature, algorithm, kid, issuer, audience, times and the role claims. Also the
command line's refusals: exit status 2, a message on stderr, nothing on stdout.

Run through ctest; needs LADDER_TOKEN_TOOL (the binary) and /usr/bin/python3 with
python3-jwt and python3-cryptography.
"""

import os
import shutil
import subprocess
import tempfile
import time
import unittest

import jwt

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
TOOL = os.environ["LADDER_TOKEN_TOOL"]


class LadderTokenTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.pki = tempfile.mkdtemp(prefix="ladder_token_test_")
        subprocess.run(["bash", os.path.join(ROOT, "scripts", "lib", "dev-pki.sh"), cls.pki],
                       check=True, capture_output=True)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.pki, ignore_errors=True)

    def key(self, kid, rogue=False):
        return os.path.join(self.pki, "jwt", "rogue" if rogue else "private", kid + ".key")

    def public(self, kid):
        with open(os.path.join(self.pki, "jwt", "public", kid + ".pem"), "rb") as f:
            return f.read()

    def mint(self, *args, kid="ladder-dev-es256", key=None):
        return subprocess.run([TOOL, "--key=" + (key or self.key(kid)), "--kid=" + kid] + list(args),
                              capture_output=True, text=True, timeout=30)

    def token(self, *args, kid="ladder-dev-es256", key=None):
        result = self.mint(*args, kid=kid, key=key)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stderr, "")
        token = result.stdout.strip()
        self.assertEqual(result.stdout, token + "\n")
        return token

    def verify(self, token, kid, algorithm, **options):
        return jwt.decode(token, self.public(kid), algorithms=[algorithm], audience="ladder",
                          issuer="ladder", options={"require": ["exp", "iss", "aud", "sub"]},
                          **options)

    def assertRefused(self, result, message):
        self.assertEqual(result.returncode, 2, result.stdout + result.stderr)
        self.assertEqual(result.stdout, "")
        self.assertIn(message, result.stderr)

    def test_es256_token_verifies_with_the_public_key(self):
        before = int(time.time())
        token = self.token("--subject=dev-admin", "--role=HR_ADMIN", "--ttl=12h")
        header = jwt.get_unverified_header(token)
        self.assertEqual(header["alg"], "ES256")
        self.assertEqual(header["kid"], "ladder-dev-es256")
        claims = self.verify(token, "ladder-dev-es256", "ES256")
        self.assertEqual(claims["sub"], "dev-admin")
        self.assertEqual(claims["role"], "HR_ADMIN")
        self.assertEqual(claims["iss"], "ladder")
        self.assertEqual(claims["aud"], "ladder")
        self.assertGreaterEqual(claims["iat"], before)
        self.assertEqual(claims["nbf"], claims["iat"])
        self.assertEqual(claims["exp"] - claims["iat"], 12 * 3600)
        self.assertNotIn("counties", claims)

    def test_rs256_token_verifies_with_the_public_key(self):
        token = self.token("--subject=reports", "--role=AUDITOR", "--ttl=30m", kid="ladder-dev-rs256")
        self.assertEqual(jwt.get_unverified_header(token)["alg"], "RS256")
        claims = self.verify(token, "ladder-dev-rs256", "RS256")
        self.assertEqual(claims["exp"] - claims["iat"], 1800)

    def test_scope_claims(self):
        claims = self.verify(self.token("--subject=hr-ky", "--role=county_hr",
                                        "--counties=orgUnits/2,orgUnits/7"),
                             "ladder-dev-es256", "ES256")
        self.assertEqual(claims["role"], "COUNTY_HR")
        self.assertEqual(claims["counties"], ["orgUnits/2", "orgUnits/7"])
        claims = self.verify(self.token("--subject=sup", "--role=SUPERVISOR", "--team=teams/3",
                                        "--employee=employees/12"),
                             "ladder-dev-es256", "ES256")
        self.assertEqual((claims["team"], claims["employee"]), ("teams/3", "employees/12"))

    def test_issuer_and_audience_flags(self):
        token = self.token("--subject=s", "--role=HR_ADMIN", "--issuer=hr-portal", "--audience=ladder-prod")
        with self.assertRaises(jwt.InvalidIssuerError):
            self.verify(token, "ladder-dev-es256", "ES256")
        claims = jwt.decode(token, self.public("ladder-dev-es256"), algorithms=["ES256"],
                            audience="ladder-prod", issuer="hr-portal")
        self.assertEqual(claims["sub"], "s")

    def test_rogue_key_signs_with_the_same_kid_but_does_not_verify(self):
        token = self.token("--subject=intruder", "--role=HR_ADMIN",
                           key=self.key("ladder-dev-es256", rogue=True))
        self.assertEqual(jwt.get_unverified_header(token)["kid"], "ladder-dev-es256")
        with self.assertRaises(jwt.InvalidSignatureError):
            self.verify(token, "ladder-dev-es256", "ES256")

    def test_not_before_in_the_future(self):
        token = self.token("--subject=later", "--role=HR_ADMIN", "--not_before_in=1h")
        with self.assertRaises(jwt.ImmatureSignatureError):
            self.verify(token, "ladder-dev-es256", "ES256")
        claims = self.verify(token, "ladder-dev-es256", "ES256", leeway=3700)
        self.assertEqual(claims["nbf"] - claims["iat"], 3600)

    def test_bad_input_is_refused_with_exit_2(self):
        self.assertRefused(self.mint("--subject=s", "--role=ADMIN"), "'ADMIN' is not HR_ADMIN")
        self.assertRefused(self.mint("--subject=s", "--role=COUNTY_HR"), "COUNTY_HR needs counties")
        self.assertRefused(self.mint("--subject=s", "--role=SUPERVISOR", "--team=team-3"),
                           "is not teams/<id>")
        self.assertRefused(self.mint("--role=HR_ADMIN"), "--subject is required")
        self.assertRefused(self.mint("--subject=s", "--role=HR_ADMIN", "--ttl=0s"), "--ttl must be")
        self.assertRefused(self.mint("--subject=s", "--role=HR_ADMIN", "--ttl=soon"), "--ttl")
        self.assertRefused(self.mint("--subject=s", "--role=HR_ADMIN", "--colour=red"),
                           "unknown flag")
        self.assertRefused(self.mint("--subject=s", "--role=HR_ADMIN", kid="../ca"), "kid:")
        missing = os.path.join(self.pki, "no-such.key")
        self.assertRefused(self.mint("--subject=s", "--role=HR_ADMIN", key=missing),
                           "cannot read " + missing)
        # A certificate is not a private key; a public key neither.
        for not_a_key in (os.path.join(self.pki, "ca.crt"),
                          os.path.join(self.pki, "jwt", "public", "ladder-dev-es256.pem")):
            self.assertRefused(self.mint("--subject=s", "--role=HR_ADMIN", key=not_a_key),
                               "not a readable, unencrypted PEM private key")


if __name__ == "__main__":
    unittest.main(verbosity=2)
