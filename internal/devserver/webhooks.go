package devserver

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Webhooks (API.md 18), after label_studio/webhooks: models.py (Webhook,
// WebhookAction.ACTIONS, HEADERS_SCHEMA), serializers.py (WebhookSerializer,
// WebhookSerializerForUpdate), api.py (WebhookListAPI, WebhookAPI,
// WebhookInfoAPI, WebhookFilterSet) and urls.py.

// webhook is one row of the webhook table with its WebhookAction rows.
type webhook struct {
	ID int64 `json:"id"`
	// Project is 0 for an organisation webhook (project null), which the
	// Community API cannot create.
	Project           int64             `json:"project"`
	URL               string            `json:"url"`
	SendPayload       bool              `json:"send_payload"`
	SendForAllActions bool              `json:"send_for_all_actions"`
	Headers           map[string]string `json:"headers"`
	IsActive          bool              `json:"is_active"`
	// ConsecutiveFailures counts failed deliveries since the last success
	// (migrations/0005_webhook_consecutive_failures.py).
	ConsecutiveFailures int `json:"consecutive_failures"`
	// Actions are the WebhookAction rows, in the order they were created.
	Actions   []string `json:"actions"`
	CreatedAt string   `json:"created_at"`
	UpdatedAt string   `json:"updated_at"`
}

// webhookAction is one entry of WebhookAction.ACTIONS.
type webhookAction struct {
	name             string // the action, e.g. TASKS_CREATED
	title            string // 'name' in the info endpoint
	key              string // the payload key of the serialized objects
	organizationOnly bool
}

// Webhook actions, in the order of WebhookAction.ACTIONS (Community).
const (
	actionProjectCreated    = "PROJECT_CREATED"
	actionProjectUpdated    = "PROJECT_UPDATED"
	actionProjectDeleted    = "PROJECT_DELETED"
	actionTasksCreated      = "TASKS_CREATED"
	actionTasksDeleted      = "TASKS_DELETED"
	actionAnnotationCreated = "ANNOTATION_CREATED"
)

var webhookActions = []webhookAction{
	{actionProjectCreated, "Project created", "project", true},
	{actionProjectUpdated, "Project updated", "project", false},
	{actionProjectDeleted, "Project deleted", "project", true},
	{actionTasksCreated, "Task created", "tasks", false},
	{actionTasksDeleted, "Task deleted", "tasks", false},
	{actionAnnotationCreated, "Annotation created", "annotation", false},
	{"ANNOTATIONS_CREATED", "Annotations created", "annotation", false},
	{"ANNOTATION_UPDATED", "Annotation updated", "annotation", false},
	{"ANNOTATIONS_DELETED", "Annotation deleted", "annotations", false},
	{"LABEL_LINK_CREATED", "Label link created", "label_link", false},
	{"LABEL_LINK_UPDATED", "Label link updated", "label_link", false},
	{"LABEL_LINK_DELETED", "Label link deleted", "label_link", false},
}

func lookupWebhookAction(name string) (webhookAction, bool) {
	for _, a := range webhookActions {
		if a.name == name {
			return a, true
		}
	}
	return webhookAction{}, false
}

// Messages of the webhook API, verbatim.
const (
	msgOrgOnlyAction        = "Project webhook can't contain organization-only action."
	msgWebhookProjectAbsent = "Project not found."
	msgInvalidFilterChoice  = "Select a valid choice. That choice is not one of the available choices."
	webhookURLMaxLength     = 2048
	webhookHeadersMaxCount  = 10
)

// webhookHeaderKey is HEADERS_SCHEMA's patternProperties key. jsonschema
// uses re.search, whose "$" also matches before a final newline.
var webhookHeaderKey = regexp.MustCompile(`^[a-zA-Z0-9_-]+\n?$`)

// webhookMode is which serializer validates a body.
type webhookMode int

const (
	webhookCreate webhookMode = iota // WebhookSerializer
	webhookPut                       // WebhookSerializerForUpdate, partial=False
	webhookPatch                     // WebhookSerializerForUpdate, partial=True
)

// webhookInput is a validated body: set names the fields it carries.
type webhookInput struct {
	set               map[string]bool
	project           int64
	url               string
	sendPayload       bool
	sendForAllActions bool
	isActive          bool
	headers           map[string]string
	actions           []string
}

// cleanWebhookBody validates a body the way WebhookSerializer does; the
// caller holds s.mu (the project lookup). raw holds the JSON of each
// top-level field, for messages that quote a value in its own key order.
func (s *Server) cleanWebhookBody(body map[string]any, raw map[string]json.RawMessage, mode webhookMode) (*webhookInput, error) {
	in := &webhookInput{set: map[string]bool{}}
	errs := map[string]any{}
	fail := func(field string, msgs ...string) { errs[field] = msgs }
	has := func(field string) (any, bool) {
		v, ok := body[field]
		return v, ok
	}

	// project: writable on create only (WebhookSerializerForUpdate makes it
	// read-only); a PrimaryKeyRelatedField over every project.
	if v, ok := has("project"); ok && mode == webhookCreate && v != nil {
		if id, msg := s.webhookProjectField(v); msg != "" {
			fail("project", msg)
		} else {
			in.project = id
			in.set["project"] = true
		}
	}

	if v, ok := has("url"); !ok {
		if mode != webhookPatch {
			fail("url", "This field is required.")
		}
	} else if text, msgs := cleanWebhookURL(v); len(msgs) > 0 {
		fail("url", msgs...)
	} else {
		in.url = text
		in.set["url"] = true
	}

	for _, b := range []struct {
		name string
		dst  *bool
	}{{"send_payload", &in.sendPayload}, {"send_for_all_actions", &in.sendForAllActions}, {"is_active", &in.isActive}} {
		v, ok := has(b.name)
		if !ok {
			continue
		}
		value, msg := convert(fieldSpec{name: b.name, typ: typeBool}, v)
		if msg != "" {
			fail(b.name, msg)
			continue
		}
		*b.dst, _ = value.(bool)
		in.set[b.name] = true
	}

	if v, ok := has("headers"); ok {
		if headers, msg := cleanWebhookHeaders(v, raw["headers"]); msg != "" {
			fail("headers", msg)
		} else {
			in.headers = headers
			in.set["headers"] = true
		}
	}

	// actions: ListField(default=[]); absent on a PATCH, DRF skips it, and
	// validate() still stores [] (see below).
	in.actions = []string{}
	if v, ok := has("actions"); ok {
		actions, problem := cleanWebhookActions(v)
		if problem != nil {
			errs["actions"] = problem
		} else {
			in.actions = actions
		}
	}
	if len(errs) > 0 {
		return nil, validationError(errs)
	}

	// validate(): attrs.pop('_actions', []) then attrs['_actions'] = actions,
	// so every body, a PATCH without actions included, carries a list, and
	// update() replaces the stored actions with it. The organisation-only
	// check sees the project only when the body sets it, i.e. on create.
	in.set["actions"] = true
	if in.project != 0 {
		for _, name := range in.actions {
			if a, _ := lookupWebhookAction(name); a.organizationOnly {
				return nil, fieldError("", msgOrgOnlyAction)
			}
		}
	}
	return in, nil
}

// webhookProjectField is PrimaryKeyRelatedField.to_internal_value.
func (s *Server) webhookProjectField(v any) (int64, string) {
	var text string
	switch x := v.(type) {
	case bool:
		return 0, "Incorrect type. Expected pk value, received bool."
	case json.Number:
		text = x.String()
	case string:
		text = x
	default:
		return 0, fmt.Sprintf("Incorrect type. Expected pk value, received %s.", pythonTypeName(v))
	}
	id, ok := toInt(v)
	if !ok {
		// Django's int() of the lookup value raises ValueError.
		return 0, fmt.Sprintf("Incorrect type. Expected pk value, received %s.", pythonTypeName(v))
	}
	if _, found := s.st.Projects[id]; !found {
		return 0, fmt.Sprintf("Invalid pk \"%s\" - object does not exist.", text)
	}
	return id, ""
}

// cleanWebhookURL is DRF's URLField built from the model's URLField: blank
// and type checks, trimming, then MaxLengthValidator and URLValidator, whose
// messages both appear when both fail.
func cleanWebhookURL(v any) (string, []string) {
	var text string
	switch x := v.(type) {
	case nil:
		return "", []string{"This field may not be null."}
	case string:
		text = x
	case json.Number:
		text = x.String()
	default:
		return "", []string{"Not a valid string."}
	}
	text = strings.TrimSpace(text)
	if text == "" {
		return "", []string{"This field may not be blank."}
	}
	var msgs []string
	if utf8.RuneCountInString(text) > webhookURLMaxLength {
		msgs = append(msgs, fmt.Sprintf("Ensure this field has no more than %d characters.", webhookURLMaxLength))
	}
	if !validDjangoURL(text) {
		msgs = append(msgs, msgInvalidURL)
	}
	return text, msgs
}

// cleanWebhookHeaders checks HEADERS_SCHEMA: an object of at most 10
// string values whose keys are letters, digits, "-" and "_". Any violation
// is JSONSchemaValidator's one message quoting the value.
func cleanWebhookHeaders(v any, raw json.RawMessage) (map[string]string, string) {
	if v == nil {
		return nil, "This field may not be null."
	}
	obj, isObject := v.(map[string]any)
	valid := isObject && len(obj) <= webhookHeadersMaxCount
	headers := map[string]string{}
	for key, value := range obj {
		text, isText := value.(string)
		if !isText || !webhookHeaderKey.MatchString(key) {
			valid = false
			break
		}
		headers[key] = text
	}
	if valid {
		return headers, ""
	}
	if raw == nil {
		raw, _ = json.Marshal(plainValue(v))
	}
	return nil, pythonStrOfJSON(raw) + " failed JSON schema check"
}

// cleanWebhookActions is ListField(child=ChoiceField(ACTIONS)): per-item
// errors are keyed by the item's index. Duplicates collapse, as set_actions
// stores a set.
func cleanWebhookActions(v any) ([]string, any) {
	items, ok := v.([]any)
	if !ok {
		if v == nil {
			return nil, []string{"This field may not be null."}
		}
		return nil, []string{fmt.Sprintf("Expected a list of items but got type \"%s\".", pythonTypeName(v))}
	}
	itemErrs := map[string]any{}
	var out []string
	for i, item := range items {
		if item == nil {
			itemErrs[strconv.Itoa(i)] = []string{"This field may not be null."}
			continue
		}
		text := choiceText(item)
		if _, known := lookupWebhookAction(text); !known {
			itemErrs[strconv.Itoa(i)] = []string{fmt.Sprintf("\"%s\" is not a valid choice.", text)}
			continue
		}
		if !slices.Contains(out, text) {
			out = append(out, text)
		}
	}
	if len(itemErrs) > 0 {
		return nil, itemErrs
	}
	if out == nil {
		out = []string{}
	}
	return out, nil
}

// choiceText is str() of a ChoiceField input.
func choiceText(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	data, err := json.Marshal(plainValue(v))
	if err != nil {
		return fmt.Sprint(v)
	}
	return pythonStrOfJSON(data)
}

// setActions is Webhook.set_actions: kept rows stay, new ones are added,
// missing ones deleted.
func (wh *webhook) setActions(actions []string) {
	kept := []string{}
	for _, a := range wh.Actions {
		if slices.Contains(actions, a) {
			kept = append(kept, a)
		}
	}
	for _, a := range actions {
		if !slices.Contains(kept, a) {
			kept = append(kept, a)
		}
	}
	wh.Actions = kept
}

// apply writes validated fields; update() first resets the failure count
// when the webhook is re-activated or its URL or headers change.
func (wh *webhook) apply(in *webhookInput, now time.Time) {
	reactivating := in.set["is_active"] && in.isActive && !wh.IsActive
	endpointChanged := (in.set["url"] && in.url != wh.URL) || (in.set["headers"] && !maps.Equal(in.headers, wh.Headers))
	if reactivating || endpointChanged {
		wh.ConsecutiveFailures = 0
	}
	if in.set["url"] {
		wh.URL = in.url
	}
	if in.set["send_payload"] {
		wh.SendPayload = in.sendPayload
	}
	if in.set["send_for_all_actions"] {
		wh.SendForAllActions = in.sendForAllActions
	}
	if in.set["is_active"] {
		wh.IsActive = in.isActive
	}
	if in.set["headers"] {
		wh.Headers = in.headers
	}
	if in.set["actions"] {
		wh.setActions(in.actions)
	}
	wh.UpdatedAt = isoTime(now)
}

// addWebhookLocked stores a new webhook with the model's defaults changed
// by in; the caller holds s.mu.
func (s *Server) addWebhookLocked(in *webhookInput, now time.Time) *webhook {
	wh := &webhook{
		ID: s.st.nextID("webhook"), Project: in.project, SendPayload: true, SendForAllActions: true,
		Headers: map[string]string{}, IsActive: true, Actions: []string{}, CreatedAt: isoTime(now),
	}
	wh.apply(in, now)
	s.st.Webhooks[wh.ID] = wh
	return wh
}

// createMLWebhookLocked is ml/models.py create_ml_webhook, run when an ML
// backend is created: a project webhook to <url>/webhook that sends
// payloads for every action, unless the project already has one with that
// URL; a URL the serializer refuses (a single-label host) is skipped
// silently. It returns the webhook created, or nil. The caller holds s.mu
// and persists.
func (s *Server) createMLWebhookLocked(project int64, mlBackendURL string) *webhook {
	hookURL := strings.TrimRight(mlBackendURL, "/") + "/webhook"
	for _, wh := range s.st.Webhooks {
		if wh.Project == project && wh.URL == hookURL {
			return nil
		}
	}
	body := map[string]any{"project": json.Number(strconv.FormatInt(project, 10)), "url": hookURL,
		"send_payload": true, "send_for_all_actions": true}
	in, err := s.cleanWebhookBody(body, nil, webhookCreate)
	if err != nil || in.project == 0 {
		return nil
	}
	return s.addWebhookLocked(in, time.Now())
}

// webhookJSON is WebhookSerializer's representation.
func webhookJSON(wh *webhook) map[string]any {
	var project any
	if wh.Project != 0 {
		project = wh.Project
	}
	headers := wh.Headers
	if headers == nil {
		headers = map[string]string{}
	}
	actions := wh.Actions
	if actions == nil {
		actions = []string{}
	}
	return map[string]any{
		"id": wh.ID, "organization": bootstrapOrganizationID, "project": project, "url": wh.URL,
		"send_payload": wh.SendPayload, "send_for_all_actions": wh.SendForAllActions, "headers": headers,
		"is_active": wh.IsActive, "consecutive_failures": wh.ConsecutiveFailures, "actions": actions,
		"created_at": wh.CreatedAt, "updated_at": wh.UpdatedAt,
	}
}

// bootstrapOrganizationID is the one organisation of the stand-in.
const bootstrapOrganizationID = 1

// readWebhookBody reads a body like readBody and also keeps each top-level
// JSON field's raw text.
func readWebhookBody(r *http.Request) (map[string]any, map[string]json.RawMessage, error) {
	data, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes))
	if err != nil {
		return nil, nil, &apiError{status: http.StatusBadRequest, detail: "JSON parse error - " + err.Error()}
	}
	r.Body = io.NopCloser(bytes.NewReader(data))
	body, err := readBody(r)
	if err != nil {
		return nil, nil, err
	}
	var raw map[string]json.RawMessage
	_ = json.Unmarshal(data, &raw) // form bodies have no raw JSON
	return body, raw, nil
}

