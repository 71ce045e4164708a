package client_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"sync"
	"testing"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv"
)

// projectListed is one object type whose reads the client answers from its
// project's list (group_lists.go): its calls, the stand-in's routes, and
// what a fixture object of it holds.
type projectListed struct {
	name  string
	reads readRequests
	// listPath is the list route's path, as a fault's regular expression.
	listPath string

	create func(*client.Client, context.Context, map[string]any) (*client.Object, error)
	get    func(*client.Client, context.Context, int64) (*client.Object, error)
	read   func(c *client.Client, ctx context.Context, id, project int64) (*client.Object, error)
	update func(*client.Client, context.Context, int64, map[string]any) (*client.Object, error)
	delete func(*client.Client, context.Context, int64) error

	// fixture is the create body of object i of project p (whose id is
	// project): each holds a nested value (hasNested) for the list's answer
	// to be compared with.
	fixture   func(project int64, p, i int) map[string]any
	hasNested func(fields map[string]any) bool
	// readerField is a top-level field one reader changes in its copy.
	readerField string
	// change is an update's body; changed says whether a read shows it.
	change  map[string]any
	changed func(fields map[string]any) bool
	// another is the create body of one more object in project.
	another func(project int64) map[string]any
}

var projectListedTypes = []projectListed{
	{
		// webhooks/api.py: WebhookListAPI and WebhookAPI both render
		// WebhookSerializer, headers in clear; a deleted project's list is
		// refused by WebhookFilterSet (not one of the choices).
		name: "webhook", reads: webhookReads, listPath: `^/api/webhooks/$`,
		create: (*client.Client).CreateWebhook, get: (*client.Client).GetWebhook, read: (*client.Client).ReadWebhook,
		update: (*client.Client).UpdateWebhook, delete: (*client.Client).DeleteWebhook,
		fixture: func(project int64, p, i int) map[string]any {
			return map[string]any{
				"project": project, "url": fmt.Sprintf("http://hooks.example.com/%d/%d", p, i),
				"headers":              map[string]any{"Authorization": fmt.Sprintf("Bearer secret-%d-%d", p, i)},
				"send_for_all_actions": i%2 == 0, "actions": []string{"TASKS_CREATED"},
			}
		},
		hasNested: func(fields map[string]any) bool {
			_, ok := fields["headers"].(map[string]any)["Authorization"]
			return ok
		},
		readerField: "url",
		change:      map[string]any{"is_active": false, "actions": []string{}},
		changed:     func(fields map[string]any) bool { return fields["is_active"] == false },
		another: func(project int64) map[string]any {
			return map[string]any{"project": project, "url": "http://hooks.example.com/new"}
		},
	},
	{
		// data_manager/api.py: ViewAPI's list and retrieve both render
		// ViewSerializer over one get_queryset, filters and ordering
		// included; a deleted project's list is refused by its filterset
		// (not one of the choices).
		name: "view", reads: viewReads, listPath: `^/api/dm/views/$`,
		create: (*client.Client).CreateView, get: (*client.Client).GetView, read: (*client.Client).ReadView,
		update: (*client.Client).UpdateView, delete: (*client.Client).DeleteView,
		fixture: func(project int64, p, i int) map[string]any {
			return map[string]any{"project": project, "data": map[string]any{
				"title": fmt.Sprintf("tab %d/%d", p, i), "type": "grid", "ordering": []any{"-tasks:id"},
				"filters": map[string]any{"conjunction": "or", "items": []any{map[string]any{
					"filter": "filter:tasks:data.text", "operator": "contains", "type": "String", "value": fmt.Sprintf("word %d", i),
				}}},
			}}
		},
		hasNested: func(fields map[string]any) bool {
			items, _ := fields["data"].(map[string]any)["filters"].(map[string]any)["items"].([]any)
			return len(items) == 1
		},
		readerField: "order",
		change:      map[string]any{"data": map[string]any{"title": "renamed"}},
		changed:     func(fields map[string]any) bool { return fields["data"].(map[string]any)["title"] == "renamed" },
		another: func(project int64) map[string]any {
			return map[string]any{"project": project, "data": map[string]any{"title": "new"}}
		},
	},
}

