package devserver

import (
	"cmp"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// GET /api/projects/: Label Studio's project list with its filters,
// ordering and pages.

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
