package devserver

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"
)

const openAPIPath = "testdata/openapi.yml"

var (
	specOnce     sync.Once
	specCompiler *jsonschema.Compiler
	specErr      error
	schemaMu     sync.Mutex
	schemaCache  = map[string]*jsonschema.Schema{}
)

// yamlToJSON turns yaml.v3 values into the JSON-compatible values the
// schema library expects.
func yamlToJSON(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = yamlToJSON(e)
		}
		return out
	case map[any]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[fmt.Sprint(k)] = yamlToJSON(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = yamlToJSON(e)
		}
		return out
	case int:
		return json.Number(fmt.Sprint(x))
	case float64:
		return json.Number(fmt.Sprint(x))
	}
	return v
}

// relaxSpec adjusts the few places where the public schema cannot describe
// the running server (API.md: "where this file and openapi.yml disagree
// about what the server does, this file describes the running server"):
//   - RoleBasedTask is a oneOf of three serializers whose required sets
//     overlap, so no real task can match exactly one; it becomes anyOf.
//   - The task serializers type annotations as a string (a method field);
//     Label Studio returns the list of annotations.
//   - Nullable JSON fields (a storage's meta) are written as
//     oneOf [any, null], which null can never satisfy; they become anyOf.
//   - The project list's count fields are null when ?include= leaves them
//     out (label_studio/projects/serializers.py: IntegerField(default=None)
//     on a count that was not annotated).
func relaxSpec(doc map[string]any) {
	schemas := doc["components"].(map[string]any)["schemas"].(map[string]any)
	listed := schemas["AllRolesProjectList"].(map[string]any)["properties"].(map[string]any)
	for _, name := range projectCountFields {
		if prop, ok := listed[name].(map[string]any); ok {
			listed[name] = map[string]any{"anyOf": []any{prop, map[string]any{"type": "null"}}}
		}
	}
	role := schemas["RoleBasedTask"].(map[string]any)
	role["anyOf"] = role["oneOf"]
	delete(role, "oneOf")
	relaxAnyOrNull(doc)
	for _, name := range []string{"LseTask", "LseTaskSerializerForReviewers", "LseTaskSerializerForAnnotators"} {
		props := schemas[name].(map[string]any)["properties"].(map[string]any)
		props["annotations"] = map[string]any{"type": "array"}
	}
}

// relaxAnyOrNull turns every oneOf that has an unconstrained branch into
// anyOf.
func relaxAnyOrNull(v any) {
	switch x := v.(type) {
	case map[string]any:
		if branches, ok := x["oneOf"].([]any); ok {
			for _, b := range branches {
				if branch, ok := b.(map[string]any); ok && branch["type"] == nil && branch["$ref"] == nil && branch["oneOf"] == nil {
					x["anyOf"] = branches
					delete(x, "oneOf")
					break
				}
			}
		}
		for _, e := range x {
			relaxAnyOrNull(e)
		}
	case []any:
		for _, e := range x {
			relaxAnyOrNull(e)
		}
	}
}

func compileSchema(pointer string) (*jsonschema.Schema, error) {
	specOnce.Do(func() {
		data, err := os.ReadFile(openAPIPath)
		if err != nil {
			specErr = err
			return
		}
		var raw any
		if err := yaml.Unmarshal(data, &raw); err != nil {
			specErr = err
			return
		}
		doc := yamlToJSON(raw).(map[string]any)
		relaxSpec(doc)
		specCompiler = jsonschema.NewCompiler()
		specCompiler.DefaultDraft(jsonschema.Draft2020)
		specErr = specCompiler.AddResource("file:///openapi.json", doc)
	})
	if specErr != nil {
		return nil, specErr
	}
	schemaMu.Lock()
	defer schemaMu.Unlock()
	if sch, ok := schemaCache[pointer]; ok {
		return sch, nil
	}
	sch, err := specCompiler.Compile("file:///openapi.json#" + pointer)
	if err != nil {
		return nil, err
	}
	schemaCache[pointer] = sch
	return sch, nil
}

func escapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// specRoutes maps our paths to the spec's path templates ({kind} filled
// in by the caller).
var specRoutes = []struct {
	re   *regexp.Regexp
	spec string
}{
	{regexp.MustCompile(`^/api/storages/export/([a-z0-9_]+)/?$`), "/api/storages/export/%s"},
	{regexp.MustCompile(`^/api/storages/export/([a-z0-9_]+)/validate$`), "/api/storages/export/%s/validate"},
	{regexp.MustCompile(`^/api/storages/export/([a-z0-9_]+)/[0-9]+$`), "/api/storages/export/%s/{id}"},
	{regexp.MustCompile(`^/api/storages/export/([a-z0-9_]+)/[0-9]+/sync$`), "/api/storages/export/%s/{id}/sync"},
	{regexp.MustCompile(`^/api/storages/([a-z0-9_]+)/?$`), "/api/storages/%s/"},
	{regexp.MustCompile(`^/api/storages/([a-z0-9_]+)/validate$`), "/api/storages/%s/validate"},
	{regexp.MustCompile(`^/api/storages/([a-z0-9_]+)/[0-9]+$`), "/api/storages/%s/{id}"},
	{regexp.MustCompile(`^/api/storages/([a-z0-9_]+)/[0-9]+/sync$`), "/api/storages/%s/{id}/sync"},
	{regexp.MustCompile(`^/api/projects/?$`), "/api/projects/"},
	{regexp.MustCompile(`^/api/projects/[0-9]+/?$`), "/api/projects/{id}/"},
	{regexp.MustCompile(`^/api/tasks/?$`), "/api/tasks/"},
	{regexp.MustCompile(`^/api/tasks/[0-9]+/?$`), "/api/tasks/{id}/"},
	{regexp.MustCompile(`^/api/version/?$`), "/api/version/"},
	{regexp.MustCompile(`^/api/token/?$`), "/api/token/"},
	{regexp.MustCompile(`^/api/token/refresh/?$`), "/api/token/refresh/"},
	{regexp.MustCompile(`^/api/current-user/whoami$`), "/api/current-user/whoami"},
}

// envelopeSchema is the error body of API.md 9, which the public schema
// does not describe. Nested serializers nest their errors: a dict per
// field, a list with one dict per item of a list serializer, and a bare
// string where a serializer's to_internal_value raised a dict of strings,
// which DRF passes on unwrapped (ChildFilterSerializer's "Child filters
// cannot contain nested child filters.", data_manager/serializers.py).
var envelopeSchema = mustCompileJSON("file:///envelope.json", `{
  "type": "object",
  "required": ["id", "status_code", "version", "detail", "exc_info"],
  "properties": {
    "id": {"type": "string", "pattern": "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"},
    "status_code": {"type": "integer"},
    "version": {"type": "string"},
    "detail": {"type": "string"},
    "exc_info": {"type": ["string", "null"]},
    "validation_errors": {"$ref": "#/$defs/fieldErrors"}
  },
  "additionalProperties": false,
  "$defs": {
    "fieldErrors": {"type": "object", "additionalProperties": {"$ref": "#/$defs/errors"}},
    "errors": {"anyOf": [
      {"type": "array", "items": {"anyOf": [{"type": "string"}, {"$ref": "#/$defs/fieldErrors"}]}},
      {"$ref": "#/$defs/fieldErrors"},
      {"type": "string"}
    ]}
  }
}`)

// rawFieldErrorsSchema is DRF's validation error body without Label
// Studio's envelope.
var rawFieldErrorsSchema = mustCompileJSON("file:///field_errors.json", `{
  "type": "object", "minProperties": 1,
  "additionalProperties": {"type": "array", "items": {"type": "string"}}
}`)

