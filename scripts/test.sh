#!/usr/bin/env bash
# The project's one test command: builds and runs every test project, lints the infrastructure, and ends with one
# line "N passed, N failed, N skipped" over everything. Starts what the tests need (Azurite) and stops it after.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
source scripts/azurite.sh

results="$root/artifacts/test-results"
rm -rf "$results"; mkdir -p "$results"
passed=0; failed=0; skipped=0; broken=()

trap 'azurite_stop' EXIT
scripts/chromium.sh
azurite_start || { echo "0 passed, 1 failed"; exit 1; }

# The Functions app needs the Azure Functions worker packages. Where the NuGet source lacks them, say so and skip it.
functions_restorable() {
  [ -f src/Moderation.Functions/Moderation.Functions.csproj ] || return 1
  dotnet restore src/Moderation.Functions/Moderation.Functions.csproj >"$results/functions-restore.log" 2>&1
}
functions_ok=0
if [ -f src/Moderation.Functions/Moderation.Functions.csproj ]; then
  if functions_restorable; then
    functions_ok=1
    echo "== Building src/Moderation.Functions"
    if ! dotnet build src/Moderation.Functions/Moderation.Functions.csproj --nologo -v quiet >"$results/functions-build.log" 2>&1; then
      cat "$results/functions-build.log"; broken+=("src/Moderation.Functions (build)")
    fi
  else
    echo "== SKIPPED src/Moderation.Functions and its tests: the Azure Functions worker packages cannot be restored from this machine's NuGet source (see artifacts/test-results/functions-restore.log)."
  fi
fi

for proj in tests/*/*.csproj; do
  name=$(basename "$proj" .csproj)
  if [[ "$name" == Moderation.Functions* && $functions_ok -eq 0 ]]; then continue; fi
  echo "== $name"
  trx="$results/$name.trx"
  dotnet test "$proj" --nologo --logger "trx;LogFileName=$trx" --logger "console;verbosity=normal" \
    >"$results/$name.log" 2>&1
  code=$?
  grep -E "^\s*Failed |: error [A-Z]+[0-9]*:" "$results/$name.log" | sort -u | head -40
  if [ -f "$trx" ]; then
    counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
    get() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*'; }
    p=$(get passed); f=$(get failed); t=$(get total); e=$(get executed)
    passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); skipped=$((skipped + ${t:-0} - ${e:-0}))
    echo "   ${p:-0} passed, ${f:-0} failed, $(( ${t:-0} - ${e:-0} )) skipped"
    # Each skipped test, with the reason it gives (xunit prints the reason on the line after [SKIP]).
    grep -A1 "\[SKIP\]" "$results/$name.log" | sed -e 's/^\[xUnit.net [0-9:.]*\] *//' -e 's/^--$//' | grep -v '^$' | sed 's/^/  SKIPPED /' | head -20
  fi
  if [ $code -ne 0 ] && { [ ! -f "$trx" ] || [ "${f:-0}" -eq 0 ]; }; then
    tail -30 "$results/$name.log"; broken+=("$name (exit $code)")
  fi
done

# Code style: the tree must be `dotnet format` clean (the Functions app only where its packages restore).
echo "== dotnet format"
format_targets=(ModerationFunctions.sln)
if [ $functions_ok -eq 0 ]; then
  format_targets=($(git ls-files '*.csproj' | grep -v '^src/Moderation.Functions/\|^tests/Moderation.Functions'))
fi
format_ok=1
for target in "${format_targets[@]}"; do
  if ! dotnet format "$target" --verify-no-changes >"$results/format.log" 2>&1; then
    grep -E "error|warning" "$results/format.log" | head -20; format_ok=0
  fi
done
if [ $format_ok -eq 1 ]; then passed=$((passed + 1)); else echo "dotnet format: run 'dotnet format' to fix the files above."; failed=$((failed + 1)); fi

# Infrastructure: compile and lint the Bicep with the real bicep CLI.
if [ -x scripts/lint-bicep.sh ] && ls infra/*.bicep >/dev/null 2>&1; then
  echo "== Bicep"
  if scripts/lint-bicep.sh; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
fi

for b in "${broken[@]}"; do echo "BROKEN: $b"; failed=$((failed + 1)); done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
