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

// webhookFixture is the stand-in with two projects holding webhooks with
// headers (webhooks/api.py: WebhookListAPI and WebhookAPI both render
// WebhookSerializer, headers in clear).
type webhookFixture struct {
	env      *testenv.Env
	dev      *testenv.DevClient
	admin    *client.Client // reads by id, changes things "outside"
	projects []int64
	hooks    [][2]int64 // id, project
}

func newWebhookFixture(t *testing.T, perProject int) *webhookFixture {
	t.Helper()
	env := testenv.Start(t, testenv.Options{})
	if env.Real {
		t.Skip("counts requests through the stand-in's /_dev/requests")
	}
	fx := &webhookFixture{env: env, dev: env.Dev(t), admin: env.Client(t, client.Config{})}
	for p := range 2 {
		project, err := fx.admin.CreateProject(t.Context(), map[string]any{"title": fmt.Sprintf("hooks %d", p)})
		if err != nil {
			t.Fatalf("create project: %v", err)
		}
		fx.projects = append(fx.projects, project.ID)
		for i := range perProject {
			wh, err := fx.admin.CreateWebhook(t.Context(), map[string]any{
				"project": project.ID, "url": fmt.Sprintf("http://hooks.example.com/%d/%d", p, i),
				"headers":              map[string]any{"Authorization": fmt.Sprintf("Bearer secret-%d-%d", p, i)},
				"send_for_all_actions": i%2 == 0, "actions": []string{"TASKS_CREATED"},
			})
			if err != nil {
				t.Fatalf("create webhook: %v", err)
			}
			fx.hooks = append(fx.hooks, [2]int64{wh.ID, project.ID})
		}
	}
	fx.dev.ResetRequestCounts(t)
	return fx
}

// Concurrent reads of a project's webhooks share one list request, and each
// answer is the detail view's, field by field, headers included.
func TestWebhookReadsShareOneListPerProject(t *testing.T) {
	fx := newWebhookFixture(t, 5)
	c := fx.env.Client(t, client.Config{})
	got := make([]*client.Webhook, len(fx.hooks))
	var wg sync.WaitGroup
	for i, hook := range fx.hooks {
		wg.Go(func() {
			wh, err := c.ReadWebhook(t.Context(), hook[0], hook[1])
			if err != nil {
				t.Errorf("read %d: %v", hook[0], err)
			}
			got[i] = wh
		})
	}
	wg.Wait()
	webhookReads.expect(t, fx.dev, 2, 0, fmt.Sprintf("%d reads in 2 projects", len(fx.hooks)))
	for i, hook := range fx.hooks {
		want, err := fx.admin.GetWebhook(t.Context(), hook[0])
		if err != nil {
			t.Fatal(err)
		}
		if got[i] == nil || !reflect.DeepEqual(*got[i], *want) {
			t.Errorf("webhook %d from the list:\n%+v\nby id:\n%+v", hook[0], got[i], want)
		}
		if _, ok := want.Fields["headers"].(map[string]any)["Authorization"]; !ok {
			t.Errorf("webhook %d: no headers to compare: %v", hook[0], want.Fields)
		}
	}
	// Answered reads of the same client cost nothing more; each reader has
	// its own copy.
	fx.dev.ResetRequestCounts(t)
	first, err := c.ReadWebhook(t.Context(), fx.hooks[0][0], fx.hooks[0][1])
	if err != nil {
		t.Fatal(err)
	}
	first.Fields["url"] = "changed by a reader"
	again, err := c.ReadWebhook(t.Context(), fx.hooks[0][0], fx.hooks[0][1])
	if err != nil || again.Fields["url"] == "changed by a reader" {
		t.Errorf("second read: %v, %v; want the list's own copy", again, err)
	}
	webhookReads.expect(t, fx.dev, 0, 0, "repeated reads")
}

// A webhook missing from its project's list is read by id: in another
// project (Label Studio cannot move a webhook, but the state may name the
// wrong project) it is found there; deleted, it is a 404.
func TestWebhookMissingFromItsListIsReadByID(t *testing.T) {
	fx := newWebhookFixture(t, 2)
	elsewhere, deleted := fx.hooks[0], fx.hooks[1]
	if err := fx.admin.DeleteWebhook(t.Context(), deleted[0]); err != nil {
		t.Fatal(err)
	}
	fx.dev.ResetRequestCounts(t)
	c := fx.env.Client(t, client.Config{})
	wh, err := c.ReadWebhook(t.Context(), elsewhere[0], fx.projects[1])
	if err != nil || wh.ID != elsewhere[0] || fmt.Sprint(wh.Fields["project"]) != fmt.Sprint(fx.projects[0]) {
		t.Errorf("webhook looked for in the other project: %+v, %v; want it in project %d", wh, err, fx.projects[0])
	}
	if _, err := c.ReadWebhook(t.Context(), deleted[0], deleted[1]); !errors.Is(err, client.ErrNotFound) {
		t.Errorf("deleted webhook: %v, want ErrNotFound", err)
	}
	webhookReads.expect(t, fx.dev, 2, 2, "a webhook looked for in the other project and a deleted one")
}

