package devserver

import (
	"context"
	"fmt"
	"maps"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"time"
)

// mlBackend is one ML backend connection (label_studio/ml/models.py
// MLBackend). Fields holds every serializer field, basic_auth_pass included;
// responses leave the password out.
type mlBackend struct {
	ID        int64          `json:"id"`
	Project   int64          `json:"project"`
	Fields    map[string]any `json:"fields"`
	CreatedAt string         `json:"created_at"`
	UpdatedAt string         `json:"updated_at"`
}

// ML backend states (ml/models.py MLBackendState) with their display names.
const (
	mlConnected    = "CO"
	mlDisconnected = "DI"
	mlError        = "ER"
)

var mlStateNames = map[string]string{"CO": "Connected", "DI": "Disconnected", "ER": "Error", "TR": "Training", "PR": "Predicting"}

const (
	mlAuthNone  = "NONE"
	mlAuthBasic = "BASIC_AUTH"
)

// mlFields are MLBackendSerializer's writable fields in its declared order
// (ml/serializers.py) with the model defaults (ml/models.py).
var mlFields = []fieldSpec{
	{name: "state", typ: typeString, choices: []string{"CO", "DI", "ER", "TR", "PR"}, modelDefault: mlDisconnected},
	{name: "is_interactive", typ: typeBool, modelDefault: false},
	{name: "url", typ: typeString, required: true, notBlank: true},
	{name: "error_message", typ: typeString, nullable: true, modelDefault: nil},
	{name: "title", typ: typeString, nullable: true, modelDefault: "default"},
	{name: "auth_method", typ: typeString, choices: []string{mlAuthNone, mlAuthBasic}, modelDefault: mlAuthNone},
	{name: "basic_auth_user", typ: typeString, nullable: true, modelDefault: ""},
	{name: "basic_auth_pass", typ: typeString, nullable: true, secret: true, modelDefault: ""},
	{name: "description", typ: typeString, nullable: true, modelDefault: ""},
	{name: "extra_params", typ: typeJSON, nullable: true, modelDefault: nil},
	{name: "model_version", typ: typeString, nullable: true, modelDefault: ""},
	{name: "timeout", typ: typeFloat, modelDefault: 100.0},
	{name: "auto_update", typ: typeBool, modelDefault: true},
}

// The messages of ml/serializers.py.
const (
	msgMLBasicAuthPair  = "Authentication username and password is required for Basic Authentication."
	msgMLPassRequired   = "Authentication password is required for Basic Authentication."
	msgMLUnauthorized   = "Able to connect to ML Server, but authentication parameters were either not provided or are incorrect."
	msgInvalidUploadURL = "The provided URL was not valid. URLs must begin with http:// or https://, and cannot be local IPs."
)

func mlHealthMessage(backendURL, reason string) string {
	return fmt.Sprintf("Can't connect to ML backend %s, health check failed. Make sure it is up and your firewall is properly configured. "+
		"<a href=\"https://labelstud.io/guide/ml.html\">Learn more</a> about how to set up an ML backend. Additional info: %s", backendURL, reason)
}

func mlSetupMessage(backendURL, reason string) string {
	return fmt.Sprintf("Successfully connected to %s but it doesn't look like a valid ML backend. Reason: %s.\n"+
		"Check the ML backend server console logs to check the status."+
		"There might be something wrong with your model or it might be incompatible with the current labeling configuration.", backendURL, reason)
}

// mlJSON is MLBackendSerializer's representation.
func mlJSON(b *mlBackend) map[string]any {
	out := maps.Clone(b.Fields)
	pass, _ := out["basic_auth_pass"].(string)
	delete(out, "basic_auth_pass")
	state, _ := out["state"].(string)
	maps.Copy(out, map[string]any{
		"id": b.ID, "project": b.Project, "created_at": b.CreatedAt, "updated_at": b.UpdatedAt,
		"readable_state": mlStateNames[state], "basic_auth_pass_is_set": pass != "",
	})
	return out
}

