package devserver_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv"
)

// Webhook delivery (API.md 18.3, 18.4) against a real receiver
// (testenv.Receiver). Deliveries happen inside the request that causes them
// (webhooks/utils.py run_webhook_sync through start_job_async_or_sync
// without Redis), so when the request has answered, whatever was sent has
// arrived: "nothing arrived" is checked right after the request.

// wait bounds the receiver waits; nothing asserts how long delivery takes.
const wait = 10 * time.Second

const textConfig = `<View><Text name="text" value="$text"/><Choices name="label" toName="text"><Choice value="a"/><Choice value="b"/></Choices></View>`

// api is a bare JSON client of the stand-in for what internal/client does
// not call.
type api struct {
	t   *testing.T
	env *testenv.Env
}

func (a api) call(method, path string, body any, want int) map[string]any {
	a.t.Helper()
	var reader io.Reader
	if body != nil {
		data, _ := json.Marshal(body)
		reader = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(a.t.Context(), method, a.env.URL+path, reader)
	if err != nil {
		a.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Token "+a.env.APIKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer func() { _ = resp.Body.Close() }()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		a.t.Fatalf("%s %s: status %d, want %d: %s", method, path, resp.StatusCode, want, data)
	}
	var out map[string]any
	if len(data) > 0 {
		if err := json.Unmarshal(data, &out); err != nil {
			a.t.Fatalf("%s %s: %v: %s", method, path, err, data)
		}
	}
	return out
}

// fixture is a project with one webhook pointing at a receiver.
type fixture struct {
	api
	c        *client.Client
	receiver *testenv.Receiver
	project  int64
	webhook  string // the webhook's detail path
}

func newFixture(t *testing.T, opts testenv.Options, webhook map[string]any) *fixture {
	t.Helper()
	env := testenv.Start(t, opts)
	f := &fixture{api: api{t: t, env: env}, c: env.Client(t, client.Config{}), receiver: testenv.NewReceiver(t)}
	p, err := f.c.CreateProject(t.Context(), map[string]any{"title": "hooks", "label_config": textConfig})
	if err != nil {
		t.Fatal(err)
	}
	f.project = p.ID
	body := map[string]any{"project": p.ID, "url": f.receiver.URL + "/hook"}
	for k, v := range webhook {
		body[k] = v
	}
	created := f.call(http.MethodPost, "/api/webhooks/", body, http.StatusCreated)
	f.webhook = fmt.Sprintf("/api/webhooks/%v/", created["id"])
	if got := f.receiver.Deliveries(); len(got) != 0 {
		t.Fatalf("creating a webhook delivered %d requests; Label Studio sends none", len(got))
	}
	return f
}

func (f *fixture) patchProject(body map[string]any) {
	f.t.Helper()
	if _, err := f.c.UpdateProject(f.t.Context(), f.project, body); err != nil {
		f.t.Fatal(err)
	}
}

// importTasks syncs a local import storage of n task files; the inline
// sync finishes inside the request.
func (f *fixture) importTasks(n int) []testenv.Task {
	f.t.Helper()
	ref := testenv.LocalImportStorage(f.t, f.env, f.c, f.project, fmt.Sprintf("hooks-%d", f.project), testenv.TaskFiles(1, n))
	if _, err := f.c.SyncStorage(f.t.Context(), ref); err != nil {
		f.t.Fatal(err)
	}
	tasks, err := testenv.ListTasks(f.t.Context(), f.c, f.project)
	if err != nil || len(tasks) != n {
		f.t.Fatalf("tasks after the sync: %v, %v", tasks, err)
	}
	return tasks
}

func number(v any) string { return fmt.Sprint(v) }

// webhooks/serializers_for_hooks.py and utils.py: each event's payload keys,
// the webhook's headers, a JSON POST.
func TestDeliveryPayloadsPerSerializersForHooksPy(t *testing.T) {
	f := newFixture(t, testenv.Options{}, map[string]any{"headers": map[string]any{"Authorization": "Bearer hook-secret", "X-Env": "test"}})

	f.patchProject(map[string]any{"description": "changed"})
	d := f.receiver.WaitForAction(t, wait, "PROJECT_UPDATED")
	if d.Method != http.MethodPost || d.Path != "/hook" || d.Header.Get("Authorization") != "Bearer hook-secret" ||
		d.Header.Get("X-Env") != "test" || d.Header.Get("Content-Type") != "application/json" {
		t.Errorf("request: %s %s %v", d.Method, d.Path, d.Header)
	}
	payload := d.Payload(t)
	project, _ := payload["project"].(map[string]any)
	if len(payload) != 2 || number(project["id"]) != number(f.project) || project["description"] != "changed" {
		t.Errorf("PROJECT_UPDATED payload: %v", payload)
	}

	tasks := f.importTasks(2)
	d = f.receiver.WaitForAction(t, wait, "TASKS_CREATED")
	payload = d.Payload(t)
	list, _ := payload["tasks"].([]any)
	if len(list) != 2 || payload["project"] == nil {
		t.Fatalf("TASKS_CREATED payload: %v", payload)
	}
	first, _ := list[0].(map[string]any)
	data, _ := first["data"].(map[string]any)
	if number(first["id"]) != number(tasks[0].ID) || number(first["project"]) != number(f.project) || data["text"] != "task 1" {
		t.Errorf("TASKS_CREATED task: %v", first)
	}

	annotation := f.env.CreateAnnotation(t, tasks[0].ID, []any{map[string]any{"from_name": "label", "to_name": "text",
		"type": "choices", "value": map[string]any{"choices": []any{"a"}}}})
	d = f.receiver.WaitForAction(t, wait, "ANNOTATION_CREATED")
	payload = d.Payload(t)
	ann, _ := payload["annotation"].(map[string]any)
	task, _ := payload["task"].(map[string]any)
	if number(ann["id"]) != number(annotation) || number(ann["task"]) != number(tasks[0].ID) || number(task["id"]) != number(tasks[0].ID) || payload["project"] == nil {
		t.Errorf("ANNOTATION_CREATED payload: %v", payload)
	}
	if got := len(f.receiver.Deliveries()); got != 3 {
		t.Errorf("%d deliveries, want 3", got)
	}
}

// utils.py run_webhook_sync: with send_payload false only the action goes,
// even when another webhook of the project has the payload built.
func TestDeliveryWithoutPayloadPerUtilsPy(t *testing.T) {
	f := newFixture(t, testenv.Options{}, map[string]any{"send_payload": false})
	withPayload := testenv.NewReceiver(t)
	f.call(http.MethodPost, "/api/webhooks/", map[string]any{"project": f.project, "url": withPayload.URL + "/full"}, http.StatusCreated)
	f.patchProject(map[string]any{"title": "renamed"})
	if payload := f.receiver.WaitForAction(t, wait, "PROJECT_UPDATED").Payload(t); len(payload) != 1 {
		t.Errorf("send_payload false: payload %v, want only the action", payload)
	}
	if payload := withPayload.WaitForAction(t, wait, "PROJECT_UPDATED").Payload(t); payload["project"] == nil {
		t.Errorf("send_payload true: payload %v, want the project", payload)
	}
}

// utils.py get_active_webhooks: send_for_all_actions false limits the
// webhook to its actions; is_active false silences it.
func TestDeliverySelectionPerUtilsPyGetActiveWebhooks(t *testing.T) {
	f := newFixture(t, testenv.Options{}, map[string]any{"send_for_all_actions": false, "actions": []any{"TASKS_CREATED"}})
	f.patchProject(map[string]any{"title": "renamed"})
	if got := f.receiver.Deliveries(); len(got) != 0 {
		t.Fatalf("PROJECT_UPDATED delivered to a webhook for TASKS_CREATED only (%d deliveries, first %q)", len(got), got[0].Action())
	}
	f.importTasks(1)
	f.receiver.WaitForAction(t, wait, "TASKS_CREATED")

	f.call(http.MethodPatch, f.webhook, map[string]any{"is_active": false, "send_for_all_actions": true}, http.StatusOK)
	f.patchProject(map[string]any{"title": "renamed again"})
	if got := len(f.receiver.Deliveries()); got != 1 {
		t.Errorf("an inactive webhook got a delivery (%d in all)", got)
	}
}

// utils.py _record_webhook_delivery_result: a non-2xx answer or a failed
// connection counts; at WEBHOOK_MAX_CONSECUTIVE_FAILURES the webhook is
// switched off; a 2xx resets the count. serializers.py update() resets it
// when the webhook is switched back on.
func TestDeliveryFailuresSwitchTheWebhookOffPerUtilsPy(t *testing.T) {
	f := newFixture(t, testenv.Options{WebhookMaxConsecutiveFailures: 3}, nil)
	f.receiver.FailWith(http.StatusInternalServerError)
	f.patchProject(map[string]any{"title": "one"})
	f.receiver.FailWith(0)
	f.patchProject(map[string]any{"title": "two"})
	if wh := f.call(http.MethodGet, f.webhook, nil, http.StatusOK); wh["consecutive_failures"] != float64(0) {
		t.Errorf("a 2xx did not reset the count: %v", wh)
	}

	f.receiver.FailWith(http.StatusServiceUnavailable)
	for i := range 3 {
		f.patchProject(map[string]any{"title": fmt.Sprintf("fail %d", i)})
		wh := f.call(http.MethodGet, f.webhook, nil, http.StatusOK)
		if wh["consecutive_failures"] != float64(i+1) || wh["is_active"] != (i < 2) {
			t.Fatalf("after %d failures: consecutive_failures %v, is_active %v", i+1, wh["consecutive_failures"], wh["is_active"])
		}
	}
	sent := len(f.receiver.Deliveries())
	f.patchProject(map[string]any{"title": "after the switch-off"})
	if got := len(f.receiver.Deliveries()); got != sent {
		t.Errorf("a switched-off webhook got a delivery")
	}

	wh := f.call(http.MethodPatch, f.webhook, map[string]any{"is_active": true}, http.StatusOK)
	if wh["consecutive_failures"] != float64(0) || wh["is_active"] != true {
		t.Errorf("re-activation: %v", wh)
	}

	// A refused connection is a failure too.
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + closed.Addr().String() + "/hook"
	_ = closed.Close()
	f.call(http.MethodPatch, f.webhook, map[string]any{"url": dead}, http.StatusOK)
	f.patchProject(map[string]any{"title": "dead"})
	if wh := f.call(http.MethodGet, f.webhook, nil, http.StatusOK); wh["consecutive_failures"] != float64(1) {
		t.Errorf("refused connection: consecutive_failures %v, want 1", wh["consecutive_failures"])
	}
}

// utils.py run_webhook_sync posts with timeout=WEBHOOK_TIMEOUT: an endpoint
// slower than that is a failed delivery, and the API still answers.
func TestDeliveryTimeoutIsAFailurePerUtilsPy(t *testing.T) {
	f := newFixture(t, testenv.Options{WebhookTimeout: 100 * time.Millisecond}, nil)
	f.receiver.Delay(5 * time.Second)
	f.patchProject(map[string]any{"title": "slow endpoint"})
	if wh := f.call(http.MethodGet, f.webhook, nil, http.StatusOK); wh["consecutive_failures"] != float64(1) {
		t.Errorf("a delivery past the timeout: consecutive_failures %v, want 1", wh["consecutive_failures"])
	}
}