// forEachProjectListed runs test for each type as a subtest.
func forEachProjectListed(t *testing.T, test func(t *testing.T, typ projectListed)) {
	for _, typ := range projectListedTypes {
		t.Run(typ.name, func(t *testing.T) { test(t, typ) })
	}
}

// projectListFixture is the stand-in with two projects holding objects of
// one type.
type projectListFixture struct {
	typ      projectListed
	env      *testenv.Env
	dev      *testenv.DevClient
	admin    *client.Client // reads by id, changes things "outside"
	projects []int64
	objects  [][2]int64 // id, project
}

func newProjectListFixture(t *testing.T, typ projectListed, perProject int) *projectListFixture {
	t.Helper()
	env := testenv.Start(t, testenv.Options{})
	if env.Real {
		t.Skip("counts requests through the stand-in's /_dev/requests")
	}
	fx := &projectListFixture{typ: typ, env: env, dev: env.Dev(t), admin: env.Client(t, client.Config{})}
	for p := range 2 {
		project, err := fx.admin.CreateProject(t.Context(), map[string]any{"title": fmt.Sprintf("%ss %d", typ.name, p)})
		if err != nil {
			t.Fatalf("create project: %v", err)
		}
		fx.projects = append(fx.projects, project.ID)
		for i := range perProject {
			object, err := typ.create(fx.admin, t.Context(), typ.fixture(project.ID, p, i))
			if err != nil {
				t.Fatalf("create %s: %v", typ.name, err)
			}
			fx.objects = append(fx.objects, [2]int64{object.ID, project.ID})
		}
	}
	fx.dev.ResetRequestCounts(t)
	return fx
}

// Concurrent reads of a project's objects share one list request, and each
// answer is the detail view's, field by field, nested values included.
func TestProjectListedReadsShareOneListPerProject(t *testing.T) {
	forEachProjectListed(t, func(t *testing.T, typ projectListed) {
		fx := newProjectListFixture(t, typ, 5)
		c := fx.env.Client(t, client.Config{})
		got := make([]*client.Object, len(fx.objects))
		var wg sync.WaitGroup
		for i, object := range fx.objects {
			wg.Go(func() {
				o, err := typ.read(c, t.Context(), object[0], object[1])
				if err != nil {
					t.Errorf("read %d: %v", object[0], err)
				}
				got[i] = o
			})
		}
		wg.Wait()
		typ.reads.expect(t, fx.dev, 2, 0, fmt.Sprintf("%d reads in 2 projects", len(fx.objects)))
		for i, object := range fx.objects {
			want, err := typ.get(fx.admin, t.Context(), object[0])
			if err != nil {
				t.Fatal(err)
			}
			if got[i] == nil || !reflect.DeepEqual(*got[i], *want) {
				t.Errorf("%s %d from the list:\n%+v\nby id:\n%+v", typ.name, object[0], got[i], want)
			}
			if !typ.hasNested(want.Fields) {
				t.Errorf("%s %d: nothing nested to compare: %v", typ.name, object[0], want.Fields)
			}
		}
		// Answered reads of the same client cost nothing more; each reader
		// has its own copy.
		fx.dev.ResetRequestCounts(t)
		first, err := typ.read(c, t.Context(), fx.objects[0][0], fx.objects[0][1])
		if err != nil {
			t.Fatal(err)
		}
		first.Fields[typ.readerField] = "changed by a reader"
		again, err := typ.read(c, t.Context(), fx.objects[0][0], fx.objects[0][1])
		if err != nil || again.Fields[typ.readerField] == "changed by a reader" {
			t.Errorf("second read: %v, %v; want the list's own copy", again, err)
		}
		typ.reads.expect(t, fx.dev, 0, 0, "repeated reads")
	})
}

