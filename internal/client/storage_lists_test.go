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

// storageRequests are the stand-in's counts of the local-files storage
// reads: lists and GETs by id.
func storageRequests(t *testing.T, dev *testenv.DevClient) (lists, gets int) {
	t.Helper()
	counts := dev.RequestCounts(t)
	return counts["GET /api/storages/localfiles/"] + counts["GET /api/storages/export/localfiles"],
		counts["GET /api/storages/localfiles/{id}"] + counts["GET /api/storages/export/localfiles/{id}"]
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
	if lists, gets := storageRequests(t, fx.dev); lists != 4 || gets != 0 {
		t.Errorf("%d reads in 4 groups made %d list requests and %d GETs by id, want 4 and 0", len(fx.refs), lists, gets)
	}
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
	if lists, gets := storageRequests(t, fx.dev); lists != 0 || gets != 0 {
		t.Errorf("repeated reads: %d lists, %d GETs by id, want none", lists, gets)
	}
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
	if lists, gets := storageRequests(t, fx.dev); lists != 1 || gets != 2 {
		t.Errorf("%d lists and %d GETs by id, want 1 and 2", lists, gets)
	}
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
	if lists, _ := storageRequests(t, fx.dev); lists != 4 {
		t.Errorf("%d list requests, want 4 (before and after the update, after the delete, the other project)", lists)
	}
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
	if lists, gets := storageRequests(t, fx.dev); lists != 1 || gets != 3 {
		t.Errorf("%d lists and %d GETs by id, want 1 failed list and 3 GETs", lists, gets)
	}
}
