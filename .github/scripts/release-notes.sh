#!/usr/bin/env bash
# Prints the CHANGELOG.md section of one version (Keep a Changelog: `## [1.2.3] - 2026-01-31`),
# without its heading and without the link definitions that close the file, for a GitHub release.
# Fails when the version has no section or the section is empty, so a release never ships without
# notes. Usage: release-notes.sh 1.2.3 [CHANGELOG.md]
set -euo pipefail

version="${1:?usage: release-notes.sh VERSION [CHANGELOG]}"
changelog="${2:-CHANGELOG.md}"

notes=$(
  awk -v heading="## [$version]" '
    /^## / {
      if (found) exit
      # The heading is "## [X.Y.Z]" followed by nothing, or by " - date".
      if (index($0, heading) == 1 && (length($0) == length(heading) || substr($0, length(heading) + 1, 1) == " ")) {
        found = 1
        next
      }
    }
    found && !/^\[[^]]+\]: / { print }
  ' "$changelog" |
    sed -e '/[^[:space:]]/,$!d' # drop the blank lines before the first text
)

if ! grep -q '[^[:space:]]' <<<"$notes"; then
  echo "$changelog has no notes for $version: add a '## [$version] - YYYY-MM-DD' section." >&2
  exit 1
fi
printf '%s\n' "$notes"
