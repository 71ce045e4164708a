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

// listFixture is the stand-in with two projects, each holding local-files
// storages in both directions.
type listFixture struct {
	env      *testenv.Env
	dev      *testenv.DevClient
	admin    *client.Client // reads by id, changes things "outside"
	projects []int64
	refs     []client.StorageRef // Project set: the hint a read passes
}

func newListFixture(t *testing.T, perGroup int) *listFixture {
	t.Helper()
	env := testenv.Start(t, testenv.Options{})
	if env.Real {
		t.Skip("counts requests through the stand-in's /_dev/requests")
	}
	fx := &listFixture{env: env, dev: env.Dev(t), admin: env.Client(t, client.Config{})}
	dir := testenv.LocalDir(t, env, "lists")
	testenv.WriteFile(t, dir, "task.json", []byte(`{"text": "hello"}`))
	for p := range 2 {
		project, err := fx.admin.CreateProject(t.Context(), map[string]any{"title": fmt.Sprintf("lists %d", p)})
		if err != nil {
			t.Fatalf("create project: %v", err)
		}
		fx.projects = append(fx.projects, project.ID)
		for _, dirn := range []client.Direction{client.Import, client.Export} {
			for i := range perGroup {
				st, err := fx.admin.CreateStorage(t.Context(), "localfiles", dirn, map[string]any{
					"project": project.ID, "path": dir, "title": fmt.Sprintf("%s %d", dirn, i), "recursive_scan": nil,
				})
				if err != nil {
					t.Fatalf("create storage: %v", err)
				}
				fx.refs = append(fx.refs, client.StorageRef{Kind: "localfiles", Direction: dirn, ID: st.ID, Project: project.ID})
			}
		}
	}
	fx.dev.ResetRequestCounts(t)
	return fx
}

// byID is ref without the project hint: the detail GET.
func byID(ref client.StorageRef) client.StorageRef {
	ref.Project = 0
	return ref
}

// readRequests names the stand-in's request counts (/_dev/requests) of one
// object type's reads: its list requests and its GETs by id.
type readRequests struct{ lists, gets []string }

var (
	localStorageReads = readRequests{
		lists: []string{"GET /api/storages/localfiles/", "GET /api/storages/export/localfiles"},
		gets:  []string{"GET /api/storages/localfiles/{id}", "GET /api/storages/export/localfiles/{id}"},
	}
	webhookReads = readRequests{lists: []string{"GET /api/webhooks/"}, gets: []string{"GET /api/webhooks/{id}/"}}
	viewReads    = readRequests{lists: []string{"GET /api/dm/views/"}, gets: []string{"GET /api/dm/views/{id}/"}}
)

// expect checks the reads made since the counts were reset: wantLists list
// requests and wantGets GETs by id (-1: any number).
func (r readRequests) expect(t *testing.T, dev *testenv.DevClient, wantLists, wantGets int, why string) {
	t.Helper()
	counts := dev.RequestCounts(t)
	sum := func(names []string) (n int) {
		for _, name := range names {
			n += counts[name]
		}
		return n
	}
	lists, gets := sum(r.lists), sum(r.gets)
	if lists != wantLists || wantGets >= 0 && gets != wantGets {
		t.Errorf("%s: %d list requests and %d GETs by id, want %d and %d", why, lists, gets, wantLists, wantGets)
	}
}

// Concurrent reads of a group share one list request, and each answer is the
// detail view's, field by field (io_storages/localfiles/api.py: one
// serializer for list and detail).
func TestStorageReadsShareOneListPerGroup(t *testing.T) {
	fx := newListFixture(t, 5)
	c := fx.env.Client(t, client.Config{})
	got := make([]*client.Storage, len(fx.refs))
	var wg sync.WaitGroup
	for i, ref := range fx.refs {
		wg.Go(func() {
			st, err := c.GetStorage(t.Context(), ref)
			if err != nil {
				t.Errorf("read %d: %v", ref.ID, err)
			}
			got[i] = st
		})
	}
	wg.Wait()
	localStorageReads.expect(t, fx.dev, 4, 0, fmt.Sprintf("%d reads in 4 groups", len(fx.refs)))
	for i, ref := range fx.refs {
		want, err := fx.admin.GetStorage(t.Context(), byID(ref))
		if err != nil {
			t.Fatal(err)
		}
		if got[i] == nil || !reflect.DeepEqual(*got[i], *want) {
			t.Errorf("storage %d from the list:\n%+v\nby id:\n%+v", ref.ID, got[i], want)
		}
	}
	// Answered reads of the same client cost nothing more.
	fx.dev.ResetRequestCounts(t)
	for _, ref := range fx.refs[:3] {
		if _, err := c.GetStorage(t.Context(), ref); err != nil {
			t.Fatal(err)
		}
	}
	localStorageReads.expect(t, fx.dev, 0, 0, "repeated reads")
}

