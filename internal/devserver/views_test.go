package devserver

import (
	"maps"
	"net/http"
	"reflect"
	"testing"
)

// Data-manager views (API.md 16).

func viewPath(id any) string { return "/api/dm/views/" + itoa(int64(id.(float64))) + "/" }

func (ts *testServer) viewList(query string) []map[string]any {
	ts.t.Helper()
	var items []map[string]any
	ts.decode(ts.mustDo(http.MethodGet, "/api/dm/views/"+query, nil, http.StatusOK), &items)
	return items
}

func viewFilters(items ...map[string]any) map[string]any {
	list := make([]any, len(items))
	for i, it := range items {
		list[i] = it
	}
	return map[string]any{"conjunction": "and", "items": list}
}

var (
	imageFilter = map[string]any{"filter": "filter:tasks:data.image", "operator": "contains", "type": "Image", "value": "cat"}
	countFilter = map[string]any{"filter": "filter:tasks:total_annotations", "operator": "greater", "type": "Number", "value": 1.0}
)

// asRead is a filter item as FilterGroupSerializer.to_representation gives
// it back: with the list of its child filters, empty or not.
func asRead(item map[string]any, children ...map[string]any) map[string]any {
	out := maps.Clone(item)
	list := []any{}
	for _, c := range children {
		list = append(list, c)
	}
	out["child_filters"] = list
	return out
}

// data_manager/serializers.py ViewSerializer: data.filters is lifted into a
// filter group and data.ordering into the ordering field, and both are put
// back into data on read; the stored data keeps the rest as sent.
func TestViewFiltersAreStoredApartAndPutBack(t *testing.T) {
	ts := newTestServer(t, nil)
	projectID := ts.createProject(imageConfig)
	data := map[string]any{
		"title": "Cats", "type": "list", "target": "tasks",
		"hiddenColumns": map[string]any{"explore": []any{"tasks:inner_id"}, "labeling": []any{}},
		"filters":       viewFilters(imageFilter, countFilter),
		"ordering":      []any{"-tasks:id"},
	}
	created := ts.object(ts.mustDo(http.MethodPost, "/api/dm/views/", map[string]any{"project": projectID, "data": data}, http.StatusCreated))
	for _, gone := range []string{"filter_group", "ordering", "selected_items"} {
		if _, ok := created[gone]; ok {
			t.Errorf("%s at the top level: %v", gone, created)
		}
	}
	read := maps.Clone(data)
	read["filters"] = viewFilters(asRead(imageFilter), asRead(countFilter))
	if !reflect.DeepEqual(created["data"], read) || created["user"] != float64(bootstrapUserID) || created["project"] != float64(projectID) {
		t.Errorf("created:\n got %v\nwant data %v", created, read)
	}
	st := ts.srv.st
	ts.srv.mu.Lock()
	stored := st.Views[int64(created["id"].(float64))]
	_, dataHasFilters := stored.Data.(map[string]any)["filters"]
	groupLen := len(stored.FilterGroup.Filters)
	ts.srv.mu.Unlock()
	if dataHasFilters || groupLen != 2 || !reflect.DeepEqual(stored.Ordering, []any{"-tasks:id"}) {
		t.Errorf("stored: data %v, %d filters, ordering %v", stored.Data, groupLen, stored.Ordering)
	}
	// filters without a conjunction are dropped, not stored.
	plain := ts.object(ts.mustDo(http.MethodPost, "/api/dm/views/", map[string]any{"project": projectID,
		"data": map[string]any{"title": "All", "filters": map[string]any{"items": []any{imageFilter}}}}, http.StatusCreated))
	if _, ok := plain["data"].(map[string]any)["filters"]; ok {
		t.Errorf("filters without conjunction kept: %v", plain)
	}
}

