#!/usr/bin/env bash
# Lints .github/workflows with zizmor (offline audits: unpinned actions, credentials left in .git/config, dangerous
# triggers, template injection, excessive permissions). zizmor comes from PyPI into a throwaway virtualenv, pinned by
# hash (tools/check/zizmor-requirements.txt); the virtualenv is removed on exit.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
venv="$(mktemp -d "${TMPDIR:-/tmp}/entra-wif-zizmor.XXXXXX")"
trap 'rm -rf "$venv"' EXIT
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check --require-hashes --only-binary=:all: -r "$root/tools/check/zizmor-requirements.txt"
"$venv/bin/zizmor" --offline --no-progress --min-severity=low "$root/.github/workflows"
