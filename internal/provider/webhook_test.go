package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv"
)

const webhookAddress = "labelstudio_webhook.test"

// Django's URLValidator (django/core/validators.py), which Label Studio's
// webhook URLField applies: the host is an IP, localhost, or a dotted name
// whose last label is letters.
func TestWebhookURLProblem(t *testing.T) {
	for url, refused := range map[string]bool{
		"https://hooks.example.com/ls":                     false,
		"http://ml-backend.default.svc.cluster.local:9090": false,
		"http://127.0.0.1:8000/hook":                       false,
		"http://[::1]:8000/hook":                           false,
		"http://localhost:8000/hook":                       false,
		"http://host.docker.internal/hook":                 false,
		"http://ml-backend:9090/hook":                      true,
		"http://pipeline/hook":                             true,
		"http://hooks.example.123/ls":                      true,
		"hooks.example.com/ls":                             true,
		"mailto:someone@example.com":                       true,
		"https://" + strings.Repeat("a", 2050) + ".com":    true,
	} {
		if got := webhookURLProblem(url) != ""; got != refused {
			t.Errorf("%.60s: refused = %t, want %t (%s)", url, got, refused, webhookURLProblem(url))
		}
	}
	if msg := webhookURLProblem("http://ml-backend:9090/hook"); !strings.Contains(msg, "ml-backend.default.svc.cluster.local") || !strings.Contains(msg, "IP address") {
		t.Errorf("the message does not say what works instead: %s", msg)
	}
}

// Label Studio stores an empty action list when a PATCH leaves actions out
// (WebhookSerializer.update, label_studio/webhooks/serializers.py), so every
// update that sends anything sends the whole list.
func TestWebhookUpdateAlwaysSendsActions(t *testing.T) {
	prior := webhookValue(t, map[string]tftypes.Value{
		"url":     tftypes.NewValue(tftypes.String, "https://a.example.com"),
		"actions": stringSetValue("TASKS_CREATED", "ANNOTATION_CREATED"),
	})
	plan := webhookValue(t, map[string]tftypes.Value{
		"url":     tftypes.NewValue(tftypes.String, "https://b.example.com"),
		"actions": stringSetValue("TASKS_CREATED", "ANNOTATION_CREATED"),
	})
	body, _, diags := webhookObject.requestBody(plan, plan, prior)
	if diags.HasError() {
		t.Fatal(diags)
	}
	want := map[string]any{"url": "https://b.example.com", "actions": []any{"ANNOTATION_CREATED", "TASKS_CREATED"}}
	if !reflect.DeepEqual(body, want) {
		t.Errorf("update body %#v, want %#v", body, want)
	}
	// Nothing changed: nothing to send.
	if body, _, _ := webhookObject.requestBody(prior, prior, prior); len(body) != 0 {
		t.Errorf("an update without changes sends %#v", body)
	}
}

// webhookValue is a webhook object of the resource's schema with attrs set
// and the rest null.
func webhookValue(t *testing.T, attrs map[string]tftypes.Value) tftypes.Value {
	t.Helper()
	with := map[string]tftypes.Value{attrProject: tftypes.NewValue(tftypes.Number, 1)}
	for name, v := range attrs {
		with[name] = v
	}
	return objectTypeValue(&webhookObject, with)
}

// objectTypeValue is an object of the type's resource schema with attrs set
// and the rest null.
func objectTypeValue[T any](ot *objectType[T], attrs map[string]tftypes.Value) tftypes.Value {
	typ := ot.schema(context.Background()).Type().TerraformType(context.Background()).(tftypes.Object)
	all := map[string]tftypes.Value{}
	for name, attrType := range typ.AttributeTypes {
		all[name] = tftypes.NewValue(attrType, nil)
	}
	for name, v := range attrs {
		all[name] = v
	}
	return tftypes.NewValue(typ, all)
}

func stringSetValue(elems ...string) tftypes.Value {
	values := make([]tftypes.Value, len(elems))
	for i, s := range elems {
		values[i] = tftypes.NewValue(tftypes.String, s)
	}
	return tftypes.NewValue(tftypes.Set{ElementType: tftypes.String}, values)
}

func webhookConfig(env *testenv.Env, body string) string {
	return testAccProviderConfig(env) + fmt.Sprintf(`
resource "labelstudio_project" "test" {
  title = "Webhooks"
}

resource "labelstudio_project" "other" {
  title = "Other webhooks"
}

resource "labelstudio_webhook" "test" {
%s
}
`, body)
}

const webhookToken = "Bearer hook-token-7f3a"

