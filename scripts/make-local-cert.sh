#!/usr/bin/env bash
# A self-signed TLS certificate for the docker-compose nginx (https://localhost:3443):
#   scripts/make-local-cert.sh                  localhost, 127.0.0.1 and ::1
#   scripts/make-local-cert.sh shop.test 192.168.1.20   and these names/addresses too
#   scripts/make-local-cert.sh --force ...      replace a certificate that is still valid
#   scripts/make-local-cert.sh --dir DIR ...    write to DIR instead (relative to the repository; the TLS e2e test)
# Writes deploy/certs/local.crt and deploy/certs/local.key (git-ignored). nginx reads them at each
# handshake, so a running stack serves the new certificate at once. Browsers warn about a self-signed
# certificate: accept it once, or trust deploy/certs/local.crt; curl: `curl --cacert deploy/certs/local.crt`.
# A browser that trusts it also keeps the API's HSTS for localhost, on every port: http://localhost:3000
# is then upgraded to https and fails (README, docker-compose; clear it in chrome://net-internals/#hsts).
# For local use only: the key is world-readable (nginx's worker user reads it), and it is never a
# production certificate (there, TLS ends at the load balancer or ingress).
set -euo pipefail

cd "$(dirname "$0")/.."
dir=deploy/certs

force=false
names=(localhost)
ips=(127.0.0.1 ::1)
while [[ $# -gt 0 ]]; do
  arg="$1"
  shift
  case "$arg" in
    --force) force=true ;;
    --dir)
      [[ $# -gt 0 ]] || {
        echo "make-local-cert: --dir needs a folder" >&2
        exit 2
      }
      dir="$1"
      shift
      ;;
    -h | --help)
      awk 'NR > 1 && /^#/ { print; next } NR > 1 { exit }' "$0"
      exit 0
      ;;
    -*)
      echo "make-local-cert: unknown option $arg" >&2
      exit 2
      ;;
    *)
      if [[ "$arg" =~ ^[0-9.]+$ || "$arg" == *:* ]]; then ips+=("$arg"); else names+=("$arg"); fi
      ;;
  esac
done

crt="$dir/local.crt"
key="$dir/local.key"

command -v openssl >/dev/null || {
  echo "make-local-cert: openssl is not installed" >&2
  exit 1
}

# Keep a certificate that is valid for 30 more days, unless --force.
if [[ "$force" == false && -f "$crt" && -f "$key" ]] && openssl x509 -in "$crt" -noout -checkend $((30 * 86400)) >/dev/null; then
  echo "make-local-cert: $crt is valid for 30 more days (--force replaces it)"
  exit 0
fi

san=""
for name in "${names[@]}"; do san+="${san:+,}DNS:$name"; done
for ip in "${ips[@]}"; do san+="${san:+,}IP:$ip"; done

mkdir -p "$dir"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# ECDSA P-256: small and fast to sign with; 397 days, the longest server certificate validity browsers accept.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -sha256 -days 397 \
  -subj "/CN=${names[0]}" \
  -addext "subjectAltName=$san" \
  -addext "basicConstraints=critical,CA:FALSE" \
  -addext "keyUsage=critical,digitalSignature" \
  -addext "extendedKeyUsage=serverAuth" \
  -keyout "$tmp/local.key" -out "$tmp/local.crt" 2>/dev/null
chmod 644 "$tmp/local.key" "$tmp/local.crt"
mv "$tmp/local.key" "$key"
mv "$tmp/local.crt" "$crt"
echo "make-local-cert: wrote $crt and $key for $san (valid 397 days)"
