#!/usr/bin/env bash
# Makes the development PKI of the dev overlay (deploy/k8s/overlays/dev), in this folder:
#
#   ca.crt                          the CA every dev server trusts (its key is thrown away)
#   <svc>.crt <svc>.key             personnel, evaluation, careerpath: CN=<svc>, SAN localhost,
#                                   127.0.0.1, ladder-<svc>, ladder-<svc>-headless and both
#                                   .ladder-dev.svc names; EKU serverAuth and clientAuth (the
#                                   one certificate is the server's and its client identity)
#   jwt/<kid>.pem                   the public key of the dev token issuer (ConfigMap
#                                   ladder-jwt-keys)
#   jwt-signing/<kid>.key           its private key, to mint tokens for the dev cluster with
#                                   ladder_token; not deployed
#
# The dev overlay deploys these files as they are, so that `kubectl apply -k` works on a
# fresh checkout, in the way its database passwords are written in its kustomization. They
# protect nothing: never trust this CA or this token key outside a development cluster.
# Run this again (it replaces every file at once) when the rules test reports that the
# certificates are about to expire, or to change the names they carry; then commit the
# result. Scripts and tests that run servers on this machine use scripts/lib/dev-pki.sh,
# whose certificates carry the prod namespace's names instead.
#
# The CA key exists only while this runs: with it discarded, a copy of this repository can
# read the dev certificates and keys but cannot issue new ones the dev servers would trust.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"
command -v openssl >/dev/null 2>&1 || { echo "openssl not found (Debian package openssl)" >&2; exit 1; }

# The dev overlay's namespace (overlays/dev/namespace.yaml), for the .<namespace>.svc names.
readonly NAMESPACE=ladder-dev
readonly SERVICES=(personnel evaluation careerpath)
readonly JWT_KID=ladder-k8s-dev-es256
# Ten years: committed files should not need renewing every other year; the rules test
# (tests/deploy/k8s_rules_test.py) fails 30 days before they expire.
readonly VALID_DAYS=3650
readonly ORGANIZATION="Ladder development (k8s dev overlay)"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

new_ec_key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
  -pkeyopt ec_param_enc:named_curve -out "$1" 2>/dev/null; }
serial() { printf '0x%s' "$(openssl rand -hex 16)"; }

# Same profile as scripts/lib/dev-pki.sh: EC P-256 keys, which with ECDHE only ever sign,
# hence digitalSignature as the leaf's whole key usage.
cat >"$work/openssl.cnf" <<CNF
[req]
distinguished_name = dn
prompt = no
[dn]
[ca_ext]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[leaf_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth, clientAuth
subjectAltName = \${ENV::LADDER_SAN}
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
CNF

export LADDER_SAN=DNS:unused # read by the config even when ca_ext is the section used
new_ec_key "$work/ca.key"
openssl req -x509 -new -key "$work/ca.key" -sha256 -days "$VALID_DAYS" -set_serial "$(serial)" \
  -subj "/O=$ORGANIZATION/CN=Ladder dev overlay CA" -config "$work/openssl.cnf" \
  -extensions ca_ext -out "$work/ca.crt"

for svc in "${SERVICES[@]}"; do
  export LADDER_SAN="DNS:localhost, IP:127.0.0.1, DNS:ladder-$svc, DNS:ladder-$svc-headless, DNS:ladder-$svc.$NAMESPACE.svc, DNS:ladder-$svc-headless.$NAMESPACE.svc"
  new_ec_key "$work/$svc.key"
  openssl req -new -key "$work/$svc.key" -subj "/O=$ORGANIZATION/CN=$svc" \
    -config "$work/openssl.cnf" -out "$work/$svc.csr"
  openssl x509 -req -in "$work/$svc.csr" -CA "$work/ca.crt" -CAkey "$work/ca.key" \
    -set_serial "$(serial)" -days "$VALID_DAYS" -sha256 -extfile "$work/openssl.cnf" \
    -extensions leaf_ext -out "$work/$svc.crt" 2>/dev/null
done

mkdir -p "$work/jwt" "$work/jwt-signing"
new_ec_key "$work/jwt-signing/$JWT_KID.key"
openssl pkey -in "$work/jwt-signing/$JWT_KID.key" -pubout -out "$work/jwt/$JWT_KID.pem"

# Everything is made; now replace the old files together.
rm -f ./*.crt ./*.key jwt/*.pem jwt-signing/*.key
mkdir -p jwt jwt-signing
cp "$work/ca.crt" .
for svc in "${SERVICES[@]}"; do
  cp "$work/$svc.crt" "$work/$svc.key" .
done
cp "$work/jwt/$JWT_KID.pem" jwt/
cp "$work/jwt-signing/$JWT_KID.key" jwt-signing/
echo "dev overlay PKI written to $(pwd) (valid $VALID_DAYS days); commit it and re-apply the overlay"
