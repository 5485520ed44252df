// Package kubernetes holds Hindsight's kustomize base; its tests render it and check every manifest
// against the Kubernetes API's OpenAPI schema, offline.
package kubernetes

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"k8s.io/kube-openapi/pkg/validation/spec"
	"k8s.io/kube-openapi/pkg/validation/strfmt"
	"k8s.io/kube-openapi/pkg/validation/validate"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/kustomize/kyaml/openapi"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// render builds the kustomization in dir and returns its objects.
func render(t *testing.T, fs filesys.FileSystem, dir string) []map[string]any {
	t.Helper()
	resources, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(fs, dir)
	if err != nil {
		t.Fatalf("kustomize build %s: %v", dir, err)
	}
	var objects []map[string]any
	for _, r := range resources.Resources() {
		m, err := r.Map()
		if err != nil {
			t.Fatal(err)
		}
		objects = append(objects, m)
	}
	return objects
}

// schemaFor returns the strict schema of a kind: the Kubernetes OpenAPI definition that kustomize carries
// (kyaml's built-in copy of the API's swagger), references expanded and unknown fields refused, as
// `kubectl apply --validate=strict` refuses them.
func schemaFor(apiVersion, kind string) (*spec.Schema, error) {
	rs := openapi.SchemaForResourceType(yaml.TypeMeta{APIVersion: apiVersion, Kind: kind})
	if rs.IsMissingOrNull() {
		return nil, fmt.Errorf("no schema for %s %s (%s)", apiVersion, kind, openapi.GetSchemaVersion())
	}
	return strict(rs.Schema, 0)
}

// strict returns a copy of s with every $ref replaced by its definition and additionalProperties false on
// every object that lists its properties. Kubernetes' int-or-string and quantity fields accept both.
func strict(s *spec.Schema, depth int) (*spec.Schema, error) {
	if depth > 40 {
		return nil, fmt.Errorf("schema nested too deep")
	}
	out := *s
	ref := out.Ref.String()
	if ref != "" {
		r, err := openapi.Resolve(&out.Ref, openapi.Schema())
		if err != nil {
			return nil, fmt.Errorf("resolve %s: %w", out.Ref.String(), err)
		}
		desc := out.Description
		out = *r
		if out.Description == "" {
			out.Description = desc
		}
	}
	if out.Format == "int-or-string" || strings.HasSuffix(ref, ".IntOrString") || strings.HasSuffix(ref, ".Quantity") {
		out.Type, out.Format = nil, ""
	}
	if len(out.Properties) > 0 {
		props := make(map[string]spec.Schema, len(out.Properties))
		for name, p := range out.Properties {
			e, err := strict(&p, depth+1)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			props[name] = *e
		}
		out.Properties = props
		if out.AdditionalProperties == nil {
			out.AdditionalProperties = &spec.SchemaOrBool{Allows: false}
		}
	}
	if ap := out.AdditionalProperties; ap != nil && ap.Schema != nil {
		e, err := strict(ap.Schema, depth+1)
		if err != nil {
			return nil, err
		}
		out.AdditionalProperties = &spec.SchemaOrBool{Allows: true, Schema: e}
	}
	if it := out.Items; it != nil && it.Schema != nil {
		e, err := strict(it.Schema, depth+1)
		if err != nil {
			return nil, err
		}
		out.Items = &spec.SchemaOrArray{Schema: e}
	}
	return &out, nil
}

// check validates one object against its kind's schema.
func check(obj map[string]any) error {
	apiVersion, _ := obj["apiVersion"].(string)
	kind, _ := obj["kind"].(string)
	s, err := schemaFor(apiVersion, kind)
	if err != nil {
		return err
	}
	return validate.AgainstSchema(s, obj, strfmt.Default)
}

func name(obj map[string]any) string {
	md, _ := obj["metadata"].(map[string]any)
	return fmt.Sprintf("%v/%v", obj["kind"], md["name"])
}

func TestManifestsMatchTheKubernetesSchemas(t *testing.T) {
	objects := render(t, filesys.MakeFsOnDisk(), ".")
	var names []string
	for _, obj := range objects {
		names = append(names, name(obj))
		if err := check(obj); err != nil {
			t.Errorf("%s: %v", name(obj), err)
		}
	}
	sort.Strings(names)
	if got, want := strings.Join(names, " "), "ConfigMap/hindsight-config-"; !strings.Contains(got, want) {
		t.Errorf("rendered %s, want a generated %s…", got, want)
	}
	for _, want := range []string{"Deployment/hindsight-api", "Deployment/hindsight-worker", "Service/hindsight",
		"PodDisruptionBudget/hindsight-api", "PodDisruptionBudget/hindsight-worker"} {
		if !strings.Contains(strings.Join(names, " "), want) {
			t.Errorf("rendered %v, want %s", names, want)
		}
	}
}

