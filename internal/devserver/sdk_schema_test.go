package devserver

import (
	"encoding/json"
	"regexp"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Objects the public openapi.yml does not cover are checked against the
// shapes of the official SDK's types (label-studio-sdk
// src/label_studio_sdk/types/ml_backend.py and view.py), written here as
// JSON schemas: required fields and their types, secrets absent.
var (
	mlBackendSchema = mustCompileJSON("file:///ml_backend.json", `{
  "type": "object",
  "required": ["id", "url", "project", "state", "readable_state", "created_at", "updated_at"],
  "not": {"required": ["basic_auth_pass"]},
  "properties": {
    "id": {"type": "integer"}, "url": {"type": "string"}, "project": {"type": "integer"},
    "state": {"enum": ["CO", "DI", "ER", "TR", "PR"]}, "readable_state": {"type": "string"},
    "is_interactive": {"type": "boolean"}, "error_message": {"type": ["string", "null"]},
    "title": {"type": ["string", "null"]}, "auth_method": {"enum": ["NONE", "BASIC_AUTH"]},
    "basic_auth_user": {"type": ["string", "null"]}, "basic_auth_pass_is_set": {"type": "boolean"},
    "description": {"type": ["string", "null"]}, "extra_params": {},
    "model_version": {"type": ["string", "null"]}, "timeout": {"type": "number"},
    "created_at": {"type": "string"}, "updated_at": {"type": "string"}, "auto_update": {"type": "boolean"}
  }
}`)
	viewSchema = mustCompileJSON("file:///view.json", `{
  "type": "object",
  "required": ["id", "project", "data"],
  "properties": {
    "id": {"type": "integer"}, "project": {"type": "integer"}, "data": {"type": ["object", "null"]},
    "order": {"type": ["integer", "null"]}, "user": {"type": ["integer", "null"]}
  }
}`)
)

var projectValidateSchema = mustCompileJSON("file:///project_validate.json", `{
  "type": "object", "required": ["config_essential_data_has_changed"], "additionalProperties": false,
  "properties": {"config_essential_data_has_changed": {"type": ["boolean", "null"]}}
}`)

var sdkRoutes = []struct {
	re     *regexp.Regexp
	schema *jsonschema.Schema
	list   bool
}{
	{regexp.MustCompile(`^/api/ml/?$`), mlBackendSchema, true},
	{regexp.MustCompile(`^/api/ml/[0-9]+$`), mlBackendSchema, false},
	{regexp.MustCompile(`^/api/dm/views/?$`), viewSchema, true},
	{regexp.MustCompile(`^/api/dm/views/[0-9]+/$`), viewSchema, false},
	// ProjectLabelConfigValidateAPI: the spec's ProjectLabelConfig is not
	// what the view returns (projects/api.py).
	{regexp.MustCompile(`^/api/projects/[0-9]+/validate/$`), projectValidateSchema, false},
	// update_order answers Response(status=200): no body.
	{regexp.MustCompile(`^/api/dm/views/order/?$`), nil, false},
}

// checkSDKSchema validates a success answer of an SDK-only route; false
// when the path is not one.
func checkSDKSchema(t *testing.T, method, path string, body []byte) bool {
	t.Helper()
	for _, route := range sdkRoutes {
		if !route.re.MatchString(path) {
			continue
		}
		if route.schema == nil {
			if len(body) != 0 {
				t.Errorf("%s %s: a body where Label Studio sends none: %s", method, path, body)
			}
			return true
		}
		if !route.list || method == "POST" {
			validateInstance(t, method+" "+path, route.schema, body)
			return true
		}
		var items []json.RawMessage
		if err := json.Unmarshal(body, &items); err != nil {
			t.Errorf("%s %s: not an array: %s", method, path, body)
			return true
		}
		for _, item := range items {
			validateInstance(t, method+" "+path, route.schema, item)
		}
		return true
	}
	return false
}