// ViewAPI.perform_create (data_manager/api.py): a new view's order is one
// more than the project's highest, 0 for the first, whatever the body says
// (max, not a count: a deleted tab leaves a gap). The list is ordered by
// (order, id); update_order sets positions.
func TestViewOrder(t *testing.T) {
	ts := newTestServer(t, nil)
	projectID := ts.createProject("")
	create := func(body map[string]any) map[string]any {
		body["project"] = projectID
		return ts.object(ts.mustDo(http.MethodPost, "/api/dm/views/", body, http.StatusCreated))
	}
	first := create(map[string]any{"data": map[string]any{"filters": viewFilters()}})
	second := create(map[string]any{"data": map[string]any{"filters": viewFilters(imageFilter)}})
	third := create(map[string]any{"data": map[string]any{"title": "no filters"}})
	fourth := create(map[string]any{"data": map[string]any{}, "order": 7})
	if first["order"] != 0.0 || second["order"] != 1.0 || third["order"] != 2.0 || fourth["order"] != 3.0 {
		t.Errorf("orders %v %v %v %v", first["order"], second["order"], third["order"], fourth["order"])
	}
	ids := func(items []map[string]any) []any {
		var out []any
		for _, it := range items {
			out = append(out, it["id"])
		}
		return out
	}
	ts.mustDo(http.MethodDelete, viewPath(second["id"]), nil, http.StatusNoContent)
	if fifth := create(map[string]any{"data": map[string]any{}}); fifth["order"] != 4.0 {
		t.Errorf("order after a deleted tab: %v, want 4 (max + 1)", fifth["order"])
	}
	if got := ids(ts.viewList("?project=" + itoa(projectID))); !reflect.DeepEqual(got[:3], []any{first["id"], third["id"], fourth["id"]}) {
		t.Errorf("list order %v", got)
	}
	ts.mustDo(http.MethodPost, "/api/dm/views/order/", map[string]any{"project": projectID, "ids": []any{fourth["id"], third["id"], 999}}, http.StatusOK)
	if got := ids(ts.viewList("?project=" + itoa(projectID))); !reflect.DeepEqual(got[:3], []any{first["id"], fourth["id"], third["id"]}) {
		t.Errorf("after update_order %v", got)
	}
	if got := ts.fieldErrors(ts.do(http.MethodPost, "/api/dm/views/order/", map[string]any{"project": projectID, "ids": []any{}}), "ids"); got[0] != "This list may not be empty." {
		t.Errorf("empty ids: %v", got)
	}
	if env := ts.envelope(ts.do(http.MethodPost, "/api/dm/views/order/", map[string]any{"project": 999, "ids": []any{1}}), http.StatusNotFound); env["detail"] != "No Project matches the given query." {
		t.Errorf("unknown project: %v", env["detail"])
	}
}

// FilterSerializer.validate_column and the CharField rules, nested the way
// DRF nests a list serializer's errors.
func TestViewFilterValidation(t *testing.T) {
	ts := newTestServer(t, nil)
	projectID := ts.createProject("")
	post := func(item map[string]any) map[string]any {
		r := ts.do(http.MethodPost, "/api/dm/views/", map[string]any{"project": projectID, "data": map[string]any{"filters": viewFilters(imageFilter, item)}})
		env := ts.envelope(r, http.StatusBadRequest)
		group, _ := env["validation_errors"].(map[string]any)["filter_group"].(map[string]any)
		items, _ := group["filters"].([]any)
		if len(items) != 2 || !reflect.DeepEqual(items[0], map[string]any{}) {
			t.Fatalf("not nested per item: %s", r.body)
		}
		return items[1].(map[string]any)
	}
	if got := post(map[string]any{"filter": "tasks:data.image", "operator": "equal", "type": "Image"}); !reflect.DeepEqual(got["column"], []any{`Filter "tasks:data.image" should start with "filter:tasks:"`}) {
		t.Errorf("prefix: %v", got)
	}
	if got := post(map[string]any{"filter": "filter:tasks:annotations__result", "operator": "equal", "type": "String"}); got["column"] == nil {
		t.Errorf("foreign key traversal accepted: %v", got)
	}
	if got := post(map[string]any{"filter": "filter:tasks:data.image", "type": "Image"}); !reflect.DeepEqual(got["operator"], []any{"This field may not be blank."}) {
		t.Errorf("missing operator: %v", got)
	}
	if n := len(ts.viewList("")); n != 0 {
		t.Errorf("%d views after refused creates", n)
	}
	if got := ts.fieldErrors(ts.do(http.MethodPost, "/api/dm/views/", map[string]any{"data": map[string]any{}}), "project"); got[0] != "This field is required." {
		t.Errorf("missing project: %v", got)
	}
}

