package client_test

import (
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv"
)

var projectReads = readRequests{lists: []string{"GET /api/projects/"}, gets: []string{"GET /api/projects/{id}/"}}

// listRendersOtherwise are the project fields the stand-in's list renders
// otherwise than its detail view, as the Enterprise schema types them
// (openapi.yml: AllRolesProjectList computes these counters as method
// fields, typed strings; LseProjectResponse has integers). No resource
// reads them.
var listRendersOtherwise = map[string]bool{"queue_total": true, "skipped_annotations_number": true, "total_annotations_number": true}

func newProjects(t *testing.T, n int) (*testenv.Env, *testenv.DevClient, *client.Client, []int64) {
	t.Helper()
	env := testenv.Start(t, testenv.Options{})
	if env.Real {
		t.Skip("counts requests through the stand-in's /_dev/requests")
	}
	admin := env.Client(t, client.Config{})
	ids := make([]int64, n)
	for i := range ids {
		p, err := admin.CreateProject(t.Context(), map[string]any{
			"title": fmt.Sprintf("batched %d", i), "description": "  read in batches ", "maximum_annotations": i%3 + 1,
			"label_config": `<View><Text name="t" value="$text"/><Choices name="c" toName="t"><Choice value="a"/></Choices></View>`,
		})
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = p.ID
	}
	dev := env.Dev(t)
	dev.ResetRequestCounts(t)
	return env, dev, admin, ids
}

// readAllHeld reads every project while a read is (made to seem) in flight,
// so that all of them wait in batches, then sends the batches.
func readAllHeld(t *testing.T, c *client.Client, ids []int64) ([]*client.Project, []error) {
	t.Helper()
	waiting, release := client.HoldProjectReads(c)
	got, errs := make([]*client.Project, len(ids)), make([]error, len(ids))
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Go(func() { got[i], errs[i] = c.ReadProject(t.Context(), id) })
	}
	for waiting() < len(ids) { // every read has joined a batch: no timing involved
		time.Sleep(time.Millisecond)
	}
	release()
	wg.Wait()
	return got, errs
}

// Reads made while another is in flight go out together, as lists by ids
// (projects/api.py: ProjectFilterSet's ids), at most 100 a request (the
// list's page size cap), and each answer holds the detail view's fields.
func TestProjectReadsMadeTogetherAreOneListRequest(t *testing.T) {
	env, dev, admin, ids := newProjects(t, 120)
	c := env.Client(t, client.Config{})
	got, errs := readAllHeld(t, c, ids)
	projectReads.expect(t, dev, 2, 0, "120 reads in flight together")
	for i, id := range ids {
		if errs[i] != nil {
			t.Fatalf("read %d: %v", id, errs[i])
		}
		want, err := admin.GetProject(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		if got[i].ID != want.ID || got[i].Title != want.Title {
			t.Errorf("project %d from the list: %d %q, by id %d %q", id, got[i].ID, got[i].Title, want.ID, want.Title)
		}
		for name, value := range want.Fields {
			if !listRendersOtherwise[name] && !reflect.DeepEqual(got[i].Fields[name], value) {
				t.Errorf("project %d, %s: %#v from the list, %#v by id", id, name, got[i].Fields[name], value)
			}
		}
	}
	// A read with nothing in flight goes by id, at once.
	dev.ResetRequestCounts(t)
	if _, err := c.ReadProject(t.Context(), ids[0]); err != nil {
		t.Fatal(err)
	}
	projectReads.expect(t, dev, 0, 1, "a read alone")
}

// A project missing from its batch's answer is read by id (a 404 there says
// it is gone), and so is every project of a batch whose request failed.
func TestProjectMissingFromItsBatchIsReadByID(t *testing.T) {
	env, dev, admin, ids := newProjects(t, 4)
	if err := admin.DeleteProject(t.Context(), ids[0]); err != nil {
		t.Fatal(err)
	}
	dev.ResetRequestCounts(t)
	c := env.Client(t, client.Config{MaxRetries: -1})
	got, errs := readAllHeld(t, c, ids)
	if !errors.Is(errs[0], client.ErrNotFound) {
		t.Errorf("deleted project: %v, %v; want ErrNotFound", got[0], errs[0])
	}
	for i := 1; i < len(ids); i++ {
		if errs[i] != nil || got[i].ID != ids[i] {
			t.Errorf("project %d: %v, %v", ids[i], got[i], errs[i])
		}
	}
	projectReads.expect(t, dev, 1, 1, "a batch with a deleted project")

	dev.ResetRequestCounts(t)
	dev.AddFault(t, testenv.Fault{Method: http.MethodGet, Path: `^/api/projects/$`, Mode: "fail"})
	_, errs = readAllHeld(t, c, ids[1:])
	for i, err := range errs {
		if err != nil {
			t.Errorf("project %d after a failed list: %v", ids[i+1], err)
		}
	}
	projectReads.expect(t, dev, 1, 3, "a failed list")
}
