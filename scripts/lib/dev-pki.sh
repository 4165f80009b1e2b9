#!/usr/bin/env bash
# Creates the development PKI of the suite under DIR with the openssl command line:
#
#   scripts/lib/dev-pki.sh DIR
#
#   DIR/ca.crt DIR/ca.key                  the development CA
#   DIR/<svc>.crt DIR/<svc>.key            for personnel, evaluation and careerpath: CN=<svc>,
#                                          SAN localhost, 127.0.0.1, ladder-<svc>,
#                                          ladder-<svc>-headless and both .ladder.svc names;
#                                          EKU serverAuth and clientAuth (one certificate
#                                          serves as the server's and as its client identity)
#   DIR/rogue-ca.crt DIR/rogue-ca.key      a second, untrusted CA
#   DIR/rogue.crt DIR/rogue.key            CN=careerpath signed by the rogue CA: what a
#                                          server must refuse
#   DIR/stranger.crt DIR/stranger.key      CN=stranger signed by the real CA: a certificate
#                                          of the suite's CA that names no service
#   DIR/jwt/public/ladder-dev-es256.pem    DIR/jwt/private/ladder-dev-es256.key  (EC P-256)
#   DIR/jwt/public/ladder-dev-rs256.pem    DIR/jwt/private/ladder-dev-rs256.key  (RSA 2048)
#   DIR/jwt/rogue/ladder-dev-es256.key     another EC P-256 key: same kid, wrong signature
#
# Certificates are valid 825 days; private keys are PKCS#8 PEM, mode 0600. Only what is
# missing or no longer usable is made: a certificate whose key, issuer or remaining validity
# (under 30 days) does not fit is issued again, and a new CA re-issues everything it signs.
# So scripts run it before every start, and a run that changes nothing leaves every file
# as it was. Runs of the same DIR take turns (a lock on DIR).
#
# For development and tests only: the CA key lies beside the certificates it signs.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

readonly VALID_DAYS=825
readonly RENEW_SECONDS=$((30 * 24 * 3600))
readonly SERVICES=(personnel evaluation careerpath)
readonly ORGANIZATION="Ladder development"

usage() {
  echo "usage: $0 DIR   (creates the development PKI under DIR; see the header of $0)" >&2
  exit 2
}

# --- keys ----------------------------------------------------------------------------------

# new_key FILE ec|rsa: a fresh PKCS#8 private key, written whole or not at all.
new_key() {
  local file="$1" type="$2" tmp="$WORK/key.$RANDOM"
  local -a algorithm
  case "$type" in
    ec) algorithm=(-algorithm EC -pkeyopt ec_paramgen_curve:P-256 -pkeyopt ec_param_enc:named_curve) ;;
    rsa) algorithm=(-algorithm RSA -pkeyopt rsa_keygen_bits:2048) ;;
    *) die "new_key: unknown key type $type" ;;
  esac
  (umask 077 && openssl genpkey "${algorithm[@]}" -out "$tmp" 2>/dev/null) ||
    die "openssl could not generate a $type key for $file"
  chmod 0600 "$tmp"
  mv -f "$tmp" "$file"
  log "created $(relative "$file")"
}

# True when FILE holds a private key openssl can read.
key_readable() {
  [[ -s "$1" ]] && openssl pkey -in "$1" -noout 2>/dev/null
}

# The public key of a private key, or of a certificate, as PEM on stdout.
public_of_key() { openssl pkey -in "$1" -pubout 2>/dev/null; }
public_of_cert() { openssl x509 -in "$1" -noout -pubkey 2>/dev/null; }

# --- certificates --------------------------------------------------------------------------

# cert_usable CERT KEY CA_CERT: CERT exists, belongs to KEY, chains to CA_CERT and has more
# than the renewal margin left.
cert_usable() {
  local cert="$1" key="$2" ca="$3" cert_public key_public
  [[ -s "$cert" ]] && key_readable "$key" || return 1
  cert_public="$(public_of_cert "$cert")" || return 1
  key_public="$(public_of_key "$key")" || return 1
  [[ -n "$cert_public" && "$cert_public" == "$key_public" ]] || return 1
  openssl verify -CAfile "$ca" "$cert" >/dev/null 2>&1 || return 1
  openssl x509 -in "$cert" -noout -checkend "$RENEW_SECONDS" >/dev/null 2>&1
}

# write_config FILE SERVICE_NAME: the openssl configuration used for requests and
# extensions. One file holds the CA's and the leaf's extensions; SERVICE_NAME fills the SANs.
# Every key is EC P-256: with ECDHE a leaf key only ever signs, so digitalSignature is its
# whole key usage.
write_config() {
  local file="$1" svc="$2"
  cat >"$file" <<EOF
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
subjectAltName = DNS:localhost, IP:127.0.0.1, DNS:ladder-$svc, DNS:ladder-$svc-headless, DNS:ladder-$svc.ladder.svc, DNS:ladder-$svc-headless.ladder.svc
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
EOF
}

# A random positive 128-bit serial: certificates re-issued by one CA must not share one.
serial() { printf '0x%s' "$(openssl rand -hex 16)"; }

