#!/usr/bin/env bash
# Regenerates integrations/github/githubtest/testdata/api.github.com.subset.json, the part of GitHub's
# OpenAPI description (npm package @octokit/openapi, generated/api.github.com.json, ~13 MB) that
# githubtest's openapi_test.go checks the fake against: the operations below, with every component they
# reference, followed transitively. Examples are dropped (the test reads schemas only), and so is every
# other path. The tarball is unpacked in a temporary directory and never kept. Needs npm and jq.
#
#   scripts/trim-github-openapi.sh [version]    (default: the version named in testdata/SOURCES.md)
set -euo pipefail

version="${1:-23.0.2}"
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/integrations/github/githubtest/testdata/api.github.com.subset.json"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

(cd "$tmp" && npm pack --silent "@octokit/openapi@$version" >/dev/null &&
	tar xzf ./*.tgz package/generated/api.github.com.json)
spec="$tmp/package/generated/api.github.com.json"

# The operations Hindsight's client sends and the fake answers, as "METHOD path-template". Keep in step
# with the operations table in openapi_test.go.
operations='[
  "GET /user",
  "GET /app",
  "POST /app/installations/{installation_id}/access_tokens",
  "GET /repos/{owner}/{repo}/collaborators/{username}/permission",
  "GET /repos/{owner}/{repo}",
  "GET /repos/{owner}/{repo}/installation",
  "GET /repos/{owner}/{repo}/branches/{branch}",
  "GET /repos/{owner}/{repo}/contents/{path}",
  "GET /repos/{owner}/{repo}/deployments",
  "GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses",
  "GET /repos/{owner}/{repo}/releases",
  "POST /repos/{owner}/{repo}/statuses/{sha}",
  "POST /repos/{owner}/{repo}/check-runs",
  "PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}",
  "POST /repos/{owner}/{repo}/git/trees",
  "GET /repos/{owner}/{repo}/git/trees/{tree_sha}",
  "POST /repos/{owner}/{repo}/git/commits",
  "GET /repos/{owner}/{repo}/git/commits/{commit_sha}",
  "POST /repos/{owner}/{repo}/git/refs",
  "GET /repos/{owner}/{repo}/git/ref/{ref}",
  "PATCH /repos/{owner}/{repo}/git/refs/{ref}",
  "DELETE /repos/{owner}/{repo}/git/refs/{ref}",
  "GET /repos/{owner}/{repo}/pulls",
  "POST /repos/{owner}/{repo}/pulls",
  "GET /repos/{owner}/{repo}/pulls/{pull_number}",
  "PATCH /repos/{owner}/{repo}/pulls/{pull_number}",
  "POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers",
  "GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews",
  "GET /repos/{owner}/{repo}/issues",
  "POST /repos/{owner}/{repo}/issues",
  "GET /repos/{owner}/{repo}/issues/{issue_number}",
  "PATCH /repos/{owner}/{repo}/issues/{issue_number}",
  "POST /repos/{owner}/{repo}/issues/{issue_number}/labels",
  "POST /repos/{owner}/{repo}/issues/{issue_number}/assignees",
  "GET /repos/{owner}/{repo}/issues/{issue_number}/comments",
  "POST /repos/{owner}/{repo}/issues/{issue_number}/comments",
  "PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}",
  "GET /repos/{owner}/{repo}/issues/{issue_number}/sub_issues",
  "POST /repos/{owner}/{repo}/issues/{issue_number}/sub_issues"
]'

mkdir -p "$(dirname "$out")"
jq --argjson ops "$operations" '
  # refs: every "#/components/KIND/NAME" under the input, as [KIND, NAME].
  def refs: [.. | objects | .["$ref"]? // empty | strings | select(startswith("#/components/"))
             | ltrimstr("#/components/") | split("/") | select(.[0] != "examples")];
  def noexamples: walk(if type == "object" then del(.examples) else . end);
  . as $spec
  | ($ops | map(split(" ") | {method: (.[0] | ascii_downcase), path: .[1]})) as $wanted
  | (reduce $wanted[] as $o ({};
      ($spec.paths[$o.path][$o.method] // error("\($o.method) \($o.path) is not in the spec")) as $op
      | .[$o.path][$o.method] = ($op | noexamples)
      | if $spec.paths[$o.path].parameters then .[$o.path].parameters = $spec.paths[$o.path].parameters else . end
    )) as $paths
  # Follow references until no new component turns up.
  | {todo: ($paths | refs), seen: {}}
  | until(.todo | length == 0;
      .todo[0] as [$kind, $name]
      | .todo |= .[1:]
      | if .seen[$kind][$name] then . else
          ($spec.components[$kind][$name] // error("missing component \($kind)/\($name)") | noexamples) as $c
          | .seen[$kind][$name] = $c
          | .todo += ($c | refs)
        end)
  | {
      openapi: $spec.openapi,
      info: ($spec.info + {"x-trimmed": "Operations Hindsight uses only; see testdata/SOURCES.md."}),
      paths: $paths,
      components: (.seen | with_entries(.value |= (to_entries | sort_by(.key) | from_entries)))
    }
' "$spec" >"$out"

echo "wrote $out ($(wc -c <"$out") bytes, @octokit/openapi@$version: $(jq '[.paths[] | keys[] | select(. != "parameters")] | length' "$out") operations, $(jq '[.components[] | keys[]] | length' "$out") components)"
