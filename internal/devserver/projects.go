package devserver

import (
	"cmp"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/htmlclean"
)

const defaultLabelConfig = "<View></View>"

type project struct {
	ID          int64  `json:"id"`
	Title       string `json:"title"`
	LabelConfig string `json:"label_config"`
	CreatedAt   string `json:"created_at"`
	// Settings holds the other writable fields (description,
	// show_skip_button, …) with their defaults.
	Settings map[string]any `json:"settings"`
}

// projectSettings are the optional writable project fields with Label
// Studio's defaults (API.md 13); title and label_config are handled apart.
var projectSettings = []struct {
	spec fieldSpec
	def  any
}{
	{fieldSpec{name: "description", typ: typeString, nullable: true}, ""},
	{fieldSpec{name: "expert_instruction", typ: typeString, nullable: true}, ""},
	{fieldSpec{name: "show_instruction", typ: typeBool}, false},
	{fieldSpec{name: "show_skip_button", typ: typeBool}, true},
	{fieldSpec{name: "enable_empty_annotation", typ: typeBool}, true},
	{fieldSpec{name: "show_annotation_history", typ: typeBool}, false},
	{fieldSpec{name: "show_collab_predictions", typ: typeBool}, true},
	{fieldSpec{name: "maximum_annotations", typ: typeInt, min: -2147483648, max: 2147483647}, float64(1)},
	{fieldSpec{name: "min_annotations_to_start_training", typ: typeInt, min: -2147483648, max: 2147483647}, float64(0)},
	{fieldSpec{name: "is_published", typ: typeBool}, false},
	{fieldSpec{name: "is_draft", typ: typeBool}, false},
	{fieldSpec{name: "color", typ: typeString, nullable: true, maxLen: 16}, "#FFFFFF"},
	{fieldSpec{name: "control_weights", typ: typeJSON, nullable: true}, map[string]any{}},
	{fieldSpec{name: "model_version", typ: typeString, nullable: true}, ""},
	{fieldSpec{name: "pinned_at", typ: typeDateTime, nullable: true}, nil},
}

var projectChoices = map[string][]string{
	"sampling":   {"Sequential sampling", "Uniform sampling", "Uncertainty sampling"},
	"skip_queue": {"REQUEUE_FOR_ME", "REQUEUE_FOR_OTHERS", "IGNORE_SKIPPED"},
}

var projectChoiceDefaults = map[string]string{"sampling": "Sequential sampling", "skip_queue": "REQUEUE_FOR_OTHERS"}

// cleanProjectBody validates a project body; create fills the defaults.
func cleanProjectBody(body map[string]any, create bool) (map[string]any, error) {
	out := map[string]any{}
	errs := map[string]any{}
	if raw, ok := body["title"]; ok {
		value, msg := convert(fieldSpec{name: "title", typ: typeString, nullable: true, maxLen: 50}, raw)
		text, _ := value.(string)
		switch {
		case msg != "":
			errs["title"] = []string{msg}
		case text != "" && len([]rune(text)) < 3:
			errs["title"] = []string{"Ensure this field has at least 3 characters."}
		default:
			out["title"] = text
		}
	} else if create {
		out["title"] = ""
	}
	if raw, ok := body["label_config"]; ok {
		value, msg := convert(fieldSpec{name: "label_config", typ: typeString, nullable: true}, raw)
		text, _ := value.(string)
		if msg == "" {
			if text == "" {
				text = defaultLabelConfig
			}
			if _, err := parseLabelConfig(text); err != nil {
				msg = err.Error()
			}
		}
		if msg != "" {
			errs["label_config"] = []string{msg}
		} else {
			out["label_config"] = text
		}
	} else if create {
		out["label_config"] = defaultLabelConfig
	}
	for _, setting := range projectSettings {
		raw, ok := body[setting.spec.name]
		if !ok {
			if create {
				out[setting.spec.name] = setting.def
			}
			continue
		}
		value, msg := convert(setting.spec, raw)
		if msg != "" {
			errs[setting.spec.name] = []string{msg}
			continue
		}
		out[setting.spec.name] = value
	}
	for name, choices := range projectChoices {
		raw, ok := body[name]
		if !ok {
			if create {
				out[name] = projectChoiceDefaults[name]
			}
			continue
		}
		text, _ := raw.(string)
		valid := false
		for _, c := range choices {
			valid = valid || c == text
		}
		if !valid {
			errs[name] = []string{fmt.Sprintf("%q is not a valid choice.", fmt.Sprint(plainValue(raw)))}
			continue
		}
		out[name] = text
	}
	if len(errs) > 0 {
		return nil, validationError(errs)
	}
	if raw, ok := body["expert_instruction"]; ok {
		// projects/serializers.py runs the raw request value (not the
		// trimmed one) through bleach.clean, which refuses anything but text.
		text, isText := raw.(string)
		if !isText {
			return nil, uncaught("TypeError", fmt.Sprintf("argument cannot be of '%s' type, must be of text type", pythonTypeName(raw)))
		}
		out["expert_instruction"] = htmlclean.Clean(text).HTML
	}
	return out, nil
}

