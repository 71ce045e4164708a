package devserver

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"strconv"
	"time"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/devserver/connect"
)

// cleanMode is which serializer pass a body goes through.
type cleanMode int

const (
	modeCreate cleanMode = iota // POST: required fields and all defaults
	modeFull                    // PUT and validate: required fields, serializer defaults
	modePatch                   // PATCH: only what was sent
)

const (
	msgCredentialPair  = "Access Key ID and Secret Access Key must be provided together."
	msgSessionToken    = "Session Token requires an Access Key ID and Secret Access Key."
	msgRedisConnect    = "Can't connect to Redis server."
	msgValidateFailed  = "Error validating storage connection"
	msgFieldRequired   = "This field is required."
	msgProjectRequired = `query parameter "project" is required`
)

// cleanBody runs a body through the kind's serializer: known fields are
// converted (unknown ones ignored), required fields checked, serializer
// defaults applied outside PATCH, and the S3 bucket and credential rules
// enforced. It returns only the fields to write.
func (s *Server) cleanBody(k *kindSpec, dir string, body map[string]any, mode cleanMode) (map[string]any, error) {
	out := map[string]any{}
	errs := map[string]any{}
	for _, f := range k.fieldsOf(dir) {
		raw, present := body[f.name]
		if !present {
			switch {
			case f.required && mode != modePatch:
				errs[f.name] = []string{msgFieldRequired}
			case f.serializerDefault && mode != modePatch:
				out[f.name] = f.modelDefault
			}
			continue
		}
		if f.typ == typeProject {
			id, msg := s.convertProject(raw)
			if msg != "" {
				errs[f.name] = []string{msg}
				continue
			}
			out[f.name] = float64(id)
			continue
		}
		if f.numberToString {
			if n, ok := raw.(interface{ String() string }); ok {
				raw = n.String()
			}
		}
		value, msg := convert(f, raw)
		if msg != "" {
			errs[f.name] = []string{msg}
			continue
		}
		out[f.name] = value
	}
	if len(errs) > 0 {
		return nil, validationError(errs)
	}
	if k.hasBucket {
		if err := checkS3Rules(out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// convertProject checks a project primary key as DRF's
// PrimaryKeyRelatedField does.
func (s *Server) convertProject(raw any) (int64, string) {
	if raw == nil {
		return 0, "This field may not be null."
	}
	id, ok := toInt(raw)
	if _, isBool := raw.(bool); isBool || !ok {
		return 0, fmt.Sprintf("Incorrect type. Expected pk value, received %s.", pythonTypeName(raw))
	}
	s.mu.Lock()
	_, exists := s.st.Projects[id]
	s.mu.Unlock()
	if !exists {
		return 0, fmt.Sprintf("Invalid pk \"%v\" - object does not exist.", raw)
	}
	return id, ""
}

// checkS3Rules applies the bucket name check and the credential rules of
// API.md 3.1 to a cleaned body.
func checkS3Rules(body map[string]any) error {
	if bucket, _ := body["bucket"].(string); bucket != "" && !bucketNameRe.MatchString(bucket) && !bucketARNRe.MatchString(bucket) {
		return fieldError("bucket", invalidBucketMessage(bucket))
	}
	// io_storages/s3/serializers.py checks the pair on which fields the body
	// has, not on their values: {"aws_access_key_id": ""} alone is refused.
	_, keyIDSent := body["aws_access_key_id"]
	_, secretSent := body["aws_secret_access_key"]
	switch {
	case keyIDSent && !secretSent:
		return fieldError("aws_secret_access_key", msgCredentialPair)
	case secretSent && !keyIDSent:
		return fieldError("aws_access_key_id", msgCredentialPair)
	}
	keyID, _ := body["aws_access_key_id"].(string)
	if token, _ := body["aws_session_token"].(string); token != "" && keyID == "" {
		return fieldError("aws_session_token", msgSessionToken)
	}
	if keyIDSent {
		if _, sent := body["aws_session_token"]; !sent {
			// Any key field in the body, even empty ones, drops the stored
			// session token.
			body["aws_session_token"] = ""
		}
	}
	return nil
}

// checkS3Pair is the serializer's second pair check, on the values of the
// storage about to be tested (the body merged onto the stored row); it runs
// only when the serializer tests the connection (a bucket is set).
func checkS3Pair(k *kindSpec, candidate map[string]any) error {
	if !k.hasBucket {
		return nil
	}
	keyID, _ := candidate["aws_access_key_id"].(string)
	secret, _ := candidate["aws_secret_access_key"].(string)
	switch {
	case keyID != "" && secret == "":
		return fieldError("aws_secret_access_key", msgCredentialPair)
	case keyID == "" && secret != "":
		return fieldError("aws_access_key_id", msgCredentialPair)
	}
	return nil
}

// storageJSON is the response form of a storage: every field but the
// secrets.
func storageJSON(k *kindSpec, sg *storage) map[string]any {
	out := make(map[string]any, len(sg.Fields)+2)
	for name, v := range sg.Fields {
		if !k.isSecret(name) {
			out[name] = deepCopy(v) // meta keeps changing under a running sync
		}
	}
	out["id"] = sg.ID
	out["type"] = sg.Kind
	return out
}

// deepCopy copies a decoded JSON value.
func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = deepCopy(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = deepCopy(e)
		}
		return out
	}
	return v
}

// settingsOf is what a connector sees: the stored fields, secrets included.
func settingsOf(fields map[string]any) connect.Settings {
	return connect.Settings(maps.Clone(fields))
}

// connector returns the kind's connector.
func (s *Server) connector(kind string) (connect.Connector, error) {
	return s.connectorFor(kind, s.env)
}

// testConnection runs the kind's connection check.
func (s *Server) testConnection(ctx context.Context, kind, dir string, fields map[string]any) error {
	c, err := s.connector(kind)
	if err != nil {
		return err
	}
	return c.Validate(ctx, settingsOf(fields), connect.Direction(dir))
}

// serializerError is how a connection failure inside a serializer reaches
// the client (API.md 4.2): Label Studio's own messages as a 400, Redis
// import wrapped, uncaught failures as the 500 envelope.
func serializerError(k *kindSpec, dir string, err error) error {
	var ce *connect.Error
	if errors.As(err, &ce) && ce.Internal {
		return uncaught(ce.ExceptionName(), ce.Message)
	}
	if k.name == "redis" && dir == dirImport {
		return fieldError("", msgRedisConnect)
	}
	if errors.As(err, &ce) {
		return fieldError(ce.Field, ce.Message)
	}
	return fieldError("", err.Error())
}

// serializerValidates says whether the kind's serializer tests the
// connection for these fields (API.md 4.2): import always, export only for
// S3 and local files; S3 skips the test without a bucket.
func serializerValidates(k *kindSpec, dir string, fields map[string]any) bool {
	if k.hasBucket {
		if bucket, _ := fields["bucket"].(string); bucket == "" {
			return false
		}
	}
	return dir == dirImport || k.hasBucket || k.localFiles || k.validatesExport
}

// newStorageFields are a new storage's fields: model defaults, then body.
func newStorageFields(k *kindSpec, dir string, body map[string]any, now time.Time) map[string]any {
	fields := map[string]any{}
	for _, f := range k.fieldsOf(dir) {
		if m, ok := f.modelDefault.(map[string]any); ok {
			fields[f.name] = maps.Clone(m)
		} else {
			fields[f.name] = f.modelDefault
		}
	}
	maps.Copy(fields, body)
	fields["created_at"] = isoTime(now)
	return fields
}

// lookupStorage finds a storage or returns the model's 404.
func (s *Server) lookupStorage(k *kindSpec, dir string, id int64) (*storage, error) {
	sg, ok := s.st.Storages[storageKey(k.name, dir, id)]
	if !ok {
		return nil, notFound(k.modelName(dir))
	}
	return sg, nil
}

func (s *Server) handleStorageTypes(w http.ResponseWriter, _ *http.Request, p routeParams) error {
	list := []map[string]string{}
	for _, k := range kinds {
		if s.kindSpec(k.name) != nil {
			list = append(list, map[string]string{"name": k.name, "title": k.title})
		}
	}
	writeJSON(w, http.StatusOK, list)
	return nil
}

// projectQuery reads the required ?project= of list calls.
func (s *Server) projectQuery(r *http.Request) (int64, error) {
	raw := r.URL.Query().Get("project")
	if raw == "" {
		return 0, fieldError("", msgProjectRequired)
	}
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		return 0, fieldError("project", "A valid integer is required.")
	}
	s.mu.Lock()
	_, ok := s.st.Projects[id]
	s.mu.Unlock()
	if !ok {
		return 0, notFound("Project")
	}
	return id, nil
}

