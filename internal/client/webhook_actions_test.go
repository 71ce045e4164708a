package client_test

import (
	"net/http"
	"sync"
	"testing"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv"
)

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
