#!/usr/bin/env bash
# Fetches the GitHub webhook examples the webhook tests replay from the npm package
# @octokit/webhooks-examples and writes the few it needs under integrations/github/testdata/webhooks/.
# The tarball is unpacked in a temporary directory and never kept. Needs npm and jq.
#
#   scripts/fetch-webhook-examples.sh [version]    (default: the version named in SOURCES.md)
set -euo pipefail

version="${1:-7.6.1}"
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/integrations/github/testdata/webhooks"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

(cd "$tmp" && npm pack --silent "@octokit/webhooks-examples@$version" >/dev/null && tar xzf ./*.tgz)
index="$tmp/package/api.github.com/index.json"

# extract NAME EVENT INDEX: writes examples[INDEX] of the event EVENT as NAME.json.
extract() {
	jq --arg ev "$2" --argjson i "$3" '.[] | select(.name == $ev) | .examples[$i]' "$index" >"$out/$1.json"
	if [ "$(jq -r 'type' "$out/$1.json")" != object ]; then
		echo "$2 examples[$3] is missing from @octokit/webhooks-examples@$version" >&2
		exit 1
	fi
}

mkdir -p "$out"
extract ping ping 0
extract pull_request.opened pull_request 0
extract pull_request.closed pull_request 3
extract pull_request.reopened pull_request 18
extract pull_request.synchronize pull_request 22
extract issues.reopened issues 20
extract issue_comment.created issue_comment 0
extract push.default-branch push 4
extract push.tag push 0
echo "wrote $(ls "$out"/*.json | wc -l) files to $out (version $version)"