# ensure_ca NAME COMMON_NAME: DIR/NAME.crt and DIR/NAME.key as a self-signed CA. What an
# earlier CA signed no longer verifies against a new one, so ensure_leaf re-issues it.
ensure_ca() {
  local name="$1" cn="$2" cert="$DIR/$1.crt" key="$DIR/$1.key" config="$WORK/ca.cnf" tmp
  if cert_usable "$cert" "$key" "$cert"; then
    return 0
  fi
  key_readable "$key" || new_key "$key" ec
  write_config "$config" none
  tmp="$WORK/ca.crt"
  openssl req -x509 -new -key "$key" -sha256 -days "$VALID_DAYS" -set_serial "$(serial)" \
    -subj "/O=$ORGANIZATION/CN=$cn" -config "$config" -extensions ca_ext -out "$tmp" \
    >/dev/null 2>"$WORK/openssl.err" ||
    die "openssl could not create $cert: $(cat "$WORK/openssl.err")"
  chmod 0644 "$tmp"
  mv -f "$tmp" "$cert"
  log "created $(relative "$cert") ($cn, valid $VALID_DAYS days)"
}

# ensure_leaf FILE_STEM COMMON_NAME SAN_SERVICE CA_NAME: DIR/FILE_STEM.crt/.key signed by
# DIR/CA_NAME, issued again when it no longer fits (see cert_usable).
ensure_leaf() {
  local stem="$1" cn="$2" svc="$3" ca="$4"
  local cert="$DIR/$stem.crt" key="$DIR/$stem.key" config="$WORK/$stem.cnf"
  local csr="$WORK/$stem.csr" tmp="$WORK/$stem.crt"
  if cert_usable "$cert" "$key" "$DIR/$ca.crt"; then
    return 0
  fi
  key_readable "$key" || new_key "$key" ec
  write_config "$config" "$svc"
  openssl req -new -key "$key" -subj "/O=$ORGANIZATION/CN=$cn" -config "$config" -out "$csr" \
    2>"$WORK/openssl.err" || die "openssl could not make a request for $cert: $(cat "$WORK/openssl.err")"
  openssl x509 -req -in "$csr" -CA "$DIR/$ca.crt" -CAkey "$DIR/$ca.key" -set_serial "$(serial)" \
    -days "$VALID_DAYS" -sha256 -extfile "$config" -extensions leaf_ext -out "$tmp" \
    >/dev/null 2>"$WORK/openssl.err" ||
    die "openssl could not sign $cert: $(cat "$WORK/openssl.err")"
  chmod 0644 "$tmp"
  mv -f "$tmp" "$cert"
  log "created $(relative "$cert") (CN=$cn, signed by $ca.crt, valid $VALID_DAYS days)"
}

# --- JWT signing keys ----------------------------------------------------------------------

# ensure_jwt_pair KID ec|rsa: DIR/jwt/private/KID.key and its public half DIR/jwt/public/KID.pem.
ensure_jwt_pair() {
  local kid="$1" type="$2" key="$DIR/jwt/private/$1.key" pub="$DIR/jwt/public/$1.pem" tmp
  key_readable "$key" || new_key "$key" "$type"
  if [[ ! -s "$pub" ]] || [[ "$(openssl pkey -pubin -in "$pub" -pubout 2>/dev/null)" != "$(public_of_key "$key")" ]]; then
    tmp="$WORK/$kid.pem"
    public_of_key "$key" >"$tmp" || die "openssl could not derive the public key of $key"
    chmod 0644 "$tmp"
    mv -f "$tmp" "$pub"
    log "created $(relative "$pub")"
  fi
}

# The rogue key shares the kid of the real ES256 key, so a token it signs names a key the
# servers know and fails only on the signature.
ensure_rogue_jwt_key() {
  local key="$DIR/jwt/rogue/ladder-dev-es256.key" real="$DIR/jwt/private/ladder-dev-es256.key"
  if key_readable "$key" && [[ "$(public_of_key "$key")" != "$(public_of_key "$real")" ]]; then
    return 0
  fi
  new_key "$key" ec
}

relative() { printf '%s' "${1#"$DIR"/}"; }

# --- main ----------------------------------------------------------------------------------

[[ $# -eq 1 && -n "$1" && "$1" != -* ]] || usage
command -v openssl >/dev/null 2>&1 || die "openssl not found (Debian package openssl)"

mkdir -p "$1"
DIR="$(cd "$1" && pwd -P)"
exec 8<"$DIR"
flock -w 60 8 || die "another dev-pki.sh has held the lock on $DIR for 60 s"

mkdir -p "$DIR/jwt/public" "$DIR/jwt/private" "$DIR/jwt/rogue"
chmod 0700 "$DIR/jwt/private" "$DIR/jwt/rogue"
WORK="$(mktemp -d "$DIR/.dev-pki.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

ensure_ca ca "Ladder development CA"
for svc in "${SERVICES[@]}"; do
  ensure_leaf "$svc" "$svc" "$svc" ca
done
ensure_ca rogue-ca "Ladder rogue CA"
ensure_leaf rogue careerpath careerpath rogue-ca
ensure_leaf stranger stranger stranger ca

ensure_jwt_pair ladder-dev-es256 ec
ensure_jwt_pair ladder-dev-rs256 rsa
ensure_rogue_jwt_key

# Keys made by an earlier version, or copied in, get the mode too.
chmod 0600 "$DIR"/*.key "$DIR"/jwt/private/*.key "$DIR"/jwt/rogue/*.key
