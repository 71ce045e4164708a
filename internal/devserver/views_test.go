package devserver

import (
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
	if !reflect.DeepEqual(created["data"], data) || created["user"] != float64(bootstrapUserID) || created["project"] != float64(projectID) {
		t.Errorf("created:\n got %v\nwant data %v", created, data)
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

// ViewSerializer.create: with a filter group the order is the project's
// number of views; without one it is the body's or 0. The list is ordered
// by (order, id); update_order sets positions.
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
	if first["order"] != 0.0 || second["order"] != 1.0 || third["order"] != 0.0 || fourth["order"] != 7.0 {
		t.Errorf("orders %v %v %v %v", first["order"], second["order"], third["order"], fourth["order"])
	}
	ids := func(items []map[string]any) []any {
		var out []any
		for _, it := range items {
			out = append(out, it["id"])
		}
		return out
	}
	if got := ids(ts.viewList("?project=" + itoa(projectID))); !reflect.DeepEqual(got, []any{first["id"], third["id"], second["id"], fourth["id"]}) {
		t.Errorf("list order %v", got)
	}
	ts.mustDo(http.MethodPost, "/api/dm/views/order/", map[string]any{"project": projectID, "ids": []any{fourth["id"], second["id"], 999}}, http.StatusOK)
	if got := ids(ts.viewList("?project=" + itoa(projectID))); !reflect.DeepEqual(got, []any{first["id"], third["id"], fourth["id"], second["id"]}) {
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

// ViewSerializer.update writes filters, a non-empty ordering and data only;
// validated_data['data'] is read unconditionally.
func TestViewUpdate(t *testing.T) {
	ts := newTestServer(t, nil)
	projectID := ts.createProject("")
	created := ts.object(ts.mustDo(http.MethodPost, "/api/dm/views/", map[string]any{"project": projectID,
		"data": map[string]any{"title": "A", "filters": viewFilters(imageFilter), "ordering": []any{"tasks:id"}}}, http.StatusCreated))
	path := viewPath(created["id"])

	env := ts.envelope(ts.do(http.MethodPatch, path, map[string]any{"data": nil}), http.StatusInternalServerError)
	if env["detail"] != "'NoneType' object has no attribute 'pop'" {
		t.Errorf("data null: %v", env["detail"])
	}
	env = ts.envelope(ts.do(http.MethodPatch, path, map[string]any{"order": 3, "filter_group": map[string]any{"conjunction": "or", "filters": []any{}}}), http.StatusInternalServerError)
	if env["detail"] != "'data'" {
		t.Errorf("patch without data: %v", env["detail"])
	}
	// Without filters and with an empty ordering, both stay; order is ignored.
	got := ts.object(ts.mustDo(http.MethodPatch, path, map[string]any{"data": map[string]any{"title": "B"}, "order": 5}, http.StatusOK))
	want := map[string]any{"title": "B", "filters": viewFilters(imageFilter), "ordering": []any{"tasks:id"}}
	if !reflect.DeepEqual(got["data"], want) || got["order"] != 0.0 {
		t.Errorf("patch keeping filters:\n got %v\nwant %v", got, want)
	}
	or := map[string]any{"conjunction": "or", "items": []any{countFilter}}
	got = ts.object(ts.mustDo(http.MethodPatch, path, map[string]any{"data": map[string]any{"title": "C", "filters": or, "ordering": []any{"-tasks:id"}}}, http.StatusOK))
	want = map[string]any{"title": "C", "filters": or, "ordering": []any{"-tasks:id"}}
	if !reflect.DeepEqual(got["data"], want) {
		t.Errorf("patch replacing filters:\n got %v\nwant %v", got["data"], want)
	}
	if got := ts.fieldErrors(ts.do(http.MethodPut, path, map[string]any{"data": map[string]any{}}), "project"); got[0] != "This field is required." {
		t.Errorf("put without project: %v", got)
	}
	if again := ts.object(ts.mustDo(http.MethodGet, path, nil, http.StatusOK)); !reflect.DeepEqual(again["data"], want) {
		t.Errorf("read back: %v", again["data"])
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
