#!/usr/bin/env bash
# Azurite (the Azure Storage emulator) for local runs and tests. Source this file, then call:
#   azurite_start   installs Azurite from npm into .tools/azurite if missing, starts it on 127.0.0.1 with its data
#                   in a temporary folder, waits until it answers, and exports MODERATION_STORAGE_CONNECTION.
#   azurite_stop    stops it and removes its data.
# If MODERATION_STORAGE_CONNECTION is already set, nothing is installed or started: that storage is used.

AZURITE_VERSION="${AZURITE_VERSION:-3.37.0}"
_repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_azurite_dir="$_repo_root/.tools/azurite"
_azurite_pid=""
_azurite_data=""

_port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

_pick_base_port() {
  local base
  for base in 10000 20000 21000 22000 23000 24000; do
    if _port_free "$base" && _port_free $((base + 1)) && _port_free $((base + 2)); then
      echo "$base"; return 0
    fi
  done
  return 1
}

azurite_install() {
  if [ ! -x "$_azurite_dir/node_modules/.bin/azurite" ]; then
    command -v npm >/dev/null || { echo "npm is required to install Azurite (apt-get install nodejs npm)" >&2; return 1; }
    echo "Installing Azurite $AZURITE_VERSION into .tools/azurite ..."
    mkdir -p "$_azurite_dir"
    npm install --prefix "$_azurite_dir" --no-save --no-package-lock --silent "azurite@$AZURITE_VERSION" >/dev/null || return 1
  fi
}

azurite_start() {
  if [ -n "${MODERATION_STORAGE_CONNECTION:-}" ]; then
    echo "Using the storage account in MODERATION_STORAGE_CONNECTION."
    return 0
  fi
  azurite_install || return 1
  local base; base=$(_pick_base_port) || { echo "No free ports for Azurite" >&2; return 1; }
  _azurite_data=$(mktemp -d -t moderation-azurite.XXXXXX)
  "$_azurite_dir/node_modules/.bin/azurite" --silent --skipApiVersionCheck --disableTelemetry \
    --location "$_azurite_data" --debug "$_azurite_data/debug.log" \
    --blobHost 127.0.0.1 --blobPort "$base" \
    --queueHost 127.0.0.1 --queuePort $((base + 1)) \
    --tableHost 127.0.0.1 --tablePort $((base + 2)) >"$_azurite_data/azurite.out" 2>&1 &
  _azurite_pid=$!
  local i
  for i in $(seq 1 100); do
    if ! _port_free $((base + 1)) && ! _port_free $((base + 2)) && ! _port_free "$base"; then break; fi
    if ! kill -0 "$_azurite_pid" 2>/dev/null; then
      echo "Azurite exited during start-up:" >&2; cat "$_azurite_data/azurite.out" >&2; return 1
    fi
    sleep 0.2
  done
  local key="Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
  export MODERATION_STORAGE_CONNECTION="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=$key;BlobEndpoint=http://127.0.0.1:$base/devstoreaccount1;QueueEndpoint=http://127.0.0.1:$((base + 1))/devstoreaccount1;TableEndpoint=http://127.0.0.1:$((base + 2))/devstoreaccount1;"
  echo "Azurite $AZURITE_VERSION is up on 127.0.0.1:$base-$((base + 2)) (pid $_azurite_pid, data in $_azurite_data)."
}

azurite_stop() {
  if [ -n "$_azurite_pid" ]; then
    kill "$_azurite_pid" 2>/dev/null; wait "$_azurite_pid" 2>/dev/null
    _azurite_pid=""
  fi
  if [ -n "$_azurite_data" ]; then rm -rf "$_azurite_data"; _azurite_data=""; fi
}