// cleanMLBody runs MLBackendSerializer's field validation. instance is nil
// on create. Field errors are a 400; validate_url and
// validate_basic_auth_pass raise other exceptions too, as Label Studio's do.
func (s *Server) cleanMLBody(body map[string]any, instance *mlBackend, partial bool) (map[string]any, error) {
	out := map[string]any{}
	errs := map[string]any{}
	if raw, ok := body["project"]; ok {
		id, msg := s.convertProject(raw)
		if msg != "" {
			errs["project"] = []string{msg}
		} else {
			out["project"] = id
		}
	} else if !partial {
		errs["project"] = []string{msgFieldRequired}
	}
	for _, f := range mlFields {
		raw, ok := body[f.name]
		if !ok {
			if f.required && !partial {
				errs[f.name] = []string{msgFieldRequired}
			}
			continue
		}
		value, msg := convert(f, raw)
		if msg != "" {
			errs[f.name] = []string{msg}
			continue
		}
		switch f.name {
		case "url":
			if err := validateUploadURL(value.(string)); err != nil {
				return nil, err
			}
		case "basic_auth_pass":
			// validate_basic_auth_pass: an empty password keeps the stored
			// one; on create there is no instance to read it from.
			if text, _ := value.(string); text == "" {
				if instance == nil {
					return nil, uncaught("AttributeError", "'NoneType' object has no attribute 'basic_auth_pass'")
				}
				stored, _ := instance.Fields["basic_auth_pass"].(string)
				if stored == "" {
					errs[f.name] = []string{msgMLPassRequired}
					continue
				}
				value = stored
			}
		}
		out[f.name] = value
	}
	if len(errs) > 0 {
		return nil, validationError(errs)
	}
	return out, nil
}

// validateUploadURL is core/utils/io.py validate_upload_url with
// ML_BLOCK_LOCAL_IP off (the default): http or https, and a host that
// resolves.
func validateUploadURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return &apiError{status: http.StatusForbidden, detail: msgInvalidUploadURL}
	}
	host := u.Hostname()
	if net.ParseIP(host) == nil {
		if _, err := net.LookupHost(host); err != nil {
			return &apiError{status: http.StatusInternalServerError, detail: fmt.Sprintf("Can't resolve hostname %s", host)}
		}
	}
	return nil
}

// mlProjectContext is what the setup call needs of the project.
type mlProjectContext struct {
	uid         string
	labelConfig string
	accessToken string
}

// mlProjectContextLocked is MLApi.setup's view of a project: the id and
// creation time as project uid, the label config and the creator's token.
func (s *Server) mlProjectContextLocked(projectID int64) (mlProjectContext, bool) {
	p, ok := s.st.Projects[projectID]
	if !ok {
		return mlProjectContext{}, false
	}
	created, _ := time.Parse(time.RFC3339Nano, p.CreatedAt)
	return mlProjectContext{
		uid:         fmt.Sprintf("%d.%d", p.ID, created.Unix()),
		labelConfig: p.LabelConfig,
		accessToken: s.st.LegacyToken,
	}, true
}

// mlHealth is MLApi.health.
func (s *Server) mlHealth(ctx context.Context, conn mlConnection) mlResult {
	return s.mlRequest(ctx, conn, "health", http.MethodGet, nil, s.cfg.MLHealthTimeout)
}

// mlSetup is MLApi.setup.
func (s *Server) mlSetup(ctx context.Context, conn mlConnection, project mlProjectContext, extraParams any) mlResult {
	body := map[string]any{
		"project": project.uid, "schema": project.labelConfig, "hostname": s.cfg.Hostname,
		"access_token": project.accessToken, "extra_params": extraParams,
	}
	return s.mlRequest(ctx, conn, "setup", http.MethodPost, body, s.cfg.MLSetupTimeout)
}

func connectionOf(fields map[string]any) mlConnection {
	u, _ := fields["url"].(string)
	user, _ := fields["basic_auth_user"].(string)
	pass, _ := fields["basic_auth_pass"].(string)
	return mlConnection{url: u, authUser: user, authPass: pass}
}

// validateMLAttrs is MLBackendSerializer.validate on the validated request
// fields alone (attrs): the basic-auth pair check, then /health and /setup
// called with attrs as keyword arguments, so a PATCH without url or
// project fails as healthcheck_(**attrs) and setup_(**attrs) do.
func (s *Server) validateMLAttrs(ctx context.Context, attrs map[string]any) error {
	if attrs["auth_method"] == mlAuthBasic {
		_, hasUser := attrs["basic_auth_user"]
		_, hasPass := attrs["basic_auth_pass"]
		if !hasUser || !hasPass {
			return fieldError("", msgMLBasicAuthPair)
		}
	}
	backendURL, ok := attrs["url"].(string)
	if !ok {
		return uncaught("TypeError", "healthcheck_() missing 1 required positional argument: 'url'")
	}
	conn := connectionOf(attrs)
	if health := s.mlHealth(ctx, conn); health.isError {
		if health.status == http.StatusUnauthorized {
			return fieldError("", msgMLUnauthorized)
		}
		return fieldError("", mlHealthMessage(backendURL, health.errorMsg))
	}
	projectID, ok := attrs["project"].(int64)
	if !ok {
		return uncaught("TypeError", "setup_() missing 1 required positional argument: 'project'")
	}
	s.mu.Lock()
	project, ok := s.mlProjectContextLocked(projectID)
	s.mu.Unlock()
	if !ok {
		return notFound("Project")
	}
	if setup := s.mlSetup(ctx, conn, project, attrs["extra_params"]); setup.isError {
		return fieldError("", mlSetupMessage(backendURL, setup.errorMsg))
	}
	return nil
}