func TestAccWebhook_lifecycle(t *testing.T) {
	env := testenv.Start(t, testenv.Options{})
	api := testClient(t, env)
	var webhookID int64
	sameID := statecheck.CompareValue(compare.ValuesSame())
	ctx := context.Background()

	withHeaders := webhookConfig(env, `
  project              = labelstudio_project.test.id
  url                  = "https://hooks.example.com/ls"
  send_for_all_actions = false
  actions              = ["TASKS_CREATED", "ANNOTATION_CREATED"]
  headers              = { Authorization = "`+webhookToken+`" }
`)
	newURL := strings.Replace(withHeaders, "https://hooks.example.com/ls", "https://hooks.example.com/v2", 1)
	otherProject := strings.Replace(newURL, "labelstudio_project.test.id", "labelstudio_project.other.id", 1)
	writeOnly := webhookConfig(env, `
  project              = labelstudio_project.other.id
  url                  = "https://hooks.example.com/v2"
  send_for_all_actions = false
  actions              = ["TASKS_CREATED", "ANNOTATION_CREATED"]
  headers_wo           = { Authorization = "Bearer write-only-9c1e" }
  headers_wo_version   = 1
`)

	// Checks run before state checks: they take the id from the state.
	server := func(check func(w *client.Webhook) error) resource.TestCheckFunc {
		return func(s *terraform.State) error {
			id, err := strconv.ParseInt(s.RootModule().Resources[webhookAddress].Primary.Attributes["id"], 10, 64)
			if err != nil {
				return err
			}
			w, err := api.GetWebhook(ctx, id)
			if err != nil {
				return err
			}
			return check(w)
		}
	}
	hasActions := server(func(w *client.Webhook) error {
		if got := sortedStrings(w.Fields["actions"]); !reflect.DeepEqual(got, []string{"ANNOTATION_CREATED", "TASKS_CREATED"}) {
			return fmt.Errorf("Label Studio holds actions %v", got)
		}
		return nil
	})
	hasHeader := func(value string) resource.TestCheckFunc {
		return server(func(w *client.Webhook) error {
			headers, _ := w.Fields["headers"].(map[string]any)
			if headers["Authorization"] != value {
				return fmt.Errorf("Label Studio holds headers %v", headers)
			}
			return nil
		})
	}
	outside := func(body map[string]any) func() {
		return func() {
			if _, err := api.UpdateWebhook(ctx, webhookID, body); err != nil {
				t.Fatal(err)
			}
		}
	}
	expectUpdate := resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(webhookAddress, plancheck.ResourceActionUpdate)}}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			if _, err := api.GetWebhook(ctx, webhookID); !errors.Is(err, client.ErrNotFound) {
				return fmt.Errorf("webhook %d still exists after destroy (err=%v)", webhookID, err)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: withHeaders,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(webhookAddress, tfjsonpath.New("id"), recordInt64(&webhookID)),
					sameID.AddStateValue(webhookAddress, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(webhookAddress, tfjsonpath.New("is_active"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(webhookAddress, tfjsonpath.New("send_payload"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(webhookAddress, tfjsonpath.New("headers"), knownvalue.MapExact(map[string]knownvalue.Check{"Authorization": knownvalue.StringExact(webhookToken)})),
					statecheck.ExpectKnownValue(webhookAddress, tfjsonpath.New("created_at"), knownvalue.NotNull()),
				},
				Check: resource.ComposeTestCheckFunc(hasActions, hasHeader(webhookToken)),
			},
			{
				ResourceName:      webhookAddress,
				ImportState:       true,
				ImportStateVerify: true,
			},
			{
				// Only url changes; the PATCH still carries the actions.
				Config:           newURL,
				ConfigPlanChecks: expectUpdate,
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(webhookAddress, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(webhookAddress, tfjsonpath.New("url"), knownvalue.StringExact("https://hooks.example.com/v2")),
				},
				Check: hasActions,
			},
			{
				// Switched off outside Terraform (as after failed deliveries):
				// drift, and apply switches it back on.
				PreConfig:        outside(map[string]any{"is_active": false, "actions": []any{"TASKS_CREATED", "ANNOTATION_CREATED"}}),
				Config:           newURL,
				ConfigPlanChecks: expectUpdate,
				Check: server(func(w *client.Webhook) error {
					if w.Fields["is_active"] != true {
						return fmt.Errorf("is_active is %v after apply", w.Fields["is_active"])
					}
					return nil
				}),
			},
			{
				// A header edited outside Terraform is seen and put back.
				PreConfig:        outside(map[string]any{"headers": map[string]any{"Authorization": "Bearer changed"}, "actions": []any{"TASKS_CREATED", "ANNOTATION_CREATED"}}),
				Config:           newURL,
				ConfigPlanChecks: expectUpdate,
				Check:            resource.ComposeTestCheckFunc(hasActions, hasHeader(webhookToken)),
			},
			{
				// Deleted outside Terraform: created again.
				PreConfig: func() {
					if err := api.DeleteWebhook(ctx, webhookID); err != nil {
						t.Fatal(err)
					}
				},
				Config: newURL,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(webhookAddress, plancheck.ResourceActionCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(webhookAddress, tfjsonpath.New("id"), recordInt64(&webhookID)),
				},
				Check: hasActions,
			},
			{
				// Label Studio cannot move a webhook: a new project replaces it.
				Config: otherProject,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(webhookAddress, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(webhookAddress, tfjsonpath.New("id"), recordInt64(&webhookID)),
				},
			},
			{
				// Write-only headers: sent, never in state.
				Config:           writeOnly,
				ConfigPlanChecks: expectUpdate,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(webhookAddress, tfjsonpath.New("headers"), knownvalue.Null()),
					statecheck.ExpectKnownValue(webhookAddress, tfjsonpath.New("headers_wo"), knownvalue.Null()),
					statecheck.ExpectKnownValue(webhookAddress, tfjsonpath.New("headers_wo_version"), knownvalue.Int64Exact(1)),
				},
				Check: resource.ComposeTestCheckFunc(hasActions, hasHeader("Bearer write-only-9c1e"), func(s *terraform.State) error {
					for _, m := range s.RootModule().Resources {
						for key, v := range m.Primary.Attributes {
							if strings.Contains(v, "write-only-9c1e") {
								return fmt.Errorf("the write-only header is in state at %s", key)
							}
						}
					}
					return nil
				}),
			},
			{
				// With the write-only twin in use, a refresh keeps the
				// server's headers out of state: the plan is empty.
				Config:   writeOnly,
				PlanOnly: true,
			},
		},
	})
}