// applyProjectBody writes cleaned values to a project.
func applyProjectBody(p *project, cleaned map[string]any) {
	for name, value := range cleaned {
		switch name {
		case "title":
			p.Title, _ = value.(string)
		case "label_config":
			p.LabelConfig, _ = value.(string)
		default:
			p.Settings[name] = value
		}
	}
}

// labelTag is one element of a labeling config.
type labelTag struct {
	tag    string
	name   string
	toName []string
	value  string
	// children are the values of the element's child tags (labels).
	children []string
}

// parseLabelConfig validates a labeling config the way Label Studio does
// (API.md 13): XML, unique names, every toName a known name.
func parseLabelConfig(config string) ([]*labelTag, error) {
	dec := xml.NewDecoder(strings.NewReader(config))
	var tags []*labelTag
	var stack []*labelTag
	roots := 0
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s", strings.TrimPrefix(err.Error(), "XML syntax error on "))
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack) == 0 {
				roots++
			}
			tag := &labelTag{tag: t.Name.Local}
			for _, a := range t.Attr {
				switch a.Name.Local {
				case "name":
					tag.name = a.Value
				case "toName":
					for _, n := range strings.Split(a.Value, ",") {
						tag.toName = append(tag.toName, strings.TrimSpace(n))
					}
				case "value":
					tag.value = a.Value
				}
			}
			if len(stack) > 0 && tag.value != "" {
				parent := stack[len(stack)-1]
				parent.children = append(parent.children, tag.value)
			}
			tags = append(tags, tag)
			stack = append(stack, tag)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		}
	}
	if roots == 0 {
		return nil, errors.New("no element found: line 1, column 0")
	}
	if roots > 1 {
		return nil, errors.New("junk after document element")
	}
	names := map[string]bool{}
	for _, t := range tags {
		if t.name == "" {
			continue
		}
		if names[t.name] {
			return nil, labelStudioMessage("Label config contains non-unique names")
		}
		names[t.name] = true
	}
	sorted := make([]string, 0, len(names))
	for n := range names {
		sorted = append(sorted, "'"+n+"'")
	}
	sort.Strings(sorted)
	for _, t := range tags {
		for _, to := range t.toName {
			if !names[to] {
				return nil, fmt.Errorf("toName=\"%s\" not found in names: [%s]", to, strings.Join(sorted, ", "))
			}
		}
	}
	return tags, nil
}

// firstObjectVariable is the variable of the config's first object tag
// ($image_url → image_url), "" when there is none.
func firstObjectVariable(config string) string {
	tags, err := parseLabelConfig(config)
	if err != nil {
		return ""
	}
	for _, t := range tags {
		if t.name != "" && len(t.toName) == 0 && strings.HasPrefix(t.value, "$") {
			return strings.TrimPrefix(t.value, "$")
		}
	}
	return ""
}

// parsedLabelConfig is the parsed_label_config of a project: the control
// tags with their targets, inputs and labels.
func parsedLabelConfig(config string) map[string]any {
	tags, err := parseLabelConfig(config)
	out := map[string]any{}
	if err != nil {
		return out
	}
	byName := map[string]*labelTag{}
	for _, t := range tags {
		if t.name != "" {
			byName[t.name] = t
		}
	}
	for _, t := range tags {
		if t.name == "" || len(t.toName) == 0 {
			continue
		}
		inputs := []any{}
		for _, to := range t.toName {
			if target := byName[to]; target != nil {
				inputs = append(inputs, map[string]any{"type": target.tag, "value": strings.TrimPrefix(target.value, "$")})
			}
		}
		labels := append([]string{}, t.children...)
		out[t.name] = map[string]any{"type": t.tag, "to_name": t.toName, "inputs": inputs, "labels": labels, "labels_attrs": map[string]any{}}
	}
	return out
}

