#!/usr/bin/env bash
# One command from a fresh clone to a running moderation pipeline on this machine:
#   Azurite (installed into .tools/azurite if missing) -> the self-hosted host on 127.0.0.1:7071 (PORT overrides)
#   -> samples/messages.jsonl enqueued on moderation-inbound -> each message's path and a summary
#   -> a ready-to-paste review callback -> keeps running (host log follows) until Ctrl+C, then stops everything.
# Options: MESSAGES=path/to.jsonl to enqueue another file; MODERATION_STORAGE_CONNECTION to use an existing account.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$(pwd)
port="${PORT:-7071}"
base_url="http://127.0.0.1:$port"
messages="${MESSAGES:-$root/samples/messages.jsonl}"
settle_seconds="${SETTLE_SECONDS:-90}"

fail() { echo "run.sh: $*" >&2; exit 1; }

for tool in dotnet curl jq; do
  command -v "$tool" >/dev/null || fail "'$tool' is required (dotnet: https://dot.net; curl and jq: your package manager)."
done
[ -f "$messages" ] || fail "no messages file at $messages."

# shellcheck source=scripts/azurite.sh
source scripts/azurite.sh

work_dir=$(mktemp -d -t moderation-run.XXXXXX)
host_log="$work_dir/host.log"
host_pid=""

cleanup() {
  local code=$?
  trap - EXIT INT TERM
  if [ -n "$host_pid" ] && kill -0 "$host_pid" 2>/dev/null; then
    echo; echo "Stopping the host ..."
    # The host runs in its own process group (setsid): stop dotnet run and the app it started, nothing else.
    # SIGTERM, not SIGINT: a background job of a script starts with SIGINT ignored; SIGTERM is a graceful stop.
    kill -TERM -- "-$host_pid" 2>/dev/null || true
    for _ in $(seq 1 75); do kill -0 "$host_pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL -- "-$host_pid" 2>/dev/null || true
  fi
  echo "Stopping Azurite ..."
  azurite_stop
  rm -rf "$work_dir"
  exit "$code"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
  fail "port $port is already in use (another host or 'func start'?). Stop it or run with PORT=<free port>."
fi

echo "== Storage"
azurite_start || fail "Azurite did not start."

echo "== Building the host and the CLI"
dotnet build src/Moderation.Host/Moderation.Host.csproj --nologo -v quiet -clp:'ErrorsOnly;NoSummary' \
  || fail "the host does not build (see the errors above)."
dotnet build tools/Moderation.Cli/Moderation.Cli.csproj --nologo -v quiet -clp:'ErrorsOnly;NoSummary' \
  || fail "the CLI does not build (see the errors above)."

echo "== Starting the host on $base_url (log: $host_log)"
(
  cd src/Moderation.Host
  # Development only selects the dev-only review key and short review timeout (appsettings.Development.json); the
  # host's exception handler answers every failure with problem details, so no developer exception page is served.
  ASPNETCORE_ENVIRONMENT=Development ASPNETCORE_URLS="$base_url" \
    exec setsid dotnet run --no-build --no-launch-profile
) >"$host_log" 2>&1 &
host_pid=$!
disown "$host_pid"

for i in $(seq 1 300); do
  if curl -fsS "$base_url/healthz" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$host_pid" 2>/dev/null; then
    tail -40 "$host_log" >&2; host_pid=""; fail "the host exited during start-up (log above)."
  fi
  [ "$i" -eq 300 ] && { tail -40 "$host_log" >&2; fail "the host did not answer $base_url/healthz within 60 s."; }
  sleep 0.2
done
echo "Host is up: $base_url/healthz answers."

echo "== Enqueueing $(grep -c . "$messages") messages from ${messages#"$root"/} onto moderation-inbound"
dotnet run --no-build --project tools/Moderation.Cli -- enqueue --file "$messages" || fail "enqueue failed."

# The case API authenticates like the review callback; the Development settings hold a dev-only key.
key=$(jq -r '.Moderation.Review.ApiKeys[0] // empty' src/Moderation.Host/appsettings.Development.json)

# A message's path, from the case API: released / blocked (with who decided) / waiting for review / pending.
path_of() {
  local view
  view=$(curl -fsS -H "X-Moderation-Key: $key" "$base_url/api/cases/$1" 2>/dev/null) || { echo "pending"; return; }
  echo "$view" | jq -r '
    if .outcome != null then
      (.outcome.disposition) + " by " + (.outcome.decidedBy) + (if .outcome.category then " (" + .outcome.category + ")" else "" end)
    elif .stage == "awaiting_review" then
      "waiting for review" + (if .verdict then " (llm: " + .verdict.category + ")" else "" end)
    else "pending" end'
}

mapfile -t ids < <(jq -r '.messageId' "$messages")
declare -A path_by_id=()
echo "== Following each message (up to ${settle_seconds}s)"
deadline=$((SECONDS + settle_seconds))
while :; do
  unsettled=0
  for id in "${ids[@]}"; do
    [ -n "${path_by_id[$id]:-}" ] && continue
    p=$(path_of "$id")
    if [ "$p" = "pending" ]; then unsettled=$((unsettled + 1)); continue; fi
    path_by_id[$id]=$p
    text=$(jq -r --arg id "$id" 'select(.messageId == $id) | .text' "$messages")
    printf '  %-12s %-44s %s\n' "$id" "$p" "${text:0:70}"
  done
  [ "$unsettled" -eq 0 ] && break
  if [ "$SECONDS" -ge "$deadline" ]; then
    echo "  ($unsettled message(s) still in flight after ${settle_seconds}s; see the host log)"; break
  fi
  sleep 1
done

released=0; blocked=0; waiting=0; pending=0; first_waiting=""
for id in "${ids[@]}"; do
  case "${path_by_id[$id]:-pending}" in
    released*) released=$((released + 1)) ;;
    blocked*) blocked=$((blocked + 1)) ;;
    waiting*) waiting=$((waiting + 1)); [ -z "$first_waiting" ] && first_waiting=$id ;;
    *) pending=$((pending + 1)) ;;
  esac