// receivedHook is one request the test's receiver got.
type receivedHook struct {
	authorization string
	body          map[string]any
}

// startHookReceiver is a real HTTP server that records every POST.
func startHookReceiver(t *testing.T) (string, <-chan receivedHook) {
	t.Helper()
	got := make(chan receivedHook, 16)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body map[string]any
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			t.Errorf("the webhook request body is not a JSON object: %v", err)
		}
		select {
		case got <- receivedHook{authorization: r.Header.Get("Authorization"), body: body}:
		default:
		}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/hooks/label-studio", got
}

// An apply whose sync imports tasks makes Label Studio call the webhook
// with TASKS_CREATED, the new tasks and the configured header
// (label_studio/webhooks/utils.py run_webhook, emit_webhooks_for_instance).
func TestAccWebhookAnnouncesTheTasksASyncImports(t *testing.T) {
	env := testenv.Start(t, testenv.Options{})
	api := testClient(t, env)
	project := testProject(t, api)
	dir := testenv.LocalDir(t, env, "webhook-e2e")
	testenv.WriteFile(t, dir, "one.json", []byte(`{"text": "one"}`))
	testenv.WriteFile(t, dir, "two.json", []byte(`{"text": "two"}`))
	hookURL, received := startHookReceiver(t)

	config := testAccProviderConfig(env) + fmt.Sprintf(`
resource "labelstudio_webhook" "test" {
  project              = %[1]d
  url                  = %[2]q
  send_for_all_actions = false
  actions              = ["TASKS_CREATED"]
  headers              = { Authorization = %[3]q }
}

resource "labelstudio_local_import_storage" "test" {
  project      = %[1]d
  path         = %[4]s
  regex_filter = ".*\\.json$"
}

resource "labelstudio_storage_sync" "test" {
  storages = [{ kind = "localfiles", direction = "import", id = labelstudio_local_import_storage.test.id }]
  # Tasks created before the webhook exists are never announced.
  depends_on = [labelstudio_webhook.test]
}
`, project, hookURL, webhookToken, hclString(dir))

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: config,
			Check: func(*terraform.State) error {
				select {
				case hook := <-received:
					if hook.authorization != webhookToken {
						return fmt.Errorf("the webhook came with Authorization %q, want the configured header", hook.authorization)
					}
					if hook.body["action"] != "TASKS_CREATED" {
						return fmt.Errorf("the webhook's action is %v, want TASKS_CREATED", hook.body["action"])
					}
					tasks, _ := hook.body["tasks"].([]any)
					if len(tasks) != 2 {
						return fmt.Errorf("the webhook announced %d tasks, want the 2 the sync imported: %v", len(tasks), hook.body)
					}
					return nil
				case <-time.After(time.Minute):
					return fmt.Errorf("no webhook request arrived after the sync imported tasks")
				}
			},
		}},
	})
}