// projectView is which schema a project response follows; the public
// schema types some counters differently per operation.
type projectView int

const (
	viewCreate projectView = iota
	viewDetail             // retrieve
	viewUpdate             // PATCH and PUT
	viewList
)

// projectJSON is a project response with its counters computed.
func (st *state) projectJSON(p *project, view projectView) map[string]any {
	tasks, annotations, predictions, withAnnotations := 0, 0, 0, 0
	for _, t := range st.Tasks {
		if t.Project != p.ID {
			continue
		}
		tasks++
		predictions += len(t.Predictions)
		if n := len(st.annotationsOf(t.ID)); n > 0 {
			annotations += n
			withAnnotations++
		}
	}
	parsed := parsedLabelConfig(p.LabelConfig)
	out := maps.Clone(p.Settings)
	maps.Copy(out, map[string]any{
		"id": p.ID, "title": p.Title, "label_config": p.LabelConfig, "created_at": p.CreatedAt,
		"created_by":   map[string]any{"id": bootstrapUserID, "username": bootstrapUserName, "email": bootstrapUserEmail, "first_name": "", "last_name": "", "avatar": ""},
		"organization": 1, "parsed_label_config": parsed, "config_has_control_tags": len(parsed) > 0,
		"config_suitable_for_bulk_annotation": false, "start_training_on_annotation_update": false,
		"state": "", "task_number": tasks, "num_tasks_with_annotations": withAnnotations,
		"finished_task_number": withAnnotations, "total_annotations_number": annotations,
		"total_predictions_number": predictions, "useful_annotation_number": annotations,
		"ground_truth_number": 0, "skipped_annotations_number": 0, "queue_total": tasks, "queue_done": withAnnotations,
		"queue_left": tasks - withAnnotations, "allow_stream": tasks > 0, "ready": tasks > 0, "rejected": 0,
		"review_total_tasks": 0, "reviewed_number": 0, "reviewer_queue_total": 0, "members": "", "members_count": 1,
		"prompts": "", "data_types": map[string]any{}, "is_dimensions_enabled": "false", "workspace": "", "workspace_title": "",
		"assignment_settings": map[string]any{"id": p.ID}, "review_settings": map[string]any{"id": p.ID, "requeue_rejected_tasks_to_annotator": false},
	})
	switch view {
	case viewCreate:
		// The create serializer has no workspace fields.
		delete(out, "workspace")
		delete(out, "workspace_title")
	case viewUpdate:
		out["workspace"] = 0 // the update serializer writes the workspace id
	}
	if view == viewList {
		// The list serializer computes these counters as method fields,
		// which the public schema types as strings.
		for _, name := range []string{"queue_total", "skipped_annotations_number", "total_annotations_number"} {
			out[name] = strconv.Itoa(toIntOrZero(out[name]))
		}
		out["blueprints"] = []any{}
		out["description_short"], _ = p.Settings["description"].(string)
	}
	return out
}

func toIntOrZero(v any) int {
	if n, ok := v.(int); ok {
		return n
	}
	return 0
}

func (s *Server) handleProjectCreate(w http.ResponseWriter, r *http.Request, _ routeParams) error {
	body, err := readBody(r)
	if err != nil {
		return err
	}
	cleaned, err := cleanProjectBody(body, true)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := &project{ID: s.st.nextID("project"), CreatedAt: isoTime(time.Now()), Settings: map[string]any{}}
	applyProjectBody(p, cleaned)
	s.st.Projects[p.ID] = p
	if err := s.persistLocked(); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, s.st.projectJSON(p, viewCreate))
	return nil
}

func (s *Server) handleProjectGet(w http.ResponseWriter, _ *http.Request, p routeParams) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return writeFound(w, s.st.Projects, p.id, "Project", func(proj *project) map[string]any { return s.st.projectJSON(proj, viewDetail) })
}

// handleProjectPatch: @api_webhook(PROJECT_UPDATED) delivers before the
// answer leaves (deliveries.go).
func (s *Server) handleProjectPatch(w http.ResponseWriter, r *http.Request, p routeParams) error {
	return answerAfterEmit(w, func(w http.ResponseWriter) error { return s.updateProject(w, r, p) },
		func() { s.emitProjectUpdated(p.id) })
}

// handleProjectPut: Label Studio's project PUT behaves as a partial update.
func (s *Server) handleProjectPut(w http.ResponseWriter, r *http.Request, p routeParams) error {
	return s.updateProject(w, r, p)
}