done
echo "== Summary: ${#ids[@]} messages: $released released, $blocked blocked, $waiting waiting for review, $pending in flight"

if [ -n "$first_waiting" ]; then
  echo
  echo "Decide case $first_waiting as a reviewer (202 accepted; a second call answers 409):"
  echo "  curl -i -X POST $base_url/api/reviews/$first_waiting -H 'Content-Type: application/json' -H 'X-Moderation-Key: $key' \\"
  echo "    -H 'X-Moderation-Reviewer: reviewer-1' -d '{\"action\":\"block\",\"category\":\"off_platform_contact\",\"notes\":\"Read in context by a reviewer.\"}'"
  echo "Then look at it:"
  echo "  curl -s $base_url/api/cases/$first_waiting -H 'X-Moderation-Key: $key' | jq"
fi

echo
echo "Pipeline metrics (Prometheus text: screened by route, rule hits, cases, LLM calls/tokens/cost, review waits, deliveries):"
echo "  curl -s $base_url/metrics | grep '^moderation_'"
if metrics=$(curl -fsS "$base_url/metrics" 2>/dev/null); then
  printf '%s\n' "$metrics" | grep -E '^moderation_(messages_screened|cases_started|cases_finished|llm_calls|deliveries)' | sed 's/^/  /' || true
fi
echo "Quality report from the audit trail (text, JSON, HTML and the disagreements as an evaluation set):"
echo "  MODERATION_STORAGE_CONNECTION='$MODERATION_STORAGE_CONNECTION' dotnet run --no-build --project tools/Moderation.Cli -- report --out quality-report"

echo
echo "The pipeline keeps running on $base_url (review timeout: see Moderation:Policy:ReviewTimeout). Ctrl+C stops it and Azurite."
echo "== Host log"
tail -n +1 -f "$host_log" --pid="$host_pid" &
while kill -0 "$host_pid" 2>/dev/null; do sleep 1; done
echo "The host stopped on its own (see the log above)."
exit 1
