#!/usr/bin/env bash
# make test-real: Feedscope's Misskey client against a real Misskey backend built from
# source, on loopback. Opt-in, not part of `make test`; see README ("Real servers").
#
# Needs: MISSKEY_SRC, a checkout of github.com/misskey-dev/misskey at the pinned
# commit below (with its submodules); PostgreSQL and Redis (Debian: postgresql,
# redis-server); Node 20+ and pnpm (npm install -g pnpm). Everything listens on
# 127.0.0.1 only and lives under a temporary directory removed at the end.
set -euo pipefail

PIN=${MISSKEY_PIN:-2025.4.0}   # the release tag the corpus was read against
PORT=${MISSKEY_PORT:-61812}
PGPORT=${MISSKEY_PGPORT:-54329}
REDISPORT=${MISSKEY_REDISPORT:-63799}
CLI=${CLI:-bin/feedscope-cli}

fail() { echo "test-real: $*" >&2; exit 1; }
[ -n "${MISSKEY_SRC:-}" ] || fail "set MISSKEY_SRC to a Misskey checkout at $PIN (git clone --recursive -b $PIN https://github.com/misskey-dev/misskey)"
[ -d "$MISSKEY_SRC/packages/backend" ] || fail "$MISSKEY_SRC is not a Misskey checkout (no packages/backend)"
for c in pnpm node redis-server pg_ctlcluster initdb curl jq; do
	command -v "$c" >/dev/null 2>&1 || [ "$c" = initdb ] || fail "$c not found (apt-get install postgresql redis-server jq; npm install -g pnpm)"
done
INITDB=$(ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | tail -1)
PGCTL=$(dirname "$INITDB")/pg_ctl
[ -x "$INITDB" ] || fail "initdb not found under /usr/lib/postgresql"

WORK=$(mktemp -d /tmp/feedscope-real.XXXXXX)
chown postgres "$WORK" 2>/dev/null || true
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
	[ -n "${MK_PID:-}" ] && kill "$MK_PID" 2>/dev/null || true
	[ -n "${REDIS_PID:-}" ] && kill "$REDIS_PID" 2>/dev/null || true
	as_pg "$PGCTL" -D "$WORK/pg" -m fast stop >/dev/null 2>&1 || true
	rm -rf "$WORK"
}
trap cleanup EXIT
start=$(date +%s)

echo "test-real: PostgreSQL on 127.0.0.1:$PGPORT, Redis on 127.0.0.1:$REDISPORT"
as_pg "$INITDB" -D "$WORK/pg" -U misskey --auth=trust >/dev/null
as_pg "$PGCTL" -D "$WORK/pg" -o "-p $PGPORT -k $WORK -c listen_addresses=127.0.0.1" -l "$WORK/pg.log" start >/dev/null
as_pg createdb -h 127.0.0.1 -p "$PGPORT" -U misskey misskey
redis-server --port "$REDISPORT" --bind 127.0.0.1 --save '' --appendonly no >"$WORK/redis.log" 2>&1 &
REDIS_PID=$!

echo "test-real: building Misskey $PIN (pnpm install, build, migrate)"
cat >"$MISSKEY_SRC/.config/default.yml" <<YML
url: http://127.0.0.1:$PORT/
port: $PORT
db: {host: 127.0.0.1, port: $PGPORT, db: misskey, user: misskey, pass: ''}
redis: {host: 127.0.0.1, port: $REDISPORT}
id: aidx
YML
(cd "$MISSKEY_SRC" && pnpm install --frozen-lockfile && pnpm build && pnpm migrate) >"$WORK/build.log" 2>&1 ||
	fail "the Misskey build failed; see the log (kept): $(cp "$WORK/build.log" /tmp/feedscope-real-build.log; echo /tmp/feedscope-real-build.log)"

