#!/usr/bin/env bash
# deploy/check.sh: build and run the production stack once, end to end, from Debian's packages.
#
#   sudo deploy/check.sh            # from a checkout; needs root (dockerd, mmdebstrap)
#
# 1. Installs what is missing (docker.io, docker-compose, mmdebstrap) and starts dockerd if no
#    daemon answers (and stops it at the end).
# 2. Builds a Debian 12 base image with mmdebstrap + `docker import` (python3, venv), builds the
#    project's image on it (Dockerfile's BASE_IMAGE), and PostgreSQL, Redis and nginx images from
#    Debian's packages on it (deploy/check/base.Dockerfile): no image from a registry.
# 3. Writes a settings file, secrets (a database password with @ / : in it) and a self-signed
#    certificate under var/deploy-check/, and starts docker-compose.yml with the override
#    deploy/check/compose.check.yml (only the proxy publishes a port: 127.0.0.1:18443).
# 4. Waits for every healthcheck, creates a token, uploads a small file over TLS through the
#    proxy (18 months of one series), confirms it, sees it published and reads it back; checks that the proxy
#    is the only way in and that a forged X-Forwarded-Proto from inside is not believed.
# 5. Stops and removes the containers, volumes, network and images it made (IPI_CHECK_KEEP=1
#    keeps them to look around).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
WORK=$ROOT/var/deploy-check
PROJECT=ipicheck
SUITE=bookworm
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
HOST=ipi.check.test
PORT=${IPI_CHECK_PORT:-18443}
BASE=ipi-check/debian:$SUITE
START=$(date +%s)
STARTED_DOCKERD=""

log() { printf '[check %4ss] %s\n' "$(($(date +%s) - START))" "$*"; }
fail() { log "FAILED: $*"; exit 1; }

mkdir -p "$WORK"
: >"$WORK/build.log"

# --- 1. tools and the daemon -----------------------------------------------------------------
missing=()
command -v dockerd >/dev/null || missing+=(docker.io)
command -v mmdebstrap >/dev/null || missing+=(mmdebstrap)
if ! docker compose version >/dev/null 2>&1 && ! command -v docker-compose >/dev/null; then
    missing+=(docker-compose)