// An object missing from its project's list is read by id: in another
// project (Label Studio cannot move a webhook or a view, but the state may
// name the wrong project) it is found there; deleted, it is a 404.
func TestProjectListedMissingFromItsListIsReadByID(t *testing.T) {
	forEachProjectListed(t, func(t *testing.T, typ projectListed) {
		fx := newProjectListFixture(t, typ, 2)
		elsewhere, deleted := fx.objects[0], fx.objects[1]
		if err := typ.delete(fx.admin, t.Context(), deleted[0]); err != nil {
			t.Fatal(err)
		}
		fx.dev.ResetRequestCounts(t)
		c := fx.env.Client(t, client.Config{})
		o, err := typ.read(c, t.Context(), elsewhere[0], fx.projects[1])
		if err != nil || o.ID != elsewhere[0] || fmt.Sprint(o.Fields["project"]) != fmt.Sprint(fx.projects[0]) {
			t.Errorf("%s looked for in the other project: %+v, %v; want it in project %d", typ.name, o, err, fx.projects[0])
		}
		if _, err := typ.read(c, t.Context(), deleted[0], deleted[1]); !errors.Is(err, client.ErrNotFound) {
			t.Errorf("deleted %s: %v, want ErrNotFound", typ.name, err)
		}
		typ.reads.expect(t, fx.dev, 2, 2, "one looked for in the other project and a deleted one")
	})
}

// A write through the client drops the type's lists: the next read lists
// again and sees the write. A project delete drops that project's lists.
func TestProjectListedWritesForgetTheLists(t *testing.T) {
	forEachProjectListed(t, func(t *testing.T, typ projectListed) {
		fx := newProjectListFixture(t, typ, 2)
		c := fx.env.Client(t, client.Config{})
		object, other := fx.objects[0], fx.objects[2]
		read := func(o [2]int64) *client.Object {
			t.Helper()
			got, err := typ.read(c, t.Context(), o[0], o[1])
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		read(object)
		read(other)
		if _, err := typ.update(c, t.Context(), object[0], typ.change); err != nil {
			t.Fatal(err)
		}
		if o := read(object); !typ.changed(o.Fields) {
			t.Errorf("read after the update: %v", o.Fields)
		}
		read(other) // the update may have been of any project's object
		if _, err := typ.create(c, t.Context(), typ.another(object[1])); err != nil {
			t.Fatal(err)
		}
		read(object)
		if err := typ.delete(c, t.Context(), object[0]); err != nil {
			t.Fatal(err)
		}
		if _, err := typ.read(c, t.Context(), object[0], object[1]); !errors.Is(err, client.ErrNotFound) {
			t.Errorf("read after the delete: %v, want ErrNotFound", err)
		}
		typ.reads.expect(t, fx.dev, 6, -1, "lists of both projects at first and after the update, after the create, after the delete")
		// The project's delete removes its objects on the server.
		read(other)
		fx.dev.ResetRequestCounts(t)
		if err := c.DeleteProject(t.Context(), other[1]); err != nil {
			t.Fatal(err)
		}
		if _, err := typ.read(c, t.Context(), other[0], other[1]); !errors.Is(err, client.ErrNotFound) {
			t.Errorf("read after the project's delete: %v, want ErrNotFound", err)
		}
		// The list of a deleted project is refused; the read goes by id.
		typ.reads.expect(t, fx.dev, 1, 1, "after the project's delete (the list refused)")
	})
}

// A list that fails is not the end of the read: every read of the project
// falls back to the GET by id.
func TestProjectListedListFailureFallsBackToReadsByID(t *testing.T) {
	forEachProjectListed(t, func(t *testing.T, typ projectListed) {
		fx := newProjectListFixture(t, typ, 3)
		fx.dev.AddFault(t, testenv.Fault{Method: http.MethodGet, Path: typ.listPath, Mode: "fail"})
		c := fx.env.Client(t, client.Config{MaxRetries: -1})
		for _, object := range fx.objects[:3] {
			o, err := typ.read(c, t.Context(), object[0], object[1])
			if err != nil || o.ID != object[0] {
				t.Errorf("read %d: %+v, %v", object[0], o, err)
			}
		}
		typ.reads.expect(t, fx.dev, 1, 3, "a failed list")
	})
}