boot() {
	(cd "$MISSKEY_SRC" && NODE_ENV=production node packages/backend/built/boot/entry.js) >>"$WORK/misskey.log" 2>&1 &
	MK_PID=$!
	for _ in $(seq 120); do curl -sf "http://127.0.0.1:$PORT/api/meta" -X POST -H 'content-type: application/json' -d '{}' >/dev/null && return; sleep 1; done
	fail "Misskey did not answer on :$PORT within 120 s"
}
boot
api() { curl -sf "http://127.0.0.1:$PORT/api/$1" -H 'content-type: application/json' -d "$2"; }
TOKEN=$(api admin/accounts/create '{"username":"feedscope","password":"feedscope-test-pw"}' | jq -r .token)
[ -n "$TOKEN" ] && [ "$TOKEN" != null ] || fail "could not create the first user"
NOTE=$(api notes/create "{\"i\":\"$TOKEN\",\"text\":\"hello from test-real #feedscope\"}" | jq -r .createdNote.id)

tailrun() { timeout 60 "$CLI" tail --dialect misskey --url "ws://127.0.0.1:$PORT/streaming" "$@"; }
expect() { grep -q "$1" "$2" || { cat "$2" >&2; fail "$3"; }; }
# waitfor polls a file for a pattern for up to 60 s (no fixed sleeps).
waitfor() { for _ in $(seq 600); do grep -q "$1" "$2" 2>/dev/null && return; sleep 0.1; done; cat "$2" >&2; fail "$3"; }

echo "test-real: localTimeline, serverStats with requestLog, subNote + reaction"
api admin/update-meta "{\"i\":\"$TOKEN\",\"enableServerMachineStats\":true}" >/dev/null
tailrun --token "$TOKEN" --sub '{"channel":"localTimeline"}' --sub '{"channel":"serverStats"}' --sub "{\"note\":\"$NOTE\"}" \
	--duration 20s --quiet >"$WORK/out.ndjson" &
TAIL=$!
waitfor '"kind":"connected"' "$WORK/out.ndjson" "localTimeline never said connected"
api notes/create "{\"i\":\"$TOKEN\",\"text\":\"second note\"}" >/dev/null
api notes/reactions/create "{\"i\":\"$TOKEN\",\"noteId\":\"$NOTE\",\"reaction\":\"👍\"}" >/dev/null
wait "$TAIL" || true
expect '"kind":"note"' "$WORK/out.ndjson" "no note on localTimeline"
expect '"kind":"stats"' "$WORK/out.ndjson" "no serverStats stats"
expect '"kind":"noteUpdated:reacted"' "$WORK/out.ndjson" "no noteUpdated:reacted after the reaction"

echo "test-real: a bad token is rejected, not retried"
if tailrun --token not-a-token --duration 10s >"$WORK/bad.ndjson"; then fail "a bad token did not fail tail"; fi
expect 'rejected: 401' "$WORK/bad.ndjson" "a bad token was not rejected with 401"

echo "test-real: a backend restart → reconnect and resume"
tailrun --token "$TOKEN" --sub '{"channel":"localTimeline"}' --duration 90s >"$WORK/restart.ndjson" &
TAIL=$!
waitfor '"kind":"connected"' "$WORK/restart.ndjson" "localTimeline never said connected"
kill "$MK_PID"; wait "$MK_PID" 2>/dev/null || true
boot
waitfor '"kind":"reconnecting"' "$WORK/restart.ndjson" "no reconnect after the restart"
for _ in $(seq 600); do [ "$(grep -c '"kind":"open"' "$WORK/restart.ndjson")" -ge 2 ] && break; sleep 0.1; done
api notes/create "{\"i\":\"$TOKEN\",\"text\":\"after the restart\"}" >/dev/null
waitfor 'after the restart' "$WORK/restart.ndjson" "the timeline did not resume after the restart"
kill -INT "$TAIL"; wait "$TAIL" || true
expect '"kind":"reconnecting"' "$WORK/restart.ndjson" "no reconnect after the restart"
expect 'after the restart' "$WORK/restart.ndjson" "the timeline did not resume after the restart"

echo "test-real: passed in $(( $(date +%s) - start )) s"
