#!/usr/bin/env bash
# The project's one test command: builds the solution once, runs every test project from that build (two at a time),
# checks `dotnet format` and lints the infrastructure meanwhile, and ends with one line "N passed, N failed, N skipped"
# over everything. Starts what the tests need (Azurite) and stops it after.
#   TEST_PARALLEL=N   how many test projects run at once (default 2; 1 runs them one after another).
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
source scripts/azurite.sh

results="$root/artifacts/test-results"
rm -rf "$results"; mkdir -p "$results"
passed=0; failed=0; skipped=0; broken=()
# One project at a time by default: the end-to-end host tests start child hosts and time-bounded waits that a second
# project beside them (one drives Chromium) can starve on 2 cores. TEST_PARALLEL=2 is faster on bigger machines.
parallel="${TEST_PARALLEL:-1}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

started=$SECONDS; phase_started=$SECONDS; timings=()
phase_done() { timings+=("$(printf '%-28s %4ds' "$1" $((SECONDS - phase_started)))"); phase_started=$SECONDS; }

background=()
trap 'azurite_stop; for p in "${background[@]}"; do kill "$p" 2>/dev/null; done' EXIT

# Azurite comes from npm: install it (a fresh clone) while the solution restores and builds.
azurite_install >"$results/azurite-install.log" 2>&1 &
azurite_install_pid=$!; background+=("$azurite_install_pid")
# The review console's browser tests drive Debian's Chromium: install it where it is missing and we can.
scripts/chromium.sh >"$results/chromium-install.log" 2>&1 &
chromium_install_pid=$!; background+=("$chromium_install_pid")

# The Functions app needs the Azure Functions worker packages. Where the NuGet source lacks them, say so and build
# everything else (a solution filter without the Functions app and its tests).
functions_ok=0
build_target=ModerationFunctions.sln
if [ -f src/Moderation.Functions/Moderation.Functions.csproj ]; then
  if dotnet restore src/Moderation.Functions/Moderation.Functions.csproj >"$results/functions-restore.log" 2>&1; then
    functions_ok=1
  else
    echo "== SKIPPED src/Moderation.Functions and its tests: the Azure Functions worker packages cannot be restored from this machine's NuGet source (see artifacts/test-results/functions-restore.log)."
    build_target="$results/without-functions.slnf"
    {
      echo '{ "solution": { "path": "../../ModerationFunctions.sln", "projects": ['
      dotnet sln ModerationFunctions.sln list | grep '\.csproj$' | grep -v '^src/Moderation.Functions/\|^tests/Moderation.Functions' \
        | sed 's|/|\\\\|g; s|.*|    "&"|' | paste -sd, -
      echo '] } }'
    } >"$build_target"
  fi
fi
phase_done "restore (Functions check)"

echo "== Building $(basename "$build_target")"
build_ok=1
if ! dotnet build "$build_target" --nologo -v quiet -clp:ErrorsOnly >"$results/build.log" 2>&1; then
  grep -E ": error [A-Z]+[0-9]*:" "$results/build.log" | sort -u | head -40
  tail -5 "$results/build.log"; broken+=("build of $(basename "$build_target")"); build_ok=0
fi
phase_done "build"