fi
if ((${#missing[@]})); then
    log "installing ${missing[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi
if docker compose version >/dev/null 2>&1; then COMPOSE=(docker compose); else COMPOSE=(docker-compose); fi

if ! docker info >/dev/null 2>&1; then
    log "starting dockerd (log: var/deploy-check/dockerd.log)"
    dockerd >"$WORK/dockerd.log" 2>&1 &
    STARTED_DOCKERD=$!
    for _ in $(seq 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
    docker info >/dev/null 2>&1 || fail "dockerd did not start: see var/deploy-check/dockerd.log"
fi

export COMPOSE_PROJECT_NAME=$PROJECT IPI_VERSION=check IPI_HTTPS_PORT=127.0.0.1:$PORT \
    IPI_HTTP_PORT=127.0.0.1:$((PORT + 1)) IPI_ENV_FILE=$WORK/app.env IPI_SECRETS_DIR=$WORK/secrets
compose() { "${COMPOSE[@]}" -f docker-compose.yml -f deploy/check/compose.check.yml "$@"; }

cleanup() {
    status=$?
    if [ -z "${IPI_CHECK_KEEP:-}" ]; then
        log "removing the stack, its volumes and images"
        compose logs --no-color >"$WORK/compose.log" 2>&1 || true
        compose down --volumes --remove-orphans >/dev/null 2>&1 || true
        docker rmi -f ipi-exchange:check ipi-check/postgres:$SUITE ipi-check/redis:$SUITE \
            ipi-check/proxy:$SUITE "$BASE" >/dev/null 2>&1 || true
    fi
    if [ -n "$STARTED_DOCKERD" ] && [ -z "${IPI_CHECK_KEEP:-}" ]; then
        log "stopping the dockerd this check started"
        kill "$STARTED_DOCKERD" && wait "$STARTED_DOCKERD" 2>/dev/null || true
    fi
    if [ "$status" = 0 ]; then log "PASSED in $(($(date +%s) - START)) s"; fi
    exit "$status"
}
trap cleanup EXIT

# --- 2. images from Debian's packages --------------------------------------------------------
log "building the base image $BASE with mmdebstrap ($MIRROR)"
# The base trusts what this machine trusts: certificate authorities added here (a company's or a
# sandbox's TLS-inspecting proxy) go into the image, and pip reads the system's bundle.
hooks=()
if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
    hooks=(--customize-hook='copy-in /usr/local/share/ca-certificates /usr/local/share'
        --customize-hook='chroot "$1" update-ca-certificates >/dev/null')
fi
mmdebstrap --quiet --variant=minbase --include=python3,python3-venv,ca-certificates,passwd \
    "${hooks[@]}" "$SUITE" - "$MIRROR" \
    2>>"$WORK/build.log" | docker import --change 'CMD ["/bin/bash"]' \
        --change 'ENV PIP_CERT=/etc/ssl/certs/ca-certificates.crt' - "$BASE" >/dev/null
log "building the project's image on it (BASE_IMAGE=$BASE)"
docker build -q --build-arg "BASE_IMAGE=$BASE" -t ipi-exchange:check . >/dev/null 2>>"$WORK/build.log" \
    || fail "building the image: var/deploy-check/build.log"
for target in postgres redis proxy; do
    log "building ipi-check/$target:$SUITE from Debian's packages"
    docker build -q --build-arg "BASE_IMAGE=$BASE" -f deploy/check/base.Dockerfile \
        --target "$target" -t "ipi-check/$target:$SUITE" deploy/check >/dev/null 2>>"$WORK/build.log" \
        || fail "building $target: var/deploy-check/build.log"
done

# --- 3. settings, secrets, certificate -------------------------------------------------------
mkdir -p "$WORK/secrets/tls"
cat >"$WORK/app.env" <<ENV
ALLOWED_HOSTS=$HOST
CSRF_TRUSTED_ORIGINS=https://$HOST
ENV
python3 -c "import secrets; print(secrets.token_urlsafe(50))" >"$WORK/secrets/secret_key"
# @ / : in the password: the URL settings.py builds must still name the right server.
printf 'p@ss/w:rd-%s\n' "$(python3 -c 'import secrets; print(secrets.token_hex(8))')" \
    >"$WORK/secrets/postgres_password"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$HOST" \
    -addext "subjectAltName=DNS:$HOST" -keyout "$WORK/secrets/tls/privkey.pem" \
    -out "$WORK/secrets/tls/fullchain.pem" 2>/dev/null
# Readable by the application's user (uid 10001); compose hands file secrets as bind mounts.
chown 10001:10001 "$WORK/secrets/secret_key" "$WORK/secrets/postgres_password"
chmod 0400 "$WORK/secrets/secret_key" "$WORK/secrets/postgres_password" "$WORK/secrets/tls/privkey.pem"

# --- 4. the stack ----------------------------------------------------------------------------
log "starting the stack (${COMPOSE[*]})"
compose down --volumes --remove-orphans >/dev/null 2>&1 || true
compose up -d --no-build >"$WORK/up.log" 2>&1 || { cat "$WORK/up.log"; fail "compose up"; }

SERVICES=(postgres redis web worker adjustment webhooks beat proxy)
log "waiting for the healthchecks of ${SERVICES[*]}"
deadline=$(($(date +%s) + 600))
while :; do
    unhealthy=()
    for service in "${SERVICES[@]}"; do
        id=$(compose ps -q "$service")
        state=$([ -n "$id" ] && docker inspect -f '{{.State.Health.Status}}' "$id" 2>/dev/null || echo none)
        [ "$state" = healthy ] || unhealthy+=("$service:$state")
    done
    ((${#unhealthy[@]} == 0)) && break
    (($(date +%s) < deadline)) || { compose ps; compose logs --tail 50; fail "not healthy: ${unhealthy[*]}"; }
    sleep 5
done
migrate=$(docker inspect -f '{{.State.ExitCode}}' "$(compose ps -q migrate)")
[ "$migrate" = 0 ] || fail "the migrate service exited $migrate"
log "every healthcheck passes; migrate exited 0"

[ "$(docker port "$(compose ps -q web)" | wc -l)" = 0 ] || fail "web publishes a port"

CURL=(curl -sS --fail-with-body --cacert "$WORK/secrets/tls/fullchain.pem" --resolve "$HOST:$PORT:127.0.0.1")
BASE_URL=https://$HOST:$PORT
json() { python3 -c "import json, sys; print(json.load(sys.stdin)$1)"; }

"${CURL[@]}" "$BASE_URL/readyz" | json '["status"]' | grep -qx ready || fail "/readyz is not ready"
log "TLS through the proxy with the generated certificate; /readyz ready"

TOKEN=$(compose exec -T web python manage.py create_token TH_OIE --name deploy-check \
    --scopes submit,read 2>/dev/null | tail -n 1 | tr -d '\r')
[ -n "$TOKEN" ] || fail "create_token printed no token"
AUTH=(-H "Authorization: Bearer $TOKEN")
log "token created for TH_OIE"

# 18 months of Thailand's manufacturing (C) in SDMX-CSV, based 2021 = 100 (the standard's
# reference year, so the series can be rebased and published).
python3 - >"$WORK/upload.csv" <<'PY'
print("DATAFLOW,FREQ,REF_AREA,ACTIVITY,ADJUSTMENT,TRANSFORMATION,TIME_PERIOD,OBS_VALUE,OBS_STATUS,NAT_BASE_PER")
values = [98.0, 102.0] * 6 + [101.0, 102.5, 103.0, 101.5, 104.0, 103.5]
for i, value in enumerate(values):
    period = f"{2021 + i // 12}-{i % 12 + 1:02d}"
    print(f"MKG:DF_IPI(1.0),M,TH,C,N,IX,{period},{value},A,2021")
PY
SUBMISSION=$("${CURL[@]}" "${AUTH[@]}" -F "file=@$WORK/upload.csv" \
    "$BASE_URL/api/v1/submissions/" | json '["id"]')
log "uploaded 18 months of M.TH.C.N.IX: submission $SUBMISSION"
status=""
for _ in $(seq 60); do
    status=$("${CURL[@]}" "${AUTH[@]}" "$BASE_URL/api/v1/submissions/$SUBMISSION/" | json '["status"]')
    case $status in
        NEEDS_CONFIRMATION)
            "${CURL[@]}" "${AUTH[@]}" -X POST "$BASE_URL/api/v1/submissions/$SUBMISSION/confirm/" >/dev/null
            log "validated with warnings; confirmed" ;;
        ACCEPTED) break ;;
        REJECTED)
            "${CURL[@]}" "${AUTH[@]}" "$BASE_URL/api/v1/submissions/$SUBMISSION/report" || true
            fail "the submission was rejected" ;;
    esac
    sleep 2
done
[ "$status" = ACCEPTED ] || fail "submission $SUBMISSION is $status, not ACCEPTED"
log "accepted"

observations=0
for _ in $(seq 60); do
    observations=$("${CURL[@]}" "${AUTH[@]}" "$BASE_URL/api/v1/data/M.TH.C.N.IX?format=csv" 2>/dev/null \
        | grep -c ',202[12]-' || true)
    ((observations > 0)) && break
    sleep 2
done
if ((observations == 0)); then
    "${CURL[@]}" "${AUTH[@]}" "$BASE_URL/api/v1/submissions/$SUBMISSION/report" || true
    fail "the series M.TH.C.N.IX was not published"
fi
"${CURL[@]}" "${AUTH[@]}" "$BASE_URL/api/v1/data/M.TH.C.N.IX?format=csv" | grep -q '2022-06' \
    || fail "the published series lacks 2022-06"
log "published and read back over TLS: $observations observations of M.TH.C.N.IX"

# Plain HTTP is only a redirect; a forged X-Forwarded-Proto from inside (not the proxy) is not
# believed: the worker container asks web directly and is sent to HTTPS.
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Host: $HOST" "http://127.0.0.1:$((PORT + 1))/api/v1/")
[ "$code" = 301 ] || fail "plain HTTP answered $code, not 301"
forged=$(compose exec -T worker python -c "
import http.client
c = http.client.HTTPConnection('web', 8000, timeout=5)
c.request('GET', '/api/v1/', headers={'Host': '$HOST', 'X-Forwarded-Proto': 'https'})
print(c.getresponse().status)" | tr -d '\r')
[ "$forged" = 301 ] || fail "web believed X-Forwarded-Proto from the worker's address ($forged)"
log "plain HTTP redirected; X-Forwarded-Proto from another container ignored (301)"