// ViewSerializer.update writes filters, a non-empty ordering and data (when
// sent) only.
func TestViewUpdate(t *testing.T) {
	ts := newTestServer(t, nil)
	projectID := ts.createProject("")
	created := ts.object(ts.mustDo(http.MethodPost, "/api/dm/views/", map[string]any{"project": projectID,
		"data": map[string]any{"title": "A", "filters": viewFilters(imageFilter), "ordering": []any{"tasks:id"}}}, http.StatusCreated))
	path := viewPath(created["id"])

	// Without data: the filter group is written, data stays; order is ignored.
	got := ts.object(ts.mustDo(http.MethodPatch, path, map[string]any{"order": 3, "filter_group": map[string]any{"conjunction": "or", "filters": []any{imageFilterColumn()}}}, http.StatusOK))
	want := map[string]any{"title": "A", "filters": map[string]any{"conjunction": "or", "items": []any{asRead(imageFilter)}}, "ordering": []any{"tasks:id"}}
	if !reflect.DeepEqual(got["data"], want) || got["order"] != 0.0 {
		t.Errorf("patch without data:\n got %v\nwant %v", got, want)
	}
	// Without filters and with an empty ordering, both stay.
	got = ts.object(ts.mustDo(http.MethodPatch, path, map[string]any{"data": map[string]any{"title": "B"}, "order": 5}, http.StatusOK))
	want["title"] = "B"
	if !reflect.DeepEqual(got["data"], want) || got["order"] != 0.0 {
		t.Errorf("patch keeping filters:\n got %v\nwant %v", got, want)
	}
	or := map[string]any{"conjunction": "or", "items": []any{countFilter}}
	got = ts.object(ts.mustDo(http.MethodPatch, path, map[string]any{"data": map[string]any{"title": "C", "filters": or, "ordering": []any{"-tasks:id"}}}, http.StatusOK))
	want = map[string]any{"title": "C", "filters": map[string]any{"conjunction": "or", "items": []any{asRead(countFilter)}}, "ordering": []any{"-tasks:id"}}
	if !reflect.DeepEqual(got["data"], want) {
		t.Errorf("patch replacing filters:\n got %v\nwant %v", got["data"], want)
	}
	if got := ts.fieldErrors(ts.do(http.MethodPut, path, map[string]any{"data": map[string]any{}}), "project"); got[0] != "This field is required." {
		t.Errorf("put without project: %v", got)
	}
	if again := ts.object(ts.mustDo(http.MethodGet, path, nil, http.StatusOK)); !reflect.DeepEqual(again["data"], want) {
		t.Errorf("read back: %v", again["data"])
	}
	// data null is stored as sent; putting the filters back into it fails.
	env := ts.envelope(ts.do(http.MethodPatch, path, map[string]any{"data": nil}), http.StatusInternalServerError)
	if env["detail"] != "'NoneType' object does not support item assignment" {
		t.Errorf("data null: %v", env["detail"])
	}
}

// imageFilterColumn is imageFilter as a Filter row's fields.
func imageFilterColumn() map[string]any {
	return map[string]any{"column": imageFilter["filter"], "operator": imageFilter["operator"], "type": imageFilter["type"], "value": imageFilter["value"]}
}

// Child filters (data_manager/serializers.py ChildFilterSerializer,
// FilterSerializer.to_internal_value, FilterGroupSerializer): child_filters
// or the singular child_filter on write, one level only; every item is
// read back with its child_filters list.
func TestViewChildFilters(t *testing.T) {
	ts := newTestServer(t, nil)
	projectID := ts.createProject("")
	post := func(items ...any) response {
		return ts.do(http.MethodPost, "/api/dm/views/", map[string]any{"project": projectID, "data": map[string]any{"filters": map[string]any{"conjunction": "and", "items": items}}})
	}
	withChild := maps.Clone(imageFilter)
	withChild["child_filter"] = countFilter
	withChildren := maps.Clone(countFilter)
	withChildren["child_filters"] = []any{imageFilter, countFilter}
	withNull := maps.Clone(imageFilter)
	withNull["child_filter"] = nil
	got := ts.object(post(withChild, withChildren, withNull))
	want := []any{asRead(imageFilter, countFilter), asRead(countFilter, imageFilter, countFilter), asRead(imageFilter)}
	if items := got["data"].(map[string]any)["filters"].(map[string]any)["items"]; !reflect.DeepEqual(items, want) {
		t.Errorf("items:\n got %v\nwant %v", items, want)
	}

	nested := maps.Clone(countFilter)
	nested["child_filter"] = withChild
	env := ts.envelope(post(nested), http.StatusBadRequest)
	group, _ := env["validation_errors"].(map[string]any)["filter_group"].(map[string]any)
	want = []any{map[string]any{"child_filters": []any{map[string]any{"child_filters": "Child filters cannot contain nested child filters."}}}}
	if !reflect.DeepEqual(group["filters"], want) {
		t.Errorf("nested child: %v", env["validation_errors"])
	}
}

// FilterSerializer.validate_column with the default allowlist
// (core/settings/base.py) and FilterSerializer.validate for in_list.
func TestViewFilterAllowlistAndListMembership(t *testing.T) {
	ts := newTestServer(t, nil)
	projectID := ts.createProject("")
	post := func(item map[string]any) response {
		return ts.do(http.MethodPost, "/api/dm/views/", map[string]any{"project": projectID, "data": map[string]any{"filters": viewFilters(item)}})
	}
	ts.object(post(map[string]any{"filter": "filter:tasks:annotations__completed_by", "operator": "contains", "type": "List", "value": 1.0}))
	ts.object(post(map[string]any{"filter": "filter:tasks:id", "operator": "in_list", "type": "Number", "value": []any{1.0, 2.0}}))
	for _, tc := range []struct {
		item        map[string]any
		field, want string
	}{
		{map[string]any{"filter": "filter:tasks:id", "operator": "in_list", "type": "Number", "value": 1.0}, "value", "`in_list` / `not_in_list` require a JSON array."},
		{map[string]any{"filter": "filter:tasks:id", "operator": "not_in_list", "type": "Number", "value": []any{map[string]any{}}}, "value", "List elements must be strings or numbers."},
		{map[string]any{"filter": "filter:tasks:created_at", "operator": "in_list", "type": "Datetime", "value": []any{"x"}}, "column", "`is any of` / `is none of` support Task ID, Inner ID, annotation/prediction counters, and task.data.* fields."},
	} {
		env := ts.envelope(post(tc.item), http.StatusBadRequest)
		group, _ := env["validation_errors"].(map[string]any)["filter_group"].(map[string]any)
		items, _ := group["filters"].([]any)
		if len(items) != 1 || !reflect.DeepEqual(items[0], map[string]any{tc.field: []any{tc.want}}) {
			t.Errorf("%v: %v", tc.item, env["validation_errors"])
		}
	}
}