// handleWebhookList: the organisation's webhooks, not paginated, filtered by
// WebhookFilterSet's project (a ModelChoiceFilter over every project whose
// null choice is the value "null").
func (s *Server) handleWebhookList(w http.ResponseWriter, r *http.Request, _ routeParams) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	filter, hasFilter := int64(0), false
	if raw := r.URL.Query().Get("project"); raw != "" {
		hasFilter = true
		if raw != "null" {
			id, err := strconv.ParseInt(strings.TrimSpace(raw), 10, 64)
			if _, found := s.st.Projects[id]; err != nil || !found {
				return fieldError("project", msgInvalidFilterChoice)
			}
			filter = id
		}
	}
	list := []map[string]any{}
	for _, wh := range s.sortedWebhooksLocked() {
		if !hasFilter || wh.Project == filter {
			list = append(list, webhookJSON(wh))
		}
	}
	writeJSON(w, http.StatusOK, list)
	return nil
}

func (s *Server) sortedWebhooksLocked() []*webhook {
	list := make([]*webhook, 0, len(s.st.Webhooks))
	for _, wh := range s.st.Webhooks {
		list = append(list, wh)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].ID < list[j].ID })
	return list
}

// handleWebhookCreate: validation first (400), then perform_create, which
// refuses a missing or foreign project with 404 "Project not found.".
// Creating a webhook sends nothing.
func (s *Server) handleWebhookCreate(w http.ResponseWriter, r *http.Request, _ routeParams) error {
	body, raw, err := readWebhookBody(r)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	in, err := s.cleanWebhookBody(body, raw, webhookCreate)
	if err != nil {
		return err
	}
	if in.project == 0 {
		return &apiError{status: http.StatusNotFound, detail: msgWebhookProjectAbsent}
	}
	wh := s.addWebhookLocked(in, time.Now())
	if err := s.persistLocked(); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, webhookJSON(wh))
	return nil
}