# Code style and infrastructure checks need no Azurite and run beside the tests.
# Code style: the tree must be `dotnet format` clean (the Functions app only where its packages restore).
( dotnet format "$build_target" --verify-no-changes --no-restore >"$results/format.log" 2>&1; echo $? >"$results/format.exit" ) &
format_pid=$!; background+=("$format_pid")
# Infrastructure: compile and lint the Bicep with the real bicep CLI.
bicep=0
if [ -x scripts/lint-bicep.sh ] && ls infra/*.bicep >/dev/null 2>&1; then
  bicep=1
  ( scripts/lint-bicep.sh >"$results/bicep.log" 2>&1; echo $? >"$results/bicep.exit" ) &
  bicep_pid=$!; background+=("$bicep_pid")
fi

wait "$azurite_install_pid" || { cat "$results/azurite-install.log"; }
azurite_start || { echo "0 passed, 1 failed"; exit 1; }
# Other services the tests need start here, beside Azurite.
wait "$chromium_install_pid" || tail -3 "$results/chromium-install.log"
phase_done "Azurite start"

# Runs one test project from the build above; its console log and trx land in $results.
run_project() {
  local proj=$1 name; name=$(basename "$proj" .csproj)
  local began=$SECONDS
  dotnet test "$proj" --no-build --nologo --logger "trx;LogFileName=$results/$name.trx" --logger "console;verbosity=normal" \
    >"$results/$name.log" 2>&1
  echo "$? $((SECONDS - began))" >"$results/$name.exit"
}
export -f run_project; export results

# Longest-running projects first, so the last to start is a short one.
projects=()
for slow in Moderation.Host.Tests Moderation.Workflow.Tests Moderation.Training.Tests Moderation.Storage.Tests; do
  [ -f "tests/$slow/$slow.csproj" ] && projects+=("tests/$slow/$slow.csproj")
done
for proj in tests/*/*.csproj; do
  [[ " ${projects[*]} " == *" $proj "* ]] || projects+=("$proj")
done
runnable=()
for proj in "${projects[@]}"; do
  name=$(basename "$proj" .csproj)
  if [[ "$name" == Moderation.Functions* && $functions_ok -eq 0 ]]; then continue; fi
  [ "$name" == Moderation.Testing ] && continue
  runnable+=("$proj")
done

if [ $build_ok -eq 1 ]; then
  echo "== Running ${#runnable[@]} test projects, $parallel at a time"
  printf '%s\n' "${runnable[@]}" | xargs -P "$parallel" -I{} bash -c 'run_project "$1"' _ {}
fi
phase_done "tests"

for proj in "${runnable[@]}"; do
  [ $build_ok -eq 1 ] || break
  name=$(basename "$proj" .csproj); trx="$results/$name.trx"
  code=1; took="?"
  [ -f "$results/$name.exit" ] && read -r code took <"$results/$name.exit"
  echo "== $name (${took}s)"
  grep -E "^\s*Failed |: error [A-Z]+[0-9]*:" "$results/$name.log" | sort -u | head -40
  f=0
  if [ -f "$trx" ]; then
    counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
    get() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*'; }
    p=$(get passed); f=$(get failed); t=$(get total); e=$(get executed)
    passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); skipped=$((skipped + ${t:-0} - ${e:-0}))
    echo "   ${p:-0} passed, ${f:-0} failed, $(( ${t:-0} - ${e:-0} )) skipped"
    # Each skipped test, with the reason it gives (xunit prints the reason on the line after [SKIP]).
    grep -A1 "\[SKIP\]" "$results/$name.log" | sed -e 's/^\[xUnit.net [0-9:.]*\] *//' -e 's/^--$//' | grep -v '^$' | sed 's/^/  SKIPPED /' | head -20
  fi
  if [ "$code" -ne 0 ] && { [ ! -f "$trx" ] || [ "${f:-0}" -eq 0 ]; }; then
    tail -30 "$results/$name.log"; broken+=("$name (exit $code)")
  fi
done

echo "== dotnet format"
wait "$format_pid"
if [ "$(cat "$results/format.exit" 2>/dev/null)" == 0 ]; then
  passed=$((passed + 1))
else
  grep -E "error|warning" "$results/format.log" | head -20
  echo "dotnet format: run 'dotnet format' to fix the files above."; failed=$((failed + 1))
fi
if [ $bicep -eq 1 ]; then
  echo "== Bicep"
  wait "$bicep_pid"; cat "$results/bicep.log"
  if [ "$(cat "$results/bicep.exit" 2>/dev/null)" == 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
fi
phase_done "format + Bicep (after tests)"

echo "== Timings"
printf '   %s\n' "${timings[@]}"
printf '   %-28s %4ds\n' "total" $((SECONDS - started))
for b in "${broken[@]}"; do echo "BROKEN: $b"; failed=$((failed + 1)); done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