// updateMLState is MLBackend.update_state: /health, then /setup, with the
// stored values; the result rewrites state, error_message and (with
// auto_update) model_version, and the row is saved, which bumps
// updated_at. The calls run without the server lock.
func (s *Server) updateMLState(ctx context.Context, id int64) {
	s.mu.Lock()
	b, ok := s.st.MLBackends[id]
	if !ok {
		s.mu.Unlock()
		return
	}
	fields := maps.Clone(b.Fields)
	project, _ := s.mlProjectContextLocked(b.Project)
	s.mu.Unlock()

	conn := connectionOf(fields)
	changes := map[string]any{}
	if s.mlHealth(ctx, conn).isError {
		changes["state"] = mlDisconnected
	} else if setup := s.mlSetup(ctx, conn, project, fields["extra_params"]); setup.isError {
		changes["state"] = mlError
		changes["error_message"] = setup.errorMsg
	} else {
		changes["state"] = mlConnected
		if fields["auto_update"] == true {
			changes["model_version"] = pythonStr(setup.response["model_version"])
		}
		changes["error_message"] = nil
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if b, ok = s.st.MLBackends[id]; !ok {
		return
	}
	maps.Copy(b.Fields, changes)
	b.UpdatedAt = isoTime(time.Now())
	_ = s.persistLocked()
}

// pythonStr is the value a TextField stores for a JSON value: strings as
// they are, null as null, anything else as Python's str().
func pythonStr(v any) any {
	switch x := v.(type) {
	case nil, string:
		return x
	case bool:
		if x {
			return "True"
		}
		return "False"
	case float64:
		if x == float64(int64(x)) {
			return strconv.FormatInt(int64(x), 10)
		}
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

// handleMLList is MLBackendListAPI.get: ?project is required (404 when
// missing or unknown), every backend is re-checked (update_state) and the
// list may be filtered by is_interactive.
func (s *Server) handleMLList(w http.ResponseWriter, r *http.Request, _ routeParams) error {
	q := r.URL.Query()
	projectID, err := strconv.ParseInt(q.Get("project"), 10, 64)
	s.mu.Lock()
	_, exists := s.st.Projects[projectID]
	var ids []int64
	for id, b := range s.st.MLBackends {
		if b.Project == projectID {
			ids = append(ids, id)
		}
	}
	s.mu.Unlock()
	if err != nil || !exists {
		return notFound("Project")
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for _, id := range ids {
		s.updateMLState(r.Context(), id)
	}
	var interactive *bool
	if raw, ok := q["is_interactive"]; ok {
		// django-filter's BooleanFilter; other values do not filter.
		switch raw[0] {
		case "true", "True", "1":
			v := true
			interactive = &v
		case "false", "False", "0":
			v := false
			interactive = &v
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []map[string]any{}
	for _, id := range ids {
		b, ok := s.st.MLBackends[id]
		if !ok || (interactive != nil && b.Fields["is_interactive"] != *interactive) {
			continue
		}
		out = append(out, mlJSON(b))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// handleMLCreate is MLBackendListAPI.post: field validation, validate()
// (health and setup with the request's values), save, update_state (health
// and setup again with the stored values), then the project's
// model_version becomes the backend's title when predictions are shown and
// it has none (ml/api.py perform_create). The post_save receiver creates
// the project's webhook to <url>/webhook (ml/models.py create_ml_webhook).
func (s *Server) handleMLCreate(w http.ResponseWriter, r *http.Request, _ routeParams) error {
	body, err := readBody(r)
	if err != nil {
		return err
	}
	attrs, err := s.cleanMLBody(body, nil, false)
	if err != nil {
		return err
	}
	if err := s.validateMLAttrs(r.Context(), attrs); err != nil {
		return err
	}
	projectID := attrs["project"].(int64)
	s.mu.Lock()
	p, ok := s.st.Projects[projectID]
	if !ok {
		s.mu.Unlock()
		return notFound("Project")
	}
	now := isoTime(time.Now())
	b := &mlBackend{ID: s.st.nextID("ml_backend"), Project: projectID, Fields: map[string]any{}, CreatedAt: now, UpdatedAt: now}
	for _, f := range mlFields {
		b.Fields[f.name] = f.modelDefault
	}
	for name, value := range attrs {
		if name != "project" {
			b.Fields[name] = value
		}
	}
	s.st.MLBackends[b.ID] = b
	if backendURL, ok := b.Fields["url"].(string); ok {
		s.createMLWebhookLocked(p.ID, backendURL)
	}
	if err := s.persistLocked(); err != nil {
		s.mu.Unlock()
		return err
	}
	s.mu.Unlock()

	s.updateMLState(r.Context(), b.ID)

	s.mu.Lock()
	defer s.mu.Unlock()
	if p, ok = s.st.Projects[projectID]; ok {
		if show, _ := p.Settings["show_collab_predictions"].(bool); show && !truthy(p.Settings["model_version"]) {
			p.Settings["model_version"] = b.Fields["title"]
		}
	}
	if err := s.persistLocked(); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, mlJSON(b))
	return nil
}

// truthy is Python's truth value of a stored JSON value.
func truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case string:
		return x != ""
	case bool:
		return x
	case float64:
		return x != 0
	case map[string]any:
		return len(x) > 0
	case []any:
		return len(x) > 0
	}
	return true
}

// mlGetObject is MLBackendDetailAPI.get_object: the 404, then
// update_state. Every detail method (GET, PATCH, PUT, DELETE) goes
// through it.
func (s *Server) mlGetObject(ctx context.Context, id int64) error {
	if err := requireFound(s, func(st *state) map[int64]*mlBackend { return st.MLBackends }, id, "MLBackend"); err != nil {
		return err
	}
	s.updateMLState(ctx, id)
	return nil
}

func (s *Server) handleMLGet(w http.ResponseWriter, r *http.Request, p routeParams) error {
	if err := s.mlGetObject(r.Context(), p.id); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return writeFound(w, s.st.MLBackends, p.id, "MLBackend", mlJSON)
}

func (s *Server) handleMLPatch(w http.ResponseWriter, r *http.Request, p routeParams) error {
	return s.updateML(w, r, p, true)
}

func (s *Server) handleMLPut(w http.ResponseWriter, r *http.Request, p routeParams) error {
	return s.updateML(w, r, p, false)
}

// updateML is MLBackendDetailAPI's update: get_object (update_state),
// validation (health and setup with the request's values alone), save
// (a new title renames the project's model_version when it matched the old
// one: MLBackend.save), then update_state again.
func (s *Server) updateML(w http.ResponseWriter, r *http.Request, p routeParams, partial bool) error {
	if err := s.mlGetObject(r.Context(), p.id); err != nil {
		return err
	}
	body, err := readBody(r)
	if err != nil {
		return err
	}
	s.mu.Lock()
	instance, ok := s.st.MLBackends[p.id]
	var snapshot mlBackend
	if ok {
		snapshot = mlBackend{Fields: maps.Clone(instance.Fields)}
	}
	s.mu.Unlock()
	if !ok {
		return notFound("MLBackend")
	}
	attrs, err := s.cleanMLBody(body, &snapshot, partial)
	if err != nil {
		return err
	}
	if err := s.validateMLAttrs(r.Context(), attrs); err != nil {
		return err
	}
	s.mu.Lock()
	b, ok := s.st.MLBackends[p.id]
	if !ok {
		s.mu.Unlock()
		return notFound("MLBackend")
	}
	oldTitle := b.Fields["title"]
	for name, value := range attrs {
		if name == "project" {
			b.Project = value.(int64)
			continue
		}
		b.Fields[name] = value
	}
	if proj, ok := s.st.Projects[b.Project]; ok && b.Fields["title"] != oldTitle && proj.Settings["model_version"] == oldTitle {
		proj.Settings["model_version"] = b.Fields["title"]
	}
	b.UpdatedAt = isoTime(time.Now())
	if err := s.persistLocked(); err != nil {
		s.mu.Unlock()
		return err
	}
	s.mu.Unlock()

	s.updateMLState(r.Context(), p.id)
	s.mu.Lock()
	defer s.mu.Unlock()
	return writeFound(w, s.st.MLBackends, p.id, "MLBackend", mlJSON)
}

// handleMLDelete is destroy: get_object (update_state), then the
// pre_delete receiver clears the project's model_version when it is the
// backend's title. The webhook the backend created stays.
func (s *Server) handleMLDelete(w http.ResponseWriter, r *http.Request, p routeParams) error {
	if err := s.mlGetObject(r.Context(), p.id); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.st.MLBackends[p.id]
	if !ok {
		return notFound("MLBackend")
	}
	if proj, ok := s.st.Projects[b.Project]; ok && proj.Settings["model_version"] == b.Fields["title"] {
		proj.Settings["model_version"] = ""
	}
	delete(s.st.MLBackends, p.id)
	if err := s.persistLocked(); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
