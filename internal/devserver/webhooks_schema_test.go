package devserver

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// The public schema (testdata/openapi.yml) has no webhook or annotation
// paths; these schemas follow the serializers instead:
// label_studio/webhooks/serializers.py WebhookSerializer (fields, read-only
// consecutive_failures), webhooks/api.py WebhookInfoAPI (its declared
// response) and tasks/serializers.py AnnotationSerializer.

var webhookSchema = mustCompileJSON("file:///webhook.json", `{
  "type": "object",
  "required": ["id", "organization", "project", "url", "send_payload", "send_for_all_actions", "headers",
    "is_active", "consecutive_failures", "actions", "created_at", "updated_at"],
  "additionalProperties": false,
  "properties": {
    "id": {"type": "integer"},
    "organization": {"type": "integer"},
    "project": {"type": ["integer", "null"]},
    "url": {"type": "string", "maxLength": 2048},
    "send_payload": {"type": "boolean"},
    "send_for_all_actions": {"type": "boolean"},
    "headers": {"type": "object", "maxProperties": 10, "additionalProperties": {"type": "string"}},
    "is_active": {"type": "boolean"},
    "consecutive_failures": {"type": "integer", "minimum": 0},
    "actions": {"type": "array", "items": {"enum": ["PROJECT_CREATED", "PROJECT_UPDATED", "PROJECT_DELETED",
      "TASKS_CREATED", "TASKS_DELETED", "ANNOTATION_CREATED", "ANNOTATIONS_CREATED", "ANNOTATION_UPDATED",
      "ANNOTATIONS_DELETED", "LABEL_LINK_CREATED", "LABEL_LINK_UPDATED", "LABEL_LINK_DELETED"]}},
    "created_at": {"type": "string", "format": "date-time"},
    "updated_at": {"type": "string", "format": "date-time"}
  }
}`)

var webhookInfoSchema = mustCompileJSON("file:///webhook-info.json", `{
  "type": "object",
  "additionalProperties": {
    "type": "object",
    "required": ["name", "description", "key", "organization-only"],
    "additionalProperties": false,
    "properties": {
      "name": {"type": "string"}, "description": {"type": "string"}, "key": {"type": "string"},
      "organization-only": {"type": "boolean"}
    }
  }
}`)

var annotationSchema = mustCompileJSON("file:///annotation.json", `{
  "type": "object",
  "required": ["id", "task", "project", "result", "created_at", "updated_at", "completed_by"],
  "properties": {
    "id": {"type": "integer"}, "task": {"type": "integer"}, "project": {"type": "integer"},
    "result": {"type": ["array", "null"]}, "completed_by": {"type": "integer"}
  }
}`)

var (
	webhookItemPath       = regexp.MustCompile(`^/api/webhooks/[0-9]+/?$`)
	annotationsOfTaskPath = regexp.MustCompile(`^/api/tasks/[0-9]+/annotations/?$`)
)

// checkWebhookSchemas checks the answers of the paths above; it reports
// whether p is one of them.
func checkWebhookSchemas(t *testing.T, method, p string, r response) bool {
	t.Helper()
	var single *jsonschema.Schema
	list := false
	switch {
	case strings.TrimSuffix(p, "/") == "/api/webhooks/info":
		validateInstance(t, method+" "+p, webhookInfoSchema, r.body)
		return true
	case strings.TrimSuffix(p, "/") == "/api/webhooks":
		single, list = webhookSchema, method == "GET"
	case webhookItemPath.MatchString(p):
		single = webhookSchema
	case annotationsOfTaskPath.MatchString(p):
		single, list = annotationSchema, method == "GET"
	default:
		return false
	}
	if !list {
		validateInstance(t, method+" "+p, single, r.body)
		return true
	}
	var items []json.RawMessage
	if err := json.Unmarshal(r.body, &items); err != nil {
		t.Errorf("%s %s: not an array: %s", method, p, r.body)
		return true
	}
	for _, item := range items {
		validateInstance(t, method+" "+p, single, item)
	}
	return true
}