func (s *Server) handleWebhookGet(w http.ResponseWriter, _ *http.Request, p routeParams) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return writeFound(w, s.st.Webhooks, p.id, "Webhook", webhookJSON)
}

func (s *Server) handleWebhookPatch(w http.ResponseWriter, r *http.Request, p routeParams) error {
	return s.updateWebhook(w, r, p, webhookPatch)
}

// handleWebhookPut: a full update (partial=False): url is required and a
// missing actions list takes its default, [].
func (s *Server) handleWebhookPut(w http.ResponseWriter, r *http.Request, p routeParams) error {
	return s.updateWebhook(w, r, p, webhookPut)
}

// updateWebhook: get_object (404) before validation, as UpdateModelMixin.
func (s *Server) updateWebhook(w http.ResponseWriter, r *http.Request, p routeParams, mode webhookMode) error {
	body, raw, err := readWebhookBody(r)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	wh, ok := s.st.Webhooks[p.id]
	if !ok {
		return notFound("Webhook")
	}
	in, err := s.cleanWebhookBody(body, raw, mode)
	if err != nil {
		return err
	}
	wh.apply(in, time.Now())
	if err := s.persistLocked(); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, webhookJSON(wh))
	return nil
}

func (s *Server) handleWebhookDelete(w http.ResponseWriter, _ *http.Request, p routeParams) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.st.Webhooks[p.id]; !ok {
		return notFound("Webhook")
	}
	delete(s.st.Webhooks, p.id)
	if err := s.persistLocked(); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// handleWebhookInfo is WebhookInfoAPI (AllowAny): the action catalogue,
