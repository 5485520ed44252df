#!/usr/bin/env bash
# Regenerates integrations/pagerduty/pagerdutytest/testdata/rest-openapiv3.subset.json, the part of
# PagerDuty's REST API OpenAPI description (PagerDuty/api-schema, reference/REST/openapiv3.json, ~2.7 MB)
# that pagerdutytest's openapi_test.go checks the fake against: the operations below, with every component
# they reference, followed transitively. Every other path is dropped. Needs jq.
#
#   scripts/trim-pagerduty-openapi.sh PATH/TO/openapiv3.json
#
# Get the full description from a checkout of the PagerDuty/api-schema repository (file
# reference/REST/openapiv3.json); it is never committed here.
set -euo pipefail

if [ $# -ne 1 ] || [ ! -f "$1" ]; then
	echo "usage: $0 PATH/TO/openapiv3.json (PagerDuty/api-schema, reference/REST/openapiv3.json)" >&2
	exit 2
fi
spec="$1"
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/integrations/pagerduty/pagerdutytest/testdata/rest-openapiv3.subset.json"

# The operations Hindsight's client sends and the fake answers, as "METHOD path-template". Keep in step
# with pagerdutyOperations in openapi_test.go.
operations='[
  "GET /incidents",
  "GET /incidents/{id}",
  "GET /incidents/{id}/log_entries",
  "GET /incidents/{id}/notes",
  "POST /incidents/{id}/notes",
  "GET /incidents/{id}/alerts",
  "GET /incidents/{id}/related_change_events",
  "GET /users/{id}"
]'

mkdir -p "$(dirname "$out")"
jq --argjson ops "$operations" '
  # refs: every "#/components/KIND/NAME" under the input, as [KIND, NAME].
  def refs: [.. | objects | .["$ref"]? // empty | strings | select(startswith("#/components/"))
             | ltrimstr("#/components/") | split("/")];
  . as $spec
  | ($ops | map(split(" ") | {method: (.[0] | ascii_downcase), path: .[1]})) as $wanted
  | (reduce $wanted[] as $o ({};
      ($spec.paths[$o.path][$o.method] // error("\($o.method) \($o.path) is not in the spec")) as $op
      | .[$o.path][$o.method] = $op
      | if $spec.paths[$o.path].parameters then .[$o.path].parameters = $spec.paths[$o.path].parameters else . end
    )) as $paths
  # Follow references until no new component turns up.
  | {todo: ($paths | refs), seen: {}}
  | until(.todo | length == 0;
      .todo[0] as [$kind, $name]
      | .todo |= .[1:]
      | if .seen[$kind][$name] then . else
          ($spec.components[$kind][$name] // error("missing component \($kind)/\($name)")) as $c
          | .seen[$kind][$name] = $c
          | .todo += ($c | refs)
        end)
  | {
      openapi: $spec.openapi,
      info: ($spec.info + {"x-trimmed": "Operations Hindsight uses only; see testdata/SOURCES.md."}),
      servers: $spec.servers,
      security: $spec.security,
      paths: $paths,
      components: ((.seen | with_entries(.value |= (to_entries | sort_by(.key) | from_entries)))
                   + {securitySchemes: $spec.components.securitySchemes})
    }
' "$spec" >"$out"

echo "wrote $out ($(wc -c <"$out") bytes: $(jq '[.paths[] | keys[] | select(. != "parameters")] | length' "$out") operations, $(jq '[.components[] | keys[]] | length' "$out") components)"
