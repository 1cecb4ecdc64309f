#!/usr/bin/env bash
# The start-emulator action's work (action.yml runs it): start this repository's local IAM
# Identity Center (emulator/) in the background, wait until it listens, and hand its endpoint to
# later steps. It works from any repository: the runner downloads this whole repository for
# `uses: <owner>/aws-sso-device-auth/.github/actions/start-emulator@<ref>`, and the emulator's
# sources are found from GITHUB_ACTION_PATH, never from the caller's checkout.
#
# Reads: GITHUB_ACTION_PATH, RUNNER_TEMP, GITHUB_ENV, GITHUB_OUTPUT (the runner's), and
# EMULATOR_ARGS, EMULATOR_PORT, EMULATOR_EXPORT_ENV (the action's inputs).
set -euo pipefail

fail() {
  echo "::error title=Start the emulator::$1"
  exit 1
}

root=$(cd "${GITHUB_ACTION_PATH:?}/../../.." && pwd)
[ -f "$root/emulator/cli.ts" ] || fail "the emulator's sources are not at $root/emulator (is GITHUB_ACTION_PATH this action's directory?)"
command -v node >/dev/null || fail "Node.js is not on PATH: add actions/setup-node before this step"
node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 20 ] || fail "Node.js $(node -v) is too old for the emulator: use 20 or later (actions/setup-node)"

port=${EMULATOR_PORT:-0}
[[ "$port" =~ ^[0-9]+$ ]] || fail "input 'port' must be a number, 0 for any free port; got \"$port\""

work="${RUNNER_TEMP:?}/aws-sso-emulator"
mkdir -p "$work"

# The emulator is TypeScript run through tsx: this repository's own when its dependencies are
# installed (its CI), otherwise the version its lockfile pins, installed once under RUNNER_TEMP.
tsx="$root/node_modules/.bin/tsx"
if [ ! -x "$tsx" ]; then
  version=$(node -p 'require(process.argv[1]).packages["node_modules/tsx"].version' "$root/package-lock.json")
  echo "Installing tsx@$version (to run the emulator's TypeScript) into $work/tools"
  npm install --prefix "$work/tools" --no-save --no-audit --no-fund --loglevel=error "tsx@$version" >&2 ||
    fail "could not install tsx@$version from the npm registry (see the log above)"
  tsx="$work/tools/node_modules/.bin/tsx"
fi

# The process outlives this step on purpose: the runner stops it with the job's other orphans when
# the job ends. EMULATOR_ARGS is split into words on purpose (several flags in one input).
# shellcheck disable=SC2086
(cd "$root" && exec nohup "$tsx" emulator/cli.ts --port "$port" ${EMULATOR_ARGS:-}) >"$work/stdout" 2>"$work/stderr" </dev/null &
pid=$!

# The emulator prints exactly one JSON line on stdout once it listens.
line=''
for _ in $(seq 1 240); do
  line=$(grep -m1 '^{' "$work/stdout" || true)
  [ -n "$line" ] && break
  if ! kill -0 "$pid" 2>/dev/null; then
    sed 's/^/  /' "$work/stderr" >&2
    fail "the emulator exited before listening: $(head -n1 "$work/stderr")"
  fi
  sleep 0.25
done
if [ -z "$line" ]; then
  sed 's/^/  /' "$work/stderr" >&2
  fail "the emulator did not report its endpoint within 60 s; its log is above"
fi
field() { node -e 'process.stdout.write(String(JSON.parse(process.argv[1])[process.argv[2]]))' "$line" "$1"; }
endpoint=$(field endpoint)
verification_uri=$(field verificationUri)
emulator_pid=$(field pid)

# GITHUB_ENV rather than an env block at each step: every later step, the action's post step
# (sso:Logout) included, reaches the emulator without repeating the endpoint.
export_env=${EMULATOR_EXPORT_ENV:-true}
if [ "${export_env,,}" != false ]; then
  {
    echo "AWS_ENDPOINT_URL_SSO_OIDC=$endpoint"
    echo "AWS_ENDPOINT_URL_SSO=$endpoint"
    # The approver is looked up with STS GetCallerIdentity (the emulator answers it on its own origin).
    echo "AWS_ENDPOINT_URL_STS=$endpoint"
  } >>"${GITHUB_ENV:?}"
fi
{
  echo "endpoint=$endpoint"
  echo "verification-uri=$verification_uri"
  echo "pid=$emulator_pid"
  echo "log=$work/stderr"
} >>"${GITHUB_OUTPUT:?}"
echo "Emulator listening at $endpoint (pid $emulator_pid); approve at $verification_uri; its request log is $work/stderr"