// path reads a nested field of obj; an int element indexes a list.
func path(obj any, keys ...any) any {
	for _, k := range keys {
		switch k := k.(type) {
		case string:
			m, _ := obj.(map[string]any)
			obj = m[k]
		case int:
			l, _ := obj.([]any)
			if k >= len(l) {
				return nil
			}
			obj = l[k]
		}
	}
	return obj
}

func TestDeploymentsAreHardenedAndDrainInTime(t *testing.T) {
	objects := render(t, filesys.MakeFsOnDisk(), ".")
	roles := map[string]string{"hindsight-api": "api", "hindsight-worker": "worker"}
	var configMap string
	for _, obj := range objects {
		if obj["kind"] == "ConfigMap" {
			configMap, _ = path(obj, "metadata", "name").(string)
		}
	}
	for _, obj := range objects {
		if obj["kind"] != "Deployment" {
			continue
		}
		n := path(obj, "metadata", "name").(string)
		pod := path(obj, "spec", "template", "spec")
		c := path(pod, "containers", 0)
		checks := []struct {
			what string
			got  any
			want string
		}{
			{"replicas", path(obj, "spec", "replicas"), "2"},
			{"role", path(c, "args"), fmt.Sprint([]any{"serve", "--role", roles[n]})},
			{"runAsNonRoot", path(pod, "securityContext", "runAsNonRoot"), "true"},
			{"readOnlyRootFilesystem", path(c, "securityContext", "readOnlyRootFilesystem"), "true"},
			{"allowPrivilegeEscalation", path(c, "securityContext", "allowPrivilegeEscalation"), "false"},
			{"liveness probe", path(c, "livenessProbe", "httpGet", "path"), "/healthz"},
			{"readiness probe", path(c, "readinessProbe", "httpGet", "path"), "/readyz"},
			{"memory limit set", path(c, "resources", "limits", "memory") != nil, "true"},
			{"config volume", path(pod, "volumes", 0, "configMap", "name"), configMap},
		}
		for _, ch := range checks {
			if fmt.Sprint(ch.got) != ch.want {
				t.Errorf("%s: %s = %v, want %s", n, ch.what, ch.got, ch.want)
			}
		}
		if grace, _ := path(pod, "terminationGracePeriodSeconds").(int); grace <= 25 {
			t.Errorf("%s: terminationGracePeriodSeconds %v, want more than Hindsight's 25 s drain", n, grace)
		}
		for _, e := range path(c, "env").([]any) {
			env := e.(map[string]any)
			envName := env["name"].(string)
			if strings.Contains(envName, "TOKEN") || strings.Contains(envName, "SECRET") || envName == "HINDSIGHT_REDIS_URL" || envName == "HINDSIGHT_SMTP_URL" {
				if path(env, "valueFrom", "secretKeyRef", "name") != "hindsight" || env["value"] != nil {
					t.Errorf("%s: %s is not read from the Secret hindsight", n, envName)
				}
			}
		}
	}
}

// TestSchemaCheckRefusesBadManifests shows the check can fail: each case breaks a valid Deployment once.
func TestSchemaCheckRefusesBadManifests(t *testing.T) {
	const good = `apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec:
  replicas: 2
  selector: {matchLabels: {app: d}}
  template:
    metadata: {labels: {app: d}}
    spec:
      containers:
        - name: c
          image: hindsight
          ports: [{containerPort: 8080}]
          readinessProbe: {httpGet: {path: /readyz, port: 8080}}
          resources: {limits: {memory: 256Mi, cpu: 1}}
`
	tests := []struct{ name, from, to, want string }{
		{"valid", "", "", ""},
		{"unknown field", "          image: hindsight", "          imagee: hindsight", "imagee"},
		{"wrong type", "replicas: 2", `replicas: "two"`, "replicas"},
		{"missing required field", "        - name: c\n          image", "        - image", "name"},
		{"misplaced field", "      containers:", "      terminationGracePeriod: 30\n      containers:", "terminationGracePeriod"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := filesys.MakeFsInMemory()
			doc := strings.Replace(good, tt.from, tt.to, 1)
			if tt.from != "" && doc == good {
				t.Fatalf("the case does not change the manifest")
			}
			_ = fs.WriteFile("/k/kustomization.yaml", []byte("resources: [d.yaml]\n"))
			_ = fs.WriteFile("/k/d.yaml", []byte(doc))
			var errs []string
			for _, obj := range render(t, fs, "/k") {
				if err := check(obj); err != nil {
					errs = append(errs, err.Error())
				}
			}
			got := strings.Join(errs, "; ")
			switch {
			case tt.want == "" && got != "":
				t.Errorf("valid manifest refused: %s", got)
			case tt.want != "" && !strings.Contains(got, tt.want):
				t.Errorf("error %q, want one naming %q", got, tt.want)
			}
		})
	}
}
