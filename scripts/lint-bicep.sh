#!/usr/bin/env bash
# Compiles and lints the infrastructure with the real bicep CLI, failing on any error AND any warning.
# The CLI comes from the NuGet package Azure.Bicep.CommandLine.linux-x64 (version pinned in Directory.Packages.props),
# restored into .tools/bicep (not committed) by a tool-only project on first use.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
tools="$root/.tools/bicep"

version=$(grep -o 'Include="Azure.Bicep.CommandLine.linux-x64" Version="[^"]*"' Directory.Packages.props | grep -o 'Version="[^"]*"' | cut -d'"' -f2)
if [ -z "$version" ]; then
  echo "lint-bicep: no Azure.Bicep.CommandLine.linux-x64 version in Directory.Packages.props" >&2
  exit 1
fi

bicep="$tools/packages/azure.bicep.commandline.linux-x64/$version/tools/bicep"
if [ ! -x "$bicep" ]; then
  echo "lint-bicep: restoring bicep $version from NuGet into .tools/bicep"
  mkdir -p "$tools"
  # A project that only carries the package; its version comes from central package management.
  cat >"$tools/BicepCli.csproj" <<'PROJ'
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <IncludeBuildOutput>false</IncludeBuildOutput>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Azure.Bicep.CommandLine.linux-x64" ExcludeAssets="all" GeneratePathProperty="false" />
  </ItemGroup>
</Project>
PROJ
  if ! dotnet restore "$tools/BicepCli.csproj" --packages "$tools/packages" >"$tools/restore.log" 2>&1; then
    cat "$tools/restore.log" >&2
    echo "lint-bicep: could not restore the bicep CLI" >&2
    exit 1
  fi
  chmod +x "$bicep"
fi

export BICEP_TRACING_ENABLED=false
# build-params reads the secure parameter from the environment: a throwaway value for compilation only.
export MODERATION_REVIEW_SIGNING_SECRET="${MODERATION_REVIEW_SIGNING_SECRET:-lint-only-placeholder-not-a-real-secret-000}"

failed=0
problems=0
run() {
  local what=$1; shift
  local out
  out=$("$bicep" "$@" 2>&1)
  local code=$?
  # Diagnostics look like "path(line,col) : Warning rule-name: message" or ": Error BCPnnn: ...".
  local count
  count=$(printf '%s\n' "$out" | grep -cE ' : (Warning|Error) ' || true)
  if [ $code -ne 0 ] || [ "$count" -gt 0 ]; then
    printf '%s\n' "$out" | grep -E ' : (Warning|Error|Info) ' || printf '%s\n' "$out"
    echo "lint-bicep: FAILED $what (exit $code, $count warning(s)/error(s))"
    failed=1
    problems=$((problems + count))
  else
    echo "lint-bicep: ok     $what"
  fi
}

echo "lint-bicep: bicep $("$bicep" --version 2>/dev/null | head -1)"
run "build infra/main.bicep" build infra/main.bicep --stdout
for file in infra/main.bicep infra/modules/*.bicep; do
  run "lint $file" lint "$file"
done
run "build-params infra/main.bicepparam" build-params infra/main.bicepparam --stdout

if [ $failed -ne 0 ]; then
  echo "lint-bicep: $problems problem(s); warnings count as failures"
  exit 1
fi
echo "lint-bicep: all Bicep files compile and lint clean"
