#!/usr/bin/env bash
# Pipeline benchmark in one run: builds benchmarks/Moderation.Pipeline.Benchmarks in Release, starts Azurite (unless
# MODERATION_STORAGE_CONNECTION is set), runs it and stops Azurite. Arguments go to the benchmark, e.g.
#   scripts/bench-pipeline.sh --messages 2000 --latency-messages 400 --latency-load 0.5
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
project=benchmarks/Moderation.Pipeline.Benchmarks/Moderation.Pipeline.Benchmarks.csproj

echo "== Building the benchmark (Release)"
dotnet build "$project" -c Release --nologo -v quiet -clp:'ErrorsOnly;NoSummary' || { echo "bench-pipeline.sh: the benchmark does not build." >&2; exit 1; }

# shellcheck source=scripts/azurite.sh
source scripts/azurite.sh
trap 'azurite_stop' EXIT
azurite_start || { echo "bench-pipeline.sh: Azurite did not start." >&2; exit 1; }

# The benchmark reads the emulator's CPU time from /proc to show where a phase's CPU went, and starts a fresh Azurite
# for each measured round (Azurite slows as it stores and serves more), unless a storage account was given.
if [ -n "${_azurite_pid:-}" ]; then
  export MODERATION_BENCH_STORAGE_PID="$_azurite_pid"
  export MODERATION_BENCH_AZURITE="$_azurite_dir/node_modules/.bin/azurite"
fi
echo "== Running"
dotnet run --project "$project" -c Release --no-build -- "$@"