// checkResponseSchema validates every answer the tests receive: success
// bodies against the operation's response schema in openapi.yml, error
// bodies against the envelope, with the documented exceptions.
func checkResponseSchema(t *testing.T, method string, u *url.URL, r response) {
	t.Helper()
	p := u.Path
	switch {
	case strings.HasPrefix(p, "/_dev/"):
		return // test hooks, not Label Studio's API
	case strings.HasPrefix(r.header.Get("Content-Type"), "text/html"):
		if r.status != http.StatusNotFound {
			t.Errorf("%s %s: HTML answer with status %d", method, p, r.status)
		}
		return // Django's not-found page for unmatched URLs (API.md 1)
	case r.status >= 400:
		if strings.HasPrefix(r.header.Get("Content-Type"), "text/plain") {
			return // an injected gateway fault, not Label Studio
		}
		if strings.HasSuffix(p, "/sync") && r.status == http.StatusBadRequest && bytes.HasPrefix(r.body, []byte(`{"message":`)) {
			return // non-synchronizable storage: {"message": …} (API.md 6.1)
		}
		if strings.TrimSuffix(p, "/") == "/api/projects/validate" {
			// LabelConfigValidateAPI answers with DRF's own handler: the
			// field errors alone, no envelope (projects/api.py).
			validateInstance(t, method+" "+p, rawFieldErrorsSchema, r.body)
			return
		}
		validateInstance(t, method+" "+p, envelopeSchema, r.body)
		return
	case r.status == http.StatusNoContent:
		if len(r.body) != 0 {
			t.Errorf("%s %s: 204 with a body", method, p)
		}
		return // delete: the spec says 200, the server sends 204 (API.md 1)
	}
	if strings.HasSuffix(p, "/validate") {
		if len(r.body) != 0 {
			t.Errorf("%s %s: validate answered a body: %s", method, p, r.body)
		}
		return // the spec's empty object; the server sends an empty body (API.md 1)
	}
	if p == "/api/storages/types" || p == "/api/storages/export/types" {
		dir := "types"
		if strings.Contains(p, "export") {
			dir = "export/types"
		}
		checkOperation(t, "/api/storages/"+dir, "get", "200", r.body)
		return
	}
	if p == "/api/storages/" || p == "/api/storages" || p == "/api/storages/export" {
		// Not in the spec: a concatenation of the per-kind lists; each item
		// must match its own kind's schema.
		var items []json.RawMessage
		if err := json.Unmarshal(r.body, &items); err != nil {
			t.Errorf("%s %s: not an array: %s", method, p, r.body)
			return
		}
		for _, item := range items {
			var head struct{ Type string }
			_ = json.Unmarshal(item, &head)
			spec := "/api/storages/" + head.Type + "/{id}"
			if strings.HasSuffix(p, "export") {
				spec = "/api/storages/export/" + head.Type + "/{id}"
			}
			checkOperation(t, spec, "get", "200", item)
		}
		return
	}
	if checkWebhookSchemas(t, method, p, r) {
		return
	}
	for _, route := range specRoutes {
		m := route.re.FindStringSubmatch(p)
		if m == nil {
			continue
		}
		spec := route.spec
		if len(m) > 1 {
			spec = fmt.Sprintf(spec, m[1])
		}
		op := strings.ToLower(method)
		if method == http.MethodPut {
			op = "patch" // PUT works but is hidden from the schema (API.md 1)
		}
		checkOperation(t, spec, op, fmt.Sprint(r.status), r.body)
		return
	}
	if checkSDKSchema(t, method, p, r.body) {
		return
	}
	t.Errorf("%s %s: no schema mapping for this response", method, p)
}

func checkOperation(t *testing.T, specPath, op, status string, body []byte) {
	t.Helper()
	pointer := "/paths/" + escapePointer(specPath) + "/" + op + "/responses/" + status + "/content/application~1json/schema"
	sch, err := compileSchema(pointer)
	if err != nil {
		t.Errorf("schema %s: %v", pointer, err)
		return
	}
	validateInstance(t, op+" "+specPath, sch, body)
}

func validateInstance(t *testing.T, what string, sch *jsonschema.Schema, body []byte) {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		t.Errorf("%s: body is not JSON: %v: %q", what, err, body)
		return
	}
	if err := sch.Validate(inst); err != nil {
		t.Errorf("%s: response does not match the schema: %v\nbody: %s", what, err, body)
	}
}

// mustCompileJSON compiles a schema written in the test.
func mustCompileJSON(location, text string) *jsonschema.Schema {
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(text))
	if err != nil {
		panic(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(location, doc); err != nil {
		panic(err)
	}
	return c.MustCompile(location)
}