func (s *Server) updateProject(w http.ResponseWriter, r *http.Request, p routeParams) error {
	s.mu.Lock()
	_, ok := s.st.Projects[p.id]
	s.mu.Unlock()
	if !ok {
		return notFound("Project")
	}
	body, err := readBody(r)
	if err != nil {
		return err
	}
	cleaned, err := cleanProjectBody(body, false)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	proj, ok := s.st.Projects[p.id]
	if !ok {
		return notFound("Project")
	}
	applyProjectBody(proj, cleaned)
	if err := s.persistLocked(); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.st.projectJSON(proj, viewUpdate))
	return nil
}

// handleProjectDelete deletes a project with its storages, tasks and
// annotations.
func (s *Server) handleProjectDelete(w http.ResponseWriter, _ *http.Request, p routeParams) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.st.Projects[p.id]; !ok {
		return notFound("Project")
	}
	delete(s.st.Projects, p.id)
	for key, sg := range s.st.Storages {
		if sg.project() == p.id {
			delete(s.st.Storages, key)
			delete(s.jobs, key)
		}
	}
	for id, t := range s.st.Tasks {
		if t.Project == p.id {
			delete(s.st.Tasks, id)
		}
	}
	for id, a := range s.st.Annotations {
		if a.Project == p.id {
			delete(s.st.Annotations, id)
		}
	}
	s.st.deleteProjectObjects(p.id)
	if err := s.persistLocked(); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// handleProjectList is the paginated project list with the filters of
// label_studio/projects/api.py (ProjectListAPI, ProjectFilterSet,
// GetFieldsSerializer, ProjectListPagination): ids (comma-separated), title
// (case-insensitive contains), filter (pinned_only, exclude_pinned), ordering
// (DRF's OrderingFilter; unknown fields are ignored) over the default of
// pinned first, newest first; include limits the count fields computed, the
// others come back null; page_size is capped at 100.
func (s *Server) handleProjectList(w http.ResponseWriter, r *http.Request, _ routeParams) error {
	page, size, err := pageParams(r, 30)
	if err != nil {
		return err
	}
	size = min(size, 100)
	q := r.URL.Query()
	var wantIDs map[int64]bool
	if raw := q.Get("ids"); raw != "" {
		wantIDs = map[int64]bool{}
		for _, part := range strings.Split(raw, ",") {
			id, err := strconv.ParseInt(strings.TrimSpace(part), 10, 64)
			if err != nil {
				// Django's int lookup on a non-number, uncaught.
				return uncaught("ValueError", fmt.Sprintf("Field 'id' expected a number but got '%s'.", part))
			}
			wantIDs[id] = true
		}
	}
	var include map[string]bool
	if raw, ok := q["include"]; ok {
		if raw[0] == "" {
			return fieldError("include", "This field may not be blank.")
		}
		include = map[string]bool{}
		for _, name := range strings.Split(raw[0], ",") {
			include[name] = true
		}
	}
	titlePart := strings.ToLower(q.Get("title"))
	pinned := q.Get("filter")

	s.mu.Lock()
	defer s.mu.Unlock()
	var list []*project
	for _, p := range s.st.Projects {
		isPinned := p.Settings["pinned_at"] != nil
		switch {
		case wantIDs != nil && !wantIDs[p.ID]:
		case titlePart != "" && !strings.Contains(strings.ToLower(p.Title), titlePart):
		case pinned == "pinned_only" && !isPinned, pinned == "exclude_pinned" && isPinned:
		default:
			list = append(list, p)
		}
	}
	// Default order: pinned first (latest pin first), then newest first;
	// ids stand in for creation order.
	sort.Slice(list, func(i, j int) bool {
		pi, _ := list[i].Settings["pinned_at"].(string)
		pj, _ := list[j].Settings["pinned_at"].(string)
		if pi != pj {
			return pi > pj
		}
		return list[i].ID > list[j].ID
	})
	if keys := orderingKeys(q.Get("ordering")); len(keys) > 0 {
		sort.SliceStable(list, func(i, j int) bool { return projectLess(list[i], list[j], keys) })
	}

	start, end, err := pageBounds(len(list), page, size)
	if err != nil {
		return err
	}
	results := []map[string]any{}
	for _, p := range list[start:end] {
		out := s.st.projectJSON(p, viewList)
		for _, name := range projectCountFields {
			if include != nil && !include[name] {
				out[name] = nil // not annotated: the serializer's default
			}
		}
		results = append(results, out)
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"count": len(list), "results": results,
		"next":     pageLink(r, page+1, end < len(list)),
		"previous": pageLink(r, page-1, page > 1),
	})
	return nil
}

