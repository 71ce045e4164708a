package client_test

import (
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"sync"
	"testing"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv"
)

// viewFixture is the stand-in with two projects holding data-manager views
// with filters and ordering (data_manager/api.py: ViewAPI's list and
// retrieve both render ViewSerializer over one get_queryset).
type viewFixture struct {
	env      *testenv.Env
	dev      *testenv.DevClient
	admin    *client.Client // reads by id, changes things "outside"
	projects []int64
	views    [][2]int64 // id, project
}

func newViewFixture(t *testing.T, perProject int) *viewFixture {
	t.Helper()
	env := testenv.Start(t, testenv.Options{})
	if env.Real {
		t.Skip("counts requests through the stand-in's /_dev/requests")
	}
	fx := &viewFixture{env: env, dev: env.Dev(t), admin: env.Client(t, client.Config{})}
	for p := range 2 {
		project, err := fx.admin.CreateProject(t.Context(), map[string]any{"title": fmt.Sprintf("views %d", p)})
		if err != nil {
			t.Fatalf("create project: %v", err)
		}
		fx.projects = append(fx.projects, project.ID)
		for i := range perProject {
			view, err := fx.admin.CreateView(t.Context(), map[string]any{"project": project.ID, "data": map[string]any{
				"title": fmt.Sprintf("tab %d/%d", p, i), "type": "grid", "ordering": []any{"-tasks:id"},
				"filters": map[string]any{"conjunction": "or", "items": []any{map[string]any{
					"filter": "filter:tasks:data.text", "operator": "contains", "type": "String", "value": fmt.Sprintf("word %d", i),
				}}},
			}})
			if err != nil {
				t.Fatalf("create view: %v", err)
			}
			fx.views = append(fx.views, [2]int64{view.ID, project.ID})
		}
	}
	fx.dev.ResetRequestCounts(t)
	return fx
}

// Concurrent reads of a project's views share one list request, and each
// answer is the detail view's, field by field, filters included.
func TestViewReadsShareOneListPerProject(t *testing.T) {
	fx := newViewFixture(t, 5)
	c := fx.env.Client(t, client.Config{})
	got := make([]*client.View, len(fx.views))
	var wg sync.WaitGroup
	for i, view := range fx.views {
		wg.Go(func() {
			v, err := c.ReadView(t.Context(), view[0], view[1])
			if err != nil {
				t.Errorf("read %d: %v", view[0], err)
			}
			got[i] = v
		})
	}
	wg.Wait()
	viewReads.expect(t, fx.dev, 2, 0, fmt.Sprintf("%d reads in 2 projects", len(fx.views)))
	for i, view := range fx.views {
		want, err := fx.admin.GetView(t.Context(), view[0])
		if err != nil {
			t.Fatal(err)
		}
		if got[i] == nil || !reflect.DeepEqual(*got[i], *want) {
			t.Errorf("view %d from the list:\n%+v\nby id:\n%+v", view[0], got[i], want)
		}
		if items, _ := want.Fields["data"].(map[string]any)["filters"].(map[string]any)["items"].([]any); len(items) != 1 {
			t.Errorf("view %d: no filters to compare: %v", view[0], want.Fields)
		}
	}
	fx.dev.ResetRequestCounts(t)
	first, err := c.ReadView(t.Context(), fx.views[0][0], fx.views[0][1])
	if err != nil {
		t.Fatal(err)
	}
	first.Fields["order"] = "changed by a reader"
	again, err := c.ReadView(t.Context(), fx.views[0][0], fx.views[0][1])
	if err != nil || again.Fields["order"] == "changed by a reader" {
		t.Errorf("second read: %v, %v; want the list's own copy", again, err)
	}
	viewReads.expect(t, fx.dev, 0, 0, "repeated reads")
}

// A view missing from its project's list is read by id: one the state puts
// in the wrong project is found in its own; a deleted one is a 404.
func TestViewMissingFromItsListIsReadByID(t *testing.T) {
	fx := newViewFixture(t, 2)
	elsewhere, deleted := fx.views[0], fx.views[1]
	if err := fx.admin.DeleteView(t.Context(), deleted[0]); err != nil {
		t.Fatal(err)
	}
	fx.dev.ResetRequestCounts(t)
	c := fx.env.Client(t, client.Config{})
	v, err := c.ReadView(t.Context(), elsewhere[0], fx.projects[1])
	if err != nil || v.ID != elsewhere[0] || fmt.Sprint(v.Fields["project"]) != fmt.Sprint(fx.projects[0]) {
		t.Errorf("view looked for in the other project: %+v, %v; want it in project %d", v, err, fx.projects[0])
	}
	if _, err := c.ReadView(t.Context(), deleted[0], deleted[1]); !errors.Is(err, client.ErrNotFound) {
		t.Errorf("deleted view: %v, want ErrNotFound", err)
	}
	viewReads.expect(t, fx.dev, 2, 2, "a view looked for in the other project and a deleted one")
}

// A view write through the client drops the view lists: the next read
// lists again and sees the write. A project delete drops that project's
// lists.
func TestViewWritesForgetTheLists(t *testing.T) {
	fx := newViewFixture(t, 2)
	c := fx.env.Client(t, client.Config{})
	view, other := fx.views[0], fx.views[2]
	read := func(v [2]int64) *client.View {
		t.Helper()
		got, err := c.ReadView(t.Context(), v[0], v[1])
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	read(view)
	read(other)
	if _, err := c.UpdateView(t.Context(), view[0], map[string]any{"data": map[string]any{"title": "renamed"}}); err != nil {
		t.Fatal(err)
	}
	if v := read(view); v.Fields["data"].(map[string]any)["title"] != "renamed" {
		t.Errorf("read after the update: %v", v.Fields)
	}
	read(other) // the update may have been of any project's view
	if _, err := c.CreateView(t.Context(), map[string]any{"project": view[1], "data": map[string]any{"title": "new"}}); err != nil {
		t.Fatal(err)
	}
	read(view)
	if err := c.DeleteView(t.Context(), view[0]); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ReadView(t.Context(), view[0], view[1]); !errors.Is(err, client.ErrNotFound) {
		t.Errorf("read after the delete: %v, want ErrNotFound", err)
	}
	viewReads.expect(t, fx.dev, 6, -1, "lists of both projects at first and after the update, after the create, after the delete")
	// The project's delete removes its views on the server.
	read(other)
	fx.dev.ResetRequestCounts(t)
	if err := c.DeleteProject(t.Context(), other[1]); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ReadView(t.Context(), other[0], other[1]); !errors.Is(err, client.ErrNotFound) {
		t.Errorf("read after the project's delete: %v, want ErrNotFound", err)
	}
	// The list of a deleted project is refused (ViewAPI's filterset: not
	// one of the choices); the read goes by id.
	viewReads.expect(t, fx.dev, 1, 1, "after the project's delete (the list refused)")
}

// A list that fails is not the end of the read: every read of the project
// falls back to the GET by id.
func TestViewListFailureFallsBackToReadsByID(t *testing.T) {
	fx := newViewFixture(t, 3)
	fx.dev.AddFault(t, testenv.Fault{Method: http.MethodGet, Path: `^/api/dm/views/$`, Mode: "fail"})
	c := fx.env.Client(t, client.Config{MaxRetries: -1})
	for _, view := range fx.views[:3] {
		v, err := c.ReadView(t.Context(), view[0], view[1])
		if err != nil || v.ID != view[0] {
			t.Errorf("read %d: %+v, %v", view[0], v, err)
		}
	}
	viewReads.expect(t, fx.dev, 1, 3, "a failed list")
}