func (s *Server) handleStorageList(w http.ResponseWriter, r *http.Request, p routeParams) error {
	k := s.kindSpec(p.kind)
	project, err := s.projectQuery(r)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	list := []map[string]any{}
	changed := false
	for _, sg := range s.st.storagesOf(project, k.name, p.dir) {
		changed = s.healthCheckLocked(sg, time.Now()) || changed
		list = append(list, storageJSON(k, sg))
	}
	if changed {
		if err := s.persistLocked(); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusOK, list)
	return nil
}

// handleAllStorageList is GET /api/storages/ and /api/storages/export
// (label_studio/io_storages/all_api.py, drf-spectacular version): each
// kind's list, concatenated. Both directions catch every kind's error and
// count it as [], so a missing or unknown project gives 200 []. (The older
// drf_yasg export list did not catch, and answered 500.)
func (s *Server) handleAllStorageList(w http.ResponseWriter, r *http.Request, p routeParams) error {
	project, err := s.projectQuery(r)
	if err != nil {
		writeJSON(w, http.StatusOK, []any{})
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	list := []map[string]any{}
	changed := false
	for _, k := range kinds {
		if s.kindSpec(k.name) == nil {
			continue
		}
		// Each kind's own list view runs, health check included.
		for _, sg := range s.st.storagesOf(project, k.name, p.dir) {
			changed = s.healthCheckLocked(sg, time.Now()) || changed
			list = append(list, storageJSON(k, sg))
		}
	}
	if changed {
		if err := s.persistLocked(); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusOK, list)
	return nil
}

func (s *Server) handleStorageGet(w http.ResponseWriter, _ *http.Request, p routeParams) error {
	k := s.kindSpec(p.kind)
	s.mu.Lock()
	defer s.mu.Unlock()
	sg, err := s.lookupStorage(k, p.dir, p.id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, storageJSON(k, sg))
	return nil
}

func (s *Server) handleStorageCreate(w http.ResponseWriter, r *http.Request, p routeParams) error {
	k := s.kindSpec(p.kind)
	body, err := readBody(r)
	if err != nil {
		return err
	}
	cleaned, err := s.cleanBody(k, p.dir, body, modeCreate)
	if err != nil {
		return err
	}
	now := time.Now()
	fields := newStorageFields(k, p.dir, cleaned, now)
	tested := serializerValidates(k, p.dir, fields)
	if tested {
		if err := checkS3Pair(k, fields); err != nil {
			return err
		}
		if err := s.testConnection(r.Context(), k.name, p.dir, fields); err != nil {
			return serializerError(k, p.dir, err)
		}
	}
	if p.dir == dirExport && !tested {
		// The export view tests the connection itself and wraps any failure.
		if err := s.testConnection(r.Context(), k.name, p.dir, fields); err != nil {
			return fieldError("", err.Error())
		}
	}

	s.mu.Lock()
	if _, ok := s.st.Projects[int64(fields["project"].(float64))]; !ok {
		s.mu.Unlock() // the project went away while the connection was tested
		return fieldError("project", fmt.Sprintf("Invalid pk \"%v\" - object does not exist.", fields["project"]))
	}
	sg := &storage{Kind: k.name, Dir: p.dir, ID: s.st.nextID("storage:" + k.name + ":" + p.dir), Fields: fields, Links: map[string]int64{}}
	s.st.Storages[storageKey(k.name, p.dir, sg.ID)] = sg
	response := storageJSON(k, sg)
	var run *syncJob
	if p.dir == dirExport && s.cfg.SyncOnTargetStorageCreation {
		// The create response is built from the in-memory object, so it
		// shows the queued state even when an inline sync has finished.
		run = s.enqueueLocked(k, sg, now)
		response = storageJSON(k, sg)
	}
	err = s.persistLocked()
	s.mu.Unlock()
	if err != nil {
		return err
	}
	if run != nil && s.cfg.SyncMode == SyncInline {
		s.runJob(s.ctx, run) // not the request's context: a client hanging up must not strand the row
	}
	writeJSON(w, http.StatusCreated, response)
	return nil
}

func (s *Server) handleStoragePatch(w http.ResponseWriter, r *http.Request, p routeParams) error {
	return s.updateStorage(w, r, p, modePatch)
}

func (s *Server) handleStoragePut(w http.ResponseWriter, r *http.Request, p routeParams) error {
	return s.updateStorage(w, r, p, modeFull)
}

// updateStorage is PATCH and PUT, with the per-kind re-validation of
// API.md 4.3.
func (s *Server) updateStorage(w http.ResponseWriter, r *http.Request, p routeParams, mode cleanMode) error {
	k := s.kindSpec(p.kind)
	s.mu.Lock()
	sg, err := s.lookupStorage(k, p.dir, p.id)
	var stored map[string]any
	if err == nil {
		stored = maps.Clone(sg.Fields)
	}
	s.mu.Unlock()
	if err != nil {
		return err
	}
	body, err := readBody(r)
	if err != nil {
		return err
	}
	cleaned, err := s.cleanBody(k, p.dir, body, mode)
	if err != nil {
		return err
	}
	merged := maps.Clone(stored)
	maps.Copy(merged, cleaned)

	var candidate map[string]any
	switch k.patchValidation[p.dir] {
	case patchMerged:
		candidate = merged
	case patchWithBucket:
		if bucket, _ := cleaned["bucket"].(string); bucket != "" {
			candidate = merged
		}
	case patchBodyAlone:
		// The quirk: the test object is built from the body alone.
		candidate = newStorageFields(k, p.dir, cleaned, time.Now())
	}
	if candidate != nil {
		if err := checkS3Pair(k, candidate); err != nil {
			return err
		}
		if err := s.testConnection(r.Context(), k.name, p.dir, candidate); err != nil {
			return serializerError(k, p.dir, err)
		}
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	sg, err = s.lookupStorage(k, p.dir, p.id)
	if err != nil {
		return err
	}
	maps.Copy(sg.Fields, cleaned)
	if err := s.persistLocked(); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, storageJSON(k, sg))
	return nil
}

func (s *Server) handleStorageDelete(w http.ResponseWriter, _ *http.Request, p routeParams) error {
	k := s.kindSpec(p.kind)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.lookupStorage(k, p.dir, p.id); err != nil {
		return err
	}
	key := storageKey(k.name, p.dir, p.id)
	delete(s.st.Storages, key)
	delete(s.jobs, key)
	if err := s.persistLocked(); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// handleStorageValidate is POST …/validate (API.md 4.4).
func (s *Server) handleStorageValidate(w http.ResponseWriter, r *http.Request, p routeParams) error {
	k := s.kindSpec(p.kind)
	body, err := readBody(r)
	if err != nil {
		return err
	}
	var stored map[string]any
	rawID, withID := body["id"]
	var id int64
	if withID && rawID != nil {
		var ok bool
		if id, ok = toInt(rawID); !ok {
			return fieldError("id", "A valid integer is required.")
		}
		s.mu.Lock()
		sg, err := s.lookupStorage(k, p.dir, id)
		if err == nil {
			stored = maps.Clone(sg.Fields)
		}
		s.mu.Unlock()
		if err != nil {
			return err
		}
		if k.fillSecretsOnValidate {
			for _, name := range k.secretNames() {
				value, sent := body[name]
				if !sent || (k.fillEmptySecrets && (value == nil || value == "")) {
					body[name] = stored[name]
				}
			}
		}
	}
	cleaned, err := s.cleanBody(k, p.dir, body, modeFull)
	if err != nil {
		return err
	}
	candidate := newStorageFields(k, p.dir, cleaned, time.Now())
	if stored != nil {
		candidate = maps.Clone(stored)
		maps.Copy(candidate, cleaned)
	}
	if serializerValidates(k, p.dir, candidate) {
		if err := checkS3Pair(k, candidate); err != nil {
			return err
		}
		if err := s.testConnection(r.Context(), k.name, p.dir, candidate); err != nil {
			return serializerError(k, p.dir, err)
		}
	}
	if stored != nil && k.validateWritesCandidate {
		// DRF's ModelSerializer.update saves the body into the stored row.
		s.mu.Lock()
		if sg, err := s.lookupStorage(k, p.dir, id); err == nil {
			maps.Copy(sg.Fields, cleaned)
			err = s.persistLocked()
			if err != nil {
				s.mu.Unlock()
				return err
			}
		}
		s.mu.Unlock()
	}
	if err := s.testConnection(r.Context(), k.name, p.dir, candidate); err != nil {
		return fieldError("", msgValidateFailed)
	}
	w.WriteHeader(http.StatusOK)
	return nil
}