// A webhook write through the client drops the webhook lists: the next
// read lists again and sees the write. A project delete drops that
// project's lists.
func TestWebhookWritesForgetTheLists(t *testing.T) {
	fx := newWebhookFixture(t, 2)
	c := fx.env.Client(t, client.Config{})
	hook, other := fx.hooks[0], fx.hooks[2]
	read := func(h [2]int64) *client.Webhook {
		t.Helper()
		wh, err := c.ReadWebhook(t.Context(), h[0], h[1])
		if err != nil {
			t.Fatal(err)
		}
		return wh
	}
	read(hook)
	read(other)
	if _, err := c.UpdateWebhook(t.Context(), hook[0], map[string]any{"is_active": false, "actions": []string{}}); err != nil {
		t.Fatal(err)
	}
	if wh := read(hook); wh.Fields["is_active"] != false {
		t.Errorf("read after the update: %v", wh.Fields)
	}
	read(other) // the update may have been of any project's webhook
	if _, err := c.CreateWebhook(t.Context(), map[string]any{"project": hook[1], "url": "http://hooks.example.com/new"}); err != nil {
		t.Fatal(err)
	}
	read(hook)
	if err := c.DeleteWebhook(t.Context(), hook[0]); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ReadWebhook(t.Context(), hook[0], hook[1]); !errors.Is(err, client.ErrNotFound) {
		t.Errorf("read after the delete: %v, want ErrNotFound", err)
	}
	webhookReads.expect(t, fx.dev, 6, -1, "lists of both projects at first and after the update, after the create, after the delete")
	// The project's delete removes its webhooks on the server.
	read(other)
	fx.dev.ResetRequestCounts(t)
	if err := c.DeleteProject(t.Context(), other[1]); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ReadWebhook(t.Context(), other[0], other[1]); !errors.Is(err, client.ErrNotFound) {
		t.Errorf("read after the project's delete: %v, want ErrNotFound", err)
	}
	// The list of a deleted project is refused (WebhookFilterSet: not one
	// of the choices); the read goes by id.
	webhookReads.expect(t, fx.dev, 1, 1, "after the project's delete (the list refused)")
}

// A list that fails is not the end of the read: every read of the project
// falls back to the GET by id.
func TestWebhookListFailureFallsBackToReadsByID(t *testing.T) {
	fx := newWebhookFixture(t, 3)
	fx.dev.AddFault(t, testenv.Fault{Method: http.MethodGet, Path: `^/api/webhooks/$`, Mode: "fail"})
	c := fx.env.Client(t, client.Config{MaxRetries: -1})
	for _, hook := range fx.hooks[:3] {
		wh, err := c.ReadWebhook(t.Context(), hook[0], hook[1])
		if err != nil || wh.ID != hook[0] {
			t.Errorf("read %d: %+v, %v", hook[0], wh, err)
		}
	}
	webhookReads.expect(t, fx.dev, 1, 3, "a failed list")
}

// The action catalogue (webhooks/api.py WebhookInfoAPI: WebhookAction.ACTIONS,
// fixed in Label Studio's code) is asked for once per client, by every
// concurrent caller together; a failure is not kept.
func TestWebhookActionsAskedOncePerClient(t *testing.T) {
	env := testenv.Start(t, testenv.Options{})
	if env.Real {
		t.Skip("counts requests through the stand-in's /_dev/requests")
	}
	dev := env.Dev(t)
	dev.AddFault(t, testenv.Fault{Method: http.MethodGet, Path: `^/api/webhooks/info/$`, Mode: "fail", Count: 1})
	c := env.Client(t, client.Config{MaxRetries: -1})
	if _, err := c.WebhookActions(t.Context()); err == nil {
		t.Fatal("the failed request gave a catalogue")
	}
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			actions, err := c.WebhookActions(t.Context())
			if err != nil || actions["TASKS_CREATED"].Name == "" {
				t.Errorf("catalogue: %v, %v", actions, err)
				return
			}
			delete(actions, "TASKS_CREATED") // each caller has its own copy
		})
	}
	wg.Wait()
	if n := dev.RequestCounts(t)["GET /api/webhooks/info/"]; n != 2 {
		t.Errorf("%d catalogue requests, want 2 (the failed one, then one for 20 callers)", n)
	}
}
