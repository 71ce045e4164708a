package devserver

import (
	"fmt"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// dmView is a data-manager view (tab) as data_manager/models.py stores it:
// data without filters and ordering, which live in a filter group and the
// ordering field.
type dmView struct {
	ID            int64        `json:"id"`
	Project       int64        `json:"project"`
	Data          any          `json:"data"`
	Ordering      any          `json:"ordering"`
	Order         any          `json:"order"`
	SelectedItems any          `json:"selected_items"`
	User          any          `json:"user"`
	FilterGroup   *filterGroup `json:"filter_group"`
	// IsLocked: locked against configuration changes (migration
	// 0019_view_lock_fields.py); LockedAt is empty when unlocked.
	IsLocked bool   `json:"is_locked"`
	LockedAt string `json:"locked_at,omitempty"`
}

// lockedViewAllowedDataKeys are the data keys an update of a locked view
// still writes (LOCKED_VIEW_ALLOWED_DATA_KEYS, data_manager/serializers.py).
var lockedViewAllowedDataKeys = []string{"columnsWidth"}

func (v *dmView) lock(now time.Time) { v.IsLocked, v.LockedAt = true, isoTime(now) }

func (v *dmView) unlock() { v.IsLocked, v.LockedAt = false, "" }

type filterGroup struct {
	Conjunction string       `json:"conjunction"`
	Filters     []viewFilter `json:"filters"`
}

// viewFilter is a Filter row; Children are its child filters (one level:
// a child has none), in their wire order.
type viewFilter struct {
	Column   string       `json:"column"`
	Type     string       `json:"type"`
	Operator string       `json:"operator"`
	Value    any          `json:"value"`
	Children []viewFilter `json:"children,omitempty"`
}

const filterColumnPrefix = "filter:tasks:"

// filterAllowlist is Label Studio's default DATA_MANAGER_FILTER_ALLOWLIST
// (core/settings/base.py): foreign-key filters allowed without a setting.
var filterAllowlist = []string{"updated_by__active_organization", "annotations__completed_by"}

// viewJSON is ViewSerializer.to_representation: the filter group goes back
// into data.filters ({conjunction, items}), and non-empty selected_items
// and ordering into data.selectedItems and data.ordering.
func viewJSON(v *dmView) (map[string]any, error) {
	out := map[string]any{
		"id": v.ID, "project": v.Project, "order": v.Order, "user": v.User,
		"is_locked": v.IsLocked, "locked_at": nil, "locked_by": nil,
	}
	if v.IsLocked {
		// The caller locked it: ViewSerializer.get_locked_by.
		out["locked_at"] = v.LockedAt
		out["locked_by"] = map[string]any{"id": bootstrapUserID, "name": bootstrapUserEmail, "email": bootstrapUserEmail}
	}
	var data map[string]any
	if m, ok := v.Data.(map[string]any); ok {
		data = maps.Clone(m)
		out["data"] = data
	} else {
		out["data"] = v.Data
	}
	put := func(key string, value any) error {
		if data == nil {
			return uncaught("TypeError", fmt.Sprintf("'%s' object does not support item assignment", pythonTypeName(v.Data)))
		}
		data[key] = value
		return nil
	}
	if v.FilterGroup != nil {
		items := []any{}
		for _, f := range v.FilterGroup.Filters {
			items = append(items, filterItemJSON(f))
		}
		if err := put("filters", map[string]any{"conjunction": v.FilterGroup.Conjunction, "items": items}); err != nil {
			return nil, err
		}
	}
	if truthy(v.SelectedItems) {
		if err := put("selectedItems", v.SelectedItems); err != nil {
			return nil, err
		}
	}
	if truthy(v.Ordering) {
		if err := put("ordering", v.Ordering); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// filterItemJSON is FilterGroupSerializer.to_representation's item: every
// root filter lists its children in child_filters, empty or not.
func filterItemJSON(f viewFilter) map[string]any {
	item := filterFieldsJSON(f)
	children := []any{}
	for _, c := range f.Children {
		children = append(children, filterFieldsJSON(c))
	}
	item["child_filters"] = children
	return item
}

func filterFieldsJSON(f viewFilter) map[string]any {
	return map[string]any{"filter": f.Column, "operator": f.Operator, "type": f.Type, "value": f.Value}
}

// viewAttrs is the validated body of ViewSerializer; has says which
// fields were sent.
type viewAttrs struct {
	has           map[string]bool
	project       int64
	data          any
	ordering      any
	order         any
	selectedItems any
	user          any
	isLocked      bool
	filterGroup   *filterGroup
}

// cleanViewBody is ViewSerializer.to_internal_value: when data is an
// object, data.filters becomes a filter group (only when it has a
// conjunction; otherwise it is dropped) and data.ordering replaces the
// ordering field (absent: {}); data of another type (null included) is
// stored as sent. Then the fields are validated, the filters by
// FilterSerializer.
func (s *Server) cleanViewBody(body map[string]any, partial bool) (*viewAttrs, error) {
	attrs := &viewAttrs{has: map[string]bool{}}
	var data map[string]any
	if raw, ok := body["data"]; ok {
		attrs.has["data"] = true
		m, isMap := raw.(map[string]any)
		if !isMap {
			attrs.data = plainValue(raw)
			return s.cleanViewFields(body, attrs, partial)
		}
		data = maps.Clone(m)
	} else {
		return s.cleanViewFields(body, attrs, partial)
	}
	var filters any = map[string]any{}
	if data != nil {
		if f, ok := data["filters"]; ok {
			filters = f
			delete(data, "filters")
		}
	}
	filtersMap, ok := filters.(map[string]any)
	if !ok {
		return nil, uncaught("AttributeError", fmt.Sprintf("'%s' object has no attribute 'get'", pythonTypeName(filters)))
	}
	groupBody, hasGroup := body["filter_group"]
	if !hasGroup && truthy(filtersMap["conjunction"]) {
		converted := []any{}
		if items, ok := filtersMap["items"]; ok {
			list, isList := items.([]any)
			if !isList {
				return nil, uncaught("TypeError", fmt.Sprintf("'%s' object is not iterable", pythonTypeName(items)))
			}
			for _, item := range list {
				c, err := convertFilterItem(item)
				if err != nil {
					return nil, err
				}
				converted = append(converted, c)
			}
		}
		groupBody, hasGroup = map[string]any{"conjunction": filtersMap["conjunction"], "filters": converted}, true
	}
	var ordering any = map[string]any{}
	if data != nil {
		if o, ok := data["ordering"]; ok {
			ordering = o
			delete(data, "ordering")
		}
	}
	attrs.ordering = plainValue(ordering)
	attrs.has["ordering"] = true
	attrs.data = plainValue(data)
	if hasGroup {
		body = maps.Clone(body)
		body["filter_group"] = groupBody
	}
	return s.cleanViewFields(body, attrs, partial)
}

// cleanViewFields validates the serializer's fields.
func (s *Server) cleanViewFields(body map[string]any, attrs *viewAttrs, partial bool) (*viewAttrs, error) {
	groupBody, hasGroup := body["filter_group"]
	errs := map[string]any{}
	if raw, ok := body["project"]; ok {
		id, msg := s.convertProject(raw)
		if msg != "" {
			errs["project"] = []string{msg}
		} else {
			attrs.project, attrs.has["project"] = id, true
		}
	} else if !partial {
		errs["project"] = []string{msgFieldRequired}
	}
	if raw, ok := body["order"]; ok {
		value, msg := convert(fieldSpec{name: "order", typ: typeInt, nullable: true, min: -2147483648, max: 2147483647}, raw)
		if msg != "" {
			errs["order"] = []string{msg}
		} else {
			attrs.order, attrs.has["order"] = value, true
		}
	}
	if raw, ok := body["selected_items"]; ok {
		attrs.selectedItems, attrs.has["selected_items"] = plainValue(raw), true
	}
	if raw, ok := body["user"]; ok {
		switch id, isInt := toInt(raw); {
		case raw == nil:
			attrs.user, attrs.has["user"] = nil, true
		case !isInt:
			errs["user"] = []string{fmt.Sprintf("Incorrect type. Expected pk value, received %s.", pythonTypeName(raw))}
		case id != bootstrapUserID:
			errs["user"] = []string{fmt.Sprintf("Invalid pk \"%v\" - object does not exist.", plainValue(raw))}
		default:
			attrs.user, attrs.has["user"] = float64(id), true
		}
	}
	if raw, ok := body["is_locked"]; ok {
		switch b, isBool := raw.(bool); {
		case raw == nil:
			attrs.has["is_locked"] = true
		case !isBool:
			errs["is_locked"] = []string{"Must be a valid boolean."}
		default:
			attrs.isLocked, attrs.has["is_locked"] = b, true
		}
	}
	if hasGroup {
		group, groupErrs := cleanFilterGroup(groupBody)
		if groupErrs != nil {
			errs["filter_group"] = groupErrs
		} else {
			attrs.filterGroup, attrs.has["filter_group"] = group, true
		}
	}
	if len(errs) > 0 {
		return nil, validationError(errs)
	}
	return attrs, nil
}

// convertFilterItem maps one data.filters item to a Filter body; missing
// keys become "" (value: {}), which the field validation then refuses.
func convertFilterItem(item any) (map[string]any, error) {
	m, ok := item.(map[string]any)
	if !ok {
		return nil, uncaught("AttributeError", fmt.Sprintf("'%s' object has no attribute 'get'", pythonTypeName(item)))
	}
	get := func(key string, def any) any {
		if v, ok := m[key]; ok {
			return v
		}
		return def
	}
	out := map[string]any{"column": get("filter", ""), "operator": get("operator", ""), "type": get("type", ""), "value": get("value", map[string]any{})}
	children, present := m["child_filters"]
	if !present {
		if child, ok := m["child_filter"]; ok {
			children, present = []any{}, true
			if child != nil {
				children = []any{child}
			}
		}
	}
	if !present {
		return out, nil
	}
	list, isList := children.([]any)
	if !isList {
		// Passed on as sent, for the field validation to refuse.
		out["child_filters"] = children
		return out, nil
	}
	converted := make([]any, 0, len(list))
	for _, child := range list {
		c, err := convertFilterItem(child)
		if err != nil {
			return nil, err
		}
		converted = append(converted, c)
	}
	out["child_filters"] = converted
	return out, nil
}

// cleanFilterGroup is FilterGroupSerializer's validation: a conjunction
// and a list of filters, errors nested as DRF nests them.
func cleanFilterGroup(raw any) (*filterGroup, map[string]any) {
	m, ok := raw.(map[string]any)
	if !ok {
		return nil, map[string]any{nonFieldErrors: []string{fmt.Sprintf("Invalid data. Expected a dictionary, but got %s.", pythonTypeName(raw))}}
	}
	errs := map[string]any{}
	group := &filterGroup{}
	if c, ok := m["conjunction"]; ok {
		value, msg := convert(fieldSpec{name: "conjunction", typ: typeString, maxLen: 1024, notBlank: true}, c)
		if msg != "" {
			errs["conjunction"] = []string{msg}
		} else {
			group.Conjunction = value.(string)
		}
	} else {
		errs["conjunction"] = []string{msgFieldRequired}
	}
	list, ok := m["filters"].([]any)
	switch {
	case m["filters"] == nil:
		errs["filters"] = []string{msgFieldRequired}
	case !ok:
		errs["filters"] = map[string]any{nonFieldErrors: []string{fmt.Sprintf("Expected a list of items but got type \"%s\".", pythonTypeName(m["filters"]))}}
	default:
		itemErrs := make([]any, len(list))
		failed := false
		for i, item := range list {
			f, e := cleanFilter(item)
			if e != nil {
				itemErrs[i], failed = e, true
				continue
			}
			itemErrs[i] = map[string]any{}
			group.Filters = append(group.Filters, *f)
		}
		if failed {
			errs["filters"] = itemErrs
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return group, nil
}

// cleanFilter is FilterSerializer: column, type and operator are required,
// non-blank CharFields of at most 1024 characters, then validate_column,
// the child filters and validate.
func cleanFilter(raw any) (*viewFilter, map[string]any) {
	return cleanFilterAs(raw, false)
}

// cleanFilterAs validates a root filter or, with isChild, a child filter
// (ChildFilterSerializer: one level only).
func cleanFilterAs(raw any, isChild bool) (*viewFilter, map[string]any) {
	m, ok := raw.(map[string]any)
	if !ok {
		return nil, map[string]any{nonFieldErrors: []string{fmt.Sprintf("Invalid data. Expected a dictionary, but got %s.", pythonTypeName(raw))}}
	}
	errs := map[string]any{}
	texts := map[string]string{}
	for _, name := range []string{"column", "type", "operator"} {
		v, present := m[name]
		if !present {
			errs[name] = []string{msgFieldRequired}
			continue
		}
		value, msg := convert(fieldSpec{name: name, typ: typeString, maxLen: 1024, notBlank: true}, v)
		if msg != "" {
			errs[name] = []string{msg}
			continue
		}
		texts[name] = value.(string)
	}
	if column, ok := texts["column"]; ok {
		if msg := validateFilterColumn(column); msg != "" {
			errs["column"] = []string{msg}
		}
	}
	f := &viewFilter{Column: texts["column"], Type: texts["type"], Operator: texts["operator"], Value: map[string]any{}}
	if v, ok := m["value"]; ok {
		f.Value = plainValue(v)
	}
	if children, ok := filterChildren(m); ok && isChild {
		if list, isList := children.([]any); !isList || len(list) > 0 {
			return nil, map[string]any{"child_filters": "Child filters cannot contain nested child filters."}
		}
	} else if ok {
		f.Children, errs = cleanChildFilters(children, errs)
	}
	if len(errs) == 0 {
		if msg := validateListMembership(f); msg != nil {
			return nil, msg
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return f, nil
}

// filterChildren is FilterSerializer.to_internal_value's normalisation:
// child_filters wins over the singular child_filter, whose null means none.
func filterChildren(m map[string]any) (any, bool) {
	if children, ok := m["child_filters"]; ok {
		return children, true
	}
	if child, ok := m["child_filter"]; ok {
		if child == nil {
			return []any{}, true
		}
		return []any{child}, true
	}
	return nil, false
}

// cleanChildFilters is ChildFilterSerializer(many=True): a list whose
// items are validated as filters of their own, one error per item.
func cleanChildFilters(raw any, errs map[string]any) ([]viewFilter, map[string]any) {
	list, ok := raw.([]any)
	if !ok {
		errs["child_filters"] = map[string]any{nonFieldErrors: []string{fmt.Sprintf("Expected a list of items but got type \"%s\".", pythonTypeName(raw))}}
		return nil, errs
	}
	var children []viewFilter
	itemErrs := make([]any, len(list))
	failed := false
	for i, item := range list {
		c, e := cleanFilterAs(item, true)
		if e != nil {
			itemErrs[i], failed = e, true
			continue
		}
		itemErrs[i] = map[string]any{}
		children = append(children, *c)
	}
	if failed {
		errs["child_filters"] = itemErrs
	}
	return children, errs
}

// listMembershipColumns are the columns besides data.* that in_list and
// not_in_list accept (managers.SUPPORTED_IN_LIST_FIELDS).
var listMembershipColumns = []string{"id", "inner_id", "total_annotations", "total_predictions", "cancelled_annotations"}

// validateListMembership is FilterSerializer.validate for in_list and
// not_in_list: a JSON array of strings or numbers, on a supported column.
// (DATA_MANAGER_LIST_FILTER_MAX_VALUES, the list's size limit, is not
// applied.)
func validateListMembership(f *viewFilter) map[string]any {
	if f.Operator != "in_list" && f.Operator != "not_in_list" {
		return nil
	}
	list, ok := f.Value.([]any)
	if !ok {
		return map[string]any{"value": []string{"`in_list` / `not_in_list` require a JSON array."}}
	}
	for _, el := range list {
		switch el.(type) {
		case string, float64, bool:
		default:
			return map[string]any{"value": []string{"List elements must be strings or numbers."}}
		}
	}
	field := strings.TrimPrefix(strings.TrimPrefix(f.Column, filterColumnPrefix), "-")
	if !strings.HasPrefix(f.Column, filterColumnPrefix) || !strings.HasPrefix(field, "data.") && !slices.Contains(listMembershipColumns, field) {
		return map[string]any{"column": []string{"`is any of` / `is none of` support Task ID, Inner ID, annotation/prediction counters, and task.data.* fields."}}
	}
	return nil
}

// validateFilterColumn is FilterSerializer.validate_column with Label
// Studio's default DATA_MANAGER_FILTER_ALLOWLIST.
func validateFilterColumn(column string) string {
	if !strings.HasPrefix(column, filterColumnPrefix) {
		return fmt.Sprintf("Filter \"%s\" should start with \"%s\"", column, filterColumnPrefix)
	}
	rest := strings.TrimPrefix(strings.TrimPrefix(column, filterColumnPrefix), "-")
	if strings.HasPrefix(rest, "data.") || slices.Contains(filterAllowlist, rest) {
		return ""
	}
	if strings.Contains(rest, "__") {
		return fmt.Sprintf("\"__\" is not generally allowed in filters. Consider asking your administrator to add \"%s\" "+
			"to DATA_MANAGER_FILTER_ALLOWLIST, but note that some filter expressions may pose a security risk", rest)
	}
	return ""
}

// handleViewList is ViewAPI.list: the organisation's views, ?project
// filtering (an unknown one is django-filter's 400), ordered by
// (order, id).
func (s *Server) handleViewList(w http.ResponseWriter, r *http.Request, _ routeParams) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var project int64
	if raw := r.URL.Query().Get("project"); raw != "" {
		id, err := strconv.ParseInt(raw, 10, 64)
		if _, exists := s.st.Projects[id]; err != nil || !exists {
			return fieldError("project", "Select a valid choice. That choice is not one of the available choices.")
		}
		project = id
	}
	views := s.st.viewsOf(project)
	out := []map[string]any{}
	for _, v := range views {
		item, err := viewJSON(v)
		if err != nil {
			return err
		}
		out = append(out, item)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// viewsOf lists a project's views (0: all) in (order, id) order.
func (st *state) viewsOf(project int64) []*dmView {
	var out []*dmView
	for _, v := range st.Views {
		if project == 0 || v.Project == project {
			out = append(out, v)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		oi, iSet := out[i].Order.(float64)
		oj, jSet := out[j].Order.(float64)
		switch {
		case iSet != jSet:
			return iSet // null sorts last, as PostgreSQL does ascending
		case oi != oj:
			return oi < oj
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// handleViewCreate is ViewAPI.create with ViewSerializer.create: the order
// is one more than the project's highest (0 for its first view), whatever
// the body says (ViewAPI.perform_create, data_manager/api.py); the user is
// the caller, who may create it locked.
func (s *Server) handleViewCreate(w http.ResponseWriter, r *http.Request, _ routeParams) error {
	body, err := readBody(r)
	if err != nil {
		return err
	}
	attrs, err := s.cleanViewBody(body, false)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	v := &dmView{ID: s.st.nextID("view"), Project: attrs.project, Data: map[string]any{}, Ordering: attrs.ordering,
		Order: float64(0), SelectedItems: map[string]any{}, User: float64(bootstrapUserID)}
	if attrs.has["data"] {
		v.Data = attrs.data
	}
	v.Order = float64(s.st.nextViewOrder(attrs.project))
	if attrs.has["selected_items"] {
		v.SelectedItems = attrs.selectedItems
	}
	if attrs.filterGroup != nil {
		v.FilterGroup = attrs.filterGroup
	}
	if attrs.isLocked {
		v.lock(time.Now())
	}
	out, err := viewJSON(v)
	if err != nil {
		return err
	}
	s.st.Views[v.ID] = v
	if err := s.persistLocked(); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, out)
	return nil
}

// nextViewOrder is max(order) + 1 over the project's views, or 0.
func (st *state) nextViewOrder(project int64) int64 {
	next := int64(0)
	for _, v := range st.viewsOf(project) {
		if o, ok := v.Order.(float64); ok && int64(o) >= next {
			next = int64(o) + 1
		}
	}
	return next
}

func (s *Server) handleViewGet(w http.ResponseWriter, _ *http.Request, p routeParams) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.st.Views[p.id]
	if !ok {
		return notFound("View")
	}
	out, err := viewJSON(v)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) handleViewPatch(w http.ResponseWriter, r *http.Request, p routeParams) error {
	return s.updateView(w, r, p, true)
}

func (s *Server) handleViewPut(w http.ResponseWriter, r *http.Request, p routeParams) error {
	return s.updateView(w, r, p, false)
}

// updateView is ViewSerializer.update: a locked view, unless this request
// unlocks it, takes only the allowed data keys (column widths) and answers
// as it is; otherwise the lock changes as asked, then the filter group
// (filters replaced, conjunction changed only when given), a non-empty
// ordering and the data sent are written, and nothing else: order,
// project, user and selected_items in the body are ignored.
func (s *Server) updateView(w http.ResponseWriter, r *http.Request, p routeParams, partial bool) error {
	if err := requireFound(s, func(st *state) map[int64]*dmView { return st.Views }, p.id, "View"); err != nil {
		return err
	}
	body, err := readBody(r)
	if err != nil {
		return err
	}
	attrs, err := s.cleanViewBody(body, partial)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.st.Views[p.id]
	if !ok {
		return notFound("View")
	}
	unlocking := attrs.has["is_locked"] && !attrs.isLocked && v.IsLocked
	switch {
	case v.IsLocked && !unlocking:
		incoming, _ := attrs.data.(map[string]any)
		current, isMap := v.Data.(map[string]any)
		for _, key := range lockedViewAllowedDataKeys {
			value, sent := incoming[key]
			if !sent || reflect.DeepEqual(value, current[key]) {
				continue
			}
			if !isMap {
				current = map[string]any{}
			}
			current, isMap = maps.Clone(current), true
			current[key] = value
			v.Data = current
		}
		return s.writeView(w, v)
	case unlocking:
		v.unlock()
	case attrs.has["is_locked"] && attrs.isLocked && !v.IsLocked:
		v.lock(time.Now())
	}
	if g := attrs.filterGroup; g != nil {
		if v.FilterGroup == nil {
			v.FilterGroup = &filterGroup{Conjunction: g.Conjunction}
		}
		if g.Conjunction != "" {
			v.FilterGroup.Conjunction = g.Conjunction
		}
		v.FilterGroup.Filters = g.Filters
	}
	if truthy(attrs.ordering) && !reflect.DeepEqual(attrs.ordering, v.Ordering) {
		v.Ordering = attrs.ordering
	}
	if attrs.has["data"] {
		v.Data = attrs.data
	}
	return s.writeView(w, v)
}

// writeView persists the views and answers with v.
func (s *Server) writeView(w http.ResponseWriter, v *dmView) error {
	out, err := viewJSON(v)
	if err != nil {
		return err
	}
	if err := s.persistLocked(); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) handleViewDelete(w http.ResponseWriter, _ *http.Request, p routeParams) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.st.Views[p.id]; !ok {
		return notFound("View")
	}
	delete(s.st.Views, p.id)
	if err := s.persistLocked(); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// handleViewReset is ViewAPI.reset: every view of the project, whoever
// made it. The project comes from the body or, failing that, the query.
func (s *Server) handleViewReset(w http.ResponseWriter, r *http.Request, _ routeParams) error {
	body, err := readBody(r)
	if err != nil {
		return err
	}
	raw, ok := body["project"]
	if !ok {
		raw = nil
		if q := r.URL.Query(); q.Has("project") {
			raw = q.Get("project")
		}
	}
	id, msg := s.convertProject(raw)
	if msg != "" {
		return fieldError("project", msg)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, v := range s.st.viewsOf(id) {
		delete(s.st.Views, v.ID)
	}
	if err := s.persistLocked(); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// handleViewOrder is ViewAPI.update_order: each listed view of the project
// gets its position in ids; unknown ids are skipped; 200, empty body.
func (s *Server) handleViewOrder(w http.ResponseWriter, r *http.Request, _ routeParams) error {
	body, err := readBody(r)
	if err != nil {
		return err
	}
	errs := map[string]any{}
	project, hasProject := body["project"]
	projectID, isInt := toInt(project)
	switch {
	case !hasProject:
		errs["project"] = []string{msgFieldRequired}
	case project == nil:
		errs["project"] = []string{"This field may not be null."}
	case !isInt:
		errs["project"] = []string{"A valid integer is required."}
	}
	var ids []int64
	rawIDs, hasIDs := body["ids"]
	list, isList := rawIDs.([]any)
	switch {
	case !hasIDs:
		errs["ids"] = []string{msgFieldRequired}
	case rawIDs == nil:
		errs["ids"] = []string{"This field may not be null."}
	case !isList:
		errs["ids"] = []string{fmt.Sprintf("Expected a list of items but got type \"%s\".", pythonTypeName(rawIDs))}
	case len(list) == 0:
		errs["ids"] = []string{"This list may not be empty."}
	default:
		itemErrs := map[string]any{}
		for i, item := range list {
			id, ok := toInt(item)
			if !ok {
				itemErrs[strconv.Itoa(i)] = []string{"A valid integer is required."}
				continue
			}
			ids = append(ids, id)
		}
		if len(itemErrs) > 0 {
			errs["ids"] = itemErrs
		}
	}
	if len(errs) > 0 {
		return validationError(errs)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.st.Projects[projectID]; !ok {
		return notFound("Project")
	}
	for position, id := range ids {
		if v, ok := s.st.Views[id]; ok && v.Project == projectID {
			v.Order = float64(position)
		}
	}
	if err := s.persistLocked(); err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}