// A locked view (data_manager/serializers.py ViewSerializer.update,
// LOCKED_VIEW_ALLOWED_DATA_KEYS): an update that does not unlock it changes
// only the column widths and answers 200 with the view as it is.
func TestViewLock(t *testing.T) {
	ts := newTestServer(t, nil)
	projectID := ts.createProject("")
	created := ts.object(ts.mustDo(http.MethodPost, "/api/dm/views/", map[string]any{"project": projectID, "is_locked": true,
		"data": map[string]any{"title": "Locked", "filters": viewFilters(imageFilter)}}, http.StatusCreated))
	if created["is_locked"] != true || created["locked_at"] == nil || created["locked_by"].(map[string]any)["id"] != float64(bootstrapUserID) {
		t.Fatalf("created: %v", created)
	}
	path := viewPath(created["id"])
	got := ts.object(ts.mustDo(http.MethodPatch, path, map[string]any{"data": map[string]any{"title": "Changed", "columnsWidth": map[string]any{"tasks:id": 90.0}, "filters": viewFilters(countFilter)}}, http.StatusOK))
	want := map[string]any{"title": "Locked", "columnsWidth": map[string]any{"tasks:id": 90.0}, "filters": viewFilters(asRead(imageFilter))}
	if !reflect.DeepEqual(got["data"], want) || got["is_locked"] != true {
		t.Errorf("update of a locked view:\n got %v\nwant %v", got["data"], want)
	}
	got = ts.object(ts.mustDo(http.MethodPatch, path, map[string]any{"is_locked": false, "data": map[string]any{"title": "Changed"}}, http.StatusOK))
	if got["is_locked"] != false || got["locked_by"] != nil || got["data"].(map[string]any)["title"] != "Changed" {
		t.Errorf("unlocking update: %v", got)
	}
}

// ViewAPI: list filter, 404s, reset (every view of one project), delete,
// and the project's deletion.
func TestViewListResetDelete(t *testing.T) {
	ts := newTestServer(t, nil)
	a, b := ts.createProject(""), ts.createProject("")
	for _, p := range []int64{a, a, b} {
		ts.mustDo(http.MethodPost, "/api/dm/views/", map[string]any{"project": p, "data": map[string]any{}}, http.StatusCreated)
	}
	if n := len(ts.viewList("")); n != 3 {
		t.Errorf("all views: %d", n)
	}
	if got := ts.fieldErrors(ts.do(http.MethodGet, "/api/dm/views/?project=999", nil), "project"); got[0] != "Select a valid choice. That choice is not one of the available choices." {
		t.Errorf("unknown project filter: %v", got)
	}
	if env := ts.envelope(ts.do(http.MethodGet, "/api/dm/views/999/", nil), http.StatusNotFound); env["detail"] != "No View matches the given query." {
		t.Errorf("404: %v", env["detail"])
	}
	if got := ts.fieldErrors(ts.do(http.MethodDelete, "/api/dm/views/reset/", nil), "project"); got[0] != "This field may not be null." {
		t.Errorf("reset without project: %v", got)
	}
	ts.mustDo(http.MethodDelete, "/api/dm/views/reset/?project="+itoa(a), nil, http.StatusNoContent)
	if left := ts.viewList(""); len(left) != 1 || left[0]["project"] != float64(b) {
		t.Errorf("after reset of %d: %v", a, left)
	}
	last := ts.viewList("")[0]
	ts.mustDo(http.MethodDelete, viewPath(last["id"]), nil, http.StatusNoContent)
	ts.mustDo(http.MethodPost, "/api/dm/views/", map[string]any{"project": b, "data": map[string]any{}}, http.StatusCreated)
	ts.mustDo(http.MethodDelete, "/api/projects/"+itoa(b)+"/", nil, http.StatusNoContent)
	if n := len(ts.viewList("")); n != 0 {
		t.Errorf("views outlive their project: %d", n)
	}
}