// filtered by ?organization-only= (any value but "true" means false).
func (s *Server) handleWebhookInfo(w http.ResponseWriter, r *http.Request, _ routeParams) error {
	q := r.URL.Query()
	out := map[string]any{}
	for _, a := range webhookActions {
		if raw, ok := q["organization-only"]; ok && (raw[0] == "true") != a.organizationOnly {
			continue
		}
		out[a.name] = map[string]any{"name": a.title, "description": "", "key": a.key, "organization-only": a.organizationOnly}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// webhookRoutes are webhooks/urls.py's patterns (trailing slashes).
func (s *Server) webhookRoutes() []route {
	return []route{
		{pattern: regexp.MustCompile(`^/api/webhooks/$`), name: "/api/webhooks/",
			methods: map[string]handlerFunc{http.MethodGet: s.handleWebhookList, http.MethodPost: s.handleWebhookCreate}},
		{pattern: regexp.MustCompile(`^/api/webhooks/info/$`), name: "/api/webhooks/info/", public: true,
			methods: map[string]handlerFunc{http.MethodGet: s.handleWebhookInfo}},
		{pattern: regexp.MustCompile(`^/api/webhooks/([0-9]+)/$`), name: "/api/webhooks/{id}/",
			methods: map[string]handlerFunc{http.MethodGet: s.handleWebhookGet, http.MethodPatch: s.handleWebhookPatch,
				http.MethodPut: s.handleWebhookPut, http.MethodDelete: s.handleWebhookDelete}},
	}
}
