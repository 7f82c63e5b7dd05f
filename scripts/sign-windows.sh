#!/usr/bin/env bash
# Signs a Windows program or installer with osslsigncode (Authenticode).
# A release passes its certificate through the environment, never the repo:
#   SHARDKEEPER_SIGN_PKCS12=cert.pfx SHARDKEEPER_SIGN_PASSWORD=...   or
#   SHARDKEEPER_SIGN_CERT=cert.pem SHARDKEEPER_SIGN_KEY=key.pem
#   SHARDKEEPER_SIGN_TIMESTAMP_URL=http://timestamp.example (optional)
# Without them it signs with a throwaway self-signed test certificate made
# here, in TESTCERT_DIR (out/windows/testcert): good for tests, trusted by no
# one. Usage: scripts/sign-windows.sh IN OUT
set -euo pipefail
in=$1 out=$2
args=(-h sha256 -n Shardkeeper)
if [ -n "${SHARDKEEPER_SIGN_PKCS12:-}" ]; then
  args+=(-pkcs12 "$SHARDKEEPER_SIGN_PKCS12" -pass "${SHARDKEEPER_SIGN_PASSWORD:-}")
elif [ -n "${SHARDKEEPER_SIGN_CERT:-}" ]; then
  args+=(-certs "$SHARDKEEPER_SIGN_CERT" -key "${SHARDKEEPER_SIGN_KEY:?SHARDKEEPER_SIGN_KEY must name the certificate key}")
else
  dir=${TESTCERT_DIR:-out/windows/testcert}
  if [ ! -s "$dir/cert.pem" ]; then
    mkdir -p "$dir"
    openssl req -x509 -newkey rsa:3072 -nodes -sha256 -days 30 \
      -subj "/CN=Shardkeeper test signing (not trusted)" \
      -addext "extendedKeyUsage=codeSigning" \
      -keyout "$dir/key.pem" -out "$dir/cert.pem" 2>/dev/null
  fi
  args+=(-certs "$dir/cert.pem" -key "$dir/key.pem")
fi
[ -z "${SHARDKEEPER_SIGN_TIMESTAMP_URL:-}" ] || args+=(-t "$SHARDKEEPER_SIGN_TIMESTAMP_URL")
rm -f "$out"
osslsigncode sign "${args[@]}" -in "$in" -out "$out" >/dev/null