// A storage missing from its group's list is read by id: moved to another
// project, it is found there; deleted, it is a 404.
func TestStorageMissingFromItsListIsReadByID(t *testing.T) {
	fx := newListFixture(t, 2)
	moved, deleted := fx.refs[0], fx.refs[1]
	if _, err := fx.admin.UpdateStorage(t.Context(), moved, map[string]any{"project": fx.projects[1], "path": mustPath(t, fx, moved)}); err != nil {
		t.Fatal(err)
	}
	if err := fx.admin.DeleteStorage(t.Context(), deleted); err != nil {
		t.Fatal(err)
	}
	fx.dev.ResetRequestCounts(t)
	c := fx.env.Client(t, client.Config{})
	st, err := c.GetStorage(t.Context(), moved)
	if err != nil || st.Project != fx.projects[1] {
		t.Errorf("moved storage: %+v, %v; want it in project %d", st, err, fx.projects[1])
	}
	if _, err := c.GetStorage(t.Context(), deleted); !errors.Is(err, client.ErrNotFound) {
		t.Errorf("deleted storage: %v, want ErrNotFound", err)
	}
	localStorageReads.expect(t, fx.dev, 1, 2, "a moved and a deleted storage")
}

// A write through the client drops the lists it may have made stale: the
// next read lists again and sees the write.
func TestStorageWritesForgetTheirGroupsList(t *testing.T) {
	fx := newListFixture(t, 2)
	c := fx.env.Client(t, client.Config{})
	ref := fx.refs[0]
	if _, err := c.GetStorage(t.Context(), ref); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UpdateStorage(t.Context(), ref, map[string]any{"title": "renamed", "path": mustPath(t, fx, ref)}); err != nil {
		t.Fatal(err)
	}
	st, err := c.GetStorage(t.Context(), ref)
	if err != nil || st.Title == nil || *st.Title != "renamed" {
		t.Fatalf("read after the update: %+v, %v", st, err)
	}
	if err := c.DeleteStorage(t.Context(), ref); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetStorage(t.Context(), ref); !errors.Is(err, client.ErrNotFound) {
		t.Errorf("read after the delete: %v, want ErrNotFound", err)
	}
	// Another group of the same kind and direction may hold a moved
	// storage: it is listed again as well; the other direction is not.
	other := fx.refs[4] // project 2, import
	if _, err := c.GetStorage(t.Context(), other); err != nil {
		t.Fatal(err)
	}
	localStorageReads.expect(t, fx.dev, 4, -1, "lists before and after the update, after the delete, of the other project")
}

func mustPath(t *testing.T, fx *listFixture, ref client.StorageRef) string {
	t.Helper()
	st, err := fx.admin.GetStorage(t.Context(), byID(ref))
	if err != nil {
		t.Fatal(err)
	}
	return st.Fields["path"].(string)
}

// A list that fails is not the end of the read: every read of the group
// falls back to the GET by id.
func TestStorageListFailureFallsBackToReadsByID(t *testing.T) {
	fx := newListFixture(t, 3)
	fx.dev.AddFault(t, testenv.Fault{Method: http.MethodGet, Path: `^/api/storages/localfiles/$`, Mode: "fail"})
	c := fx.env.Client(t, client.Config{MaxRetries: -1})
	for _, ref := range fx.refs[:3] {
		st, err := c.GetStorage(t.Context(), ref)
		if err != nil || st.ID != ref.ID {
			t.Errorf("read %d: %+v, %v", ref.ID, st, err)
		}
	}
	localStorageReads.expect(t, fx.dev, 1, 3, "a failed list")
}