// projectCountFields are the counts GetFieldsSerializer's include selects.
var projectCountFields = []string{"task_number", "finished_task_number", "total_predictions_number", "total_annotations_number",
	"num_tasks_with_annotations", "useful_annotation_number", "ground_truth_number", "skipped_annotations_number"}

type orderingKey struct {
	field string
	desc  bool
}

// orderingKeys parses DRF's ordering parameter, keeping the fields a
// project can be ordered by.
func orderingKeys(raw string) []orderingKey {
	var keys []orderingKey
	for _, part := range strings.Split(raw, ",") {
		part = strings.TrimSpace(part)
		key := orderingKey{field: strings.TrimPrefix(part, "-"), desc: strings.HasPrefix(part, "-")}
		if _, ok := projectSortValue(&project{Settings: map[string]any{}}, key.field); ok {
			keys = append(keys, key)
		}
	}
	return keys
}

// projectSortValue is a project's value of an orderable field.
func projectSortValue(p *project, field string) (any, bool) {
	switch field {
	case "id":
		return float64(p.ID), true
	case "title":
		return p.Title, true
	case "created_at":
		return p.CreatedAt, true
	}
	for _, setting := range projectSettings {
		if setting.spec.name == field && setting.spec.typ != typeJSON {
			return p.Settings[field], true
		}
	}
	return nil, false
}

func projectLess(a, b *project, keys []orderingKey) bool {
	for _, k := range keys {
		va, _ := projectSortValue(a, k.field)
		vb, _ := projectSortValue(b, k.field)
		c := compareValues(va, vb)
		if c == 0 {
			continue
		}
		return (c < 0) != k.desc
	}
	return false
}

// compareValues orders JSON scalars; null sorts last, as PostgreSQL does
// ascending.
func compareValues(a, b any) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return 1
	case b == nil:
		return -1
	}
	switch x := a.(type) {
	case float64:
		y, _ := b.(float64)
		return cmp.Compare(x, y)
	case string:
		y, _ := b.(string)
		return strings.Compare(x, y)
	case bool:
		y, _ := b.(bool)
		switch {
		case x == y:
			return 0
		case !x:
			return -1
		}
		return 1
	}
	return 0
}

// pageLink is DRF's absolute next/previous URL, or null.
func pageLink(r *http.Request, page int, exists bool) any {
	if !exists {
		return nil
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	q := r.URL.Query()
	if page == 1 {
		q.Del("page")
	} else {
		q.Set("page", strconv.Itoa(page))
	}
	u := url.URL{Scheme: scheme, Host: r.Host, Path: r.URL.Path, RawQuery: q.Encode()}
	return u.String()
}

func (s *Server) handleVersion(w http.ResponseWriter, _ *http.Request, _ routeParams) error {
	edition := "Community"
	if s.cfg.Edition == "enterprise" {
		edition = "Enterprise"
	}
	component := map[string]any{"version": s.cfg.Version}
	writeJSON(w, http.StatusOK, map[string]any{
		"release": s.cfg.Version, "edition": edition,
		"label-studio-os-package": component, "label-studio-os-backend": component,
		"label-studio-frontend": map[string]any{}, "dm2": map[string]any{}, "label-studio-converter": map[string]any{},
		"lsf": map[string]any{}, "backend": map[string]any{},
	})
	return nil
}

func (s *Server) handleWhoAmI(w http.ResponseWriter, _ *http.Request, _ routeParams) error {
	membership := map[string]any{"active": "true", "organization_id": 1, "role": "OW"}
	writeJSON(w, http.StatusOK, map[string]any{
		"id": bootstrapUserID, "username": bootstrapUserName, "email": bootstrapUserEmail,
		"first_name": "", "last_name": "", "avatar": "", "initials": "ad", "phone": "",
		"active_organization": 1, "active_organization_meta": "", "last_activity": isoTime(time.Now()),
		"allow_newsletters": false, "pause": "", "permissions": []string{}, "social_accounts": []any{},
		"custom_hotkeys": map[string]any{}, "date_joined": isoTime(time.Unix(0, 0)),
		"org_membership": []any{membership}, "organization_membership": membership,
		"lse_fields": map[string]any{"active_organization_external_id": nil, "email_notification_settings": "",
			"invite_expired": "false", "invite_expired_at": ""},
	})
	return nil
}
