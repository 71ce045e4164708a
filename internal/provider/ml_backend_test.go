package provider

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

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
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv/mlbackend"
)

const (
	mlBackendAddress = "labelstudio_ml_backend.test"
	mlUser           = "label-studio"
	mlPassword       = "model-pass-4d2e9b71"
	// mlLabelConfig is the label config the test's model gets in /setup.
	mlLabelConfig = `<View><Image name="image" value="$image"/><Choices name="weather" toName="image"><Choice value="Sunny"/><Choice value="Rainy"/></Choices></View>`
)

// Label Studio validates an update's body on its own
// (MLBackendSerializer.validate, label_studio/ml/serializers.py): every
// update that sends anything carries project, url, auth_method and the
// basic-auth pair, the password from the configuration (write-only or not).
func TestMLBackendUpdateAlwaysSendsTheConnection(t *testing.T) {
	str := func(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }
	prior := objectTypeValue(&mlBackendObject, map[string]tftypes.Value{
		"project": tftypes.NewValue(tftypes.Number, 7), "url": str("http://ml:9090"), "title": str("yolo"),
		"auth_method": str(mlAuthBasic), "basic_auth_user": str("ls"), "basic_auth_pass_wo_version": tftypes.NewValue(tftypes.Number, 1),
	})
	plan := objectTypeValue(&mlBackendObject, map[string]tftypes.Value{
		"project": tftypes.NewValue(tftypes.Number, 7), "url": str("http://ml:9090"), "title": str("yolo-v2"),
		"auth_method": str(mlAuthBasic), "basic_auth_user": str("ls"), "basic_auth_pass_wo_version": tftypes.NewValue(tftypes.Number, 1),
	})
	config := objectTypeValue(&mlBackendObject, map[string]tftypes.Value{
		"project": tftypes.NewValue(tftypes.Number, 7), "url": str("http://ml:9090"), "title": str("yolo-v2"),
		"auth_method": str(mlAuthBasic), "basic_auth_user": str("ls"), "basic_auth_pass_wo_version": tftypes.NewValue(tftypes.Number, 1),
		"basic_auth_pass_wo": str("s3cret"),
	})
	body, secrets, diags := mlBackendObject.requestBody(plan, config, prior)
	if diags.HasError() {
		t.Fatal(diags)
	}
	want := map[string]any{
		"title": "yolo-v2", "project": int64(7), "url": "http://ml:9090",
		"auth_method": mlAuthBasic, "basic_auth_user": "ls", "basic_auth_pass": "s3cret",
	}
	if !reflect.DeepEqual(body, want) {
		t.Errorf("update body %#v, want %#v", body, want)
	}
	if !reflect.DeepEqual(secrets, []string{"s3cret"}) {
		t.Errorf("the password is not among the secrets to scrub: %v", secrets)
	}
	// Nothing changed: nothing to send.
	if body, _, _ := mlBackendObject.requestBody(prior, config, prior); len(body) != 0 {
		t.Errorf("an update without changes sends %#v", body)
	}
}

// mlBackendConfig is a provider, two projects with the model's label
// config, and labelstudio_ml_backend.test with body.
func mlBackendConfig(env *testenv.Env, body string) string {
	return testAccProviderConfig(env) + fmt.Sprintf(`
resource "labelstudio_project" "test" {
  title        = "Weather"
  label_config = %[1]s
}

resource "labelstudio_project" "other" {
  title        = "Other weather"
  label_config = %[1]s
}

resource "labelstudio_ml_backend" "test" {
%[2]s
}
`, hclString(mlLabelConfig), body)
}

// checkServerMLBackend runs check on the ML backend of state, as Label
// Studio holds it.
func checkServerMLBackend(api *client.Client, check func(*client.MLBackend) error) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[mlBackendAddress]
		if !ok {
			return fmt.Errorf("%s is not in state", mlBackendAddress)
		}
		id, err := strconv.ParseInt(rs.Primary.Attributes["id"], 10, 64)
		if err != nil {
			return err
		}
		backend, err := api.GetMLBackend(context.Background(), id)
		if err != nil {
			return err
		}
		return check(backend)
	}
}

// checkModelCalledWithBasicAuth checks that the model got /health and
// /setup since its last Reset, every request under the configured basic
// auth, and /setup with the label config of the backend's project.
func checkModelCalledWithBasicAuth(api *client.Client, model *mlbackend.Backend) resource.TestCheckFunc {
	return checkServerMLBackend(api, func(backend *client.MLBackend) error {
		project, err := strconv.ParseInt(fmt.Sprint(backend.Fields["project"]), 10, 64)
		if err != nil {
			return err
		}
		p, err := api.GetProject(context.Background(), project)
		if err != nil {
			return err
		}
		wantAuth := "Basic " + base64.StdEncoding.EncodeToString([]byte(mlUser+":"+mlPassword))
		requests := model.Requests()
		if len(model.RequestsTo("/health")) == 0 || len(model.RequestsTo("/setup")) == 0 {
			return fmt.Errorf("the model got no /health or no /setup: %d requests", len(requests))
		}
		for _, r := range requests {
			if got := r.Header.Get("Authorization"); got != wantAuth {
				return fmt.Errorf("%s %s came without the configured basic auth (Authorization %q)", r.Method, r.Path, got)
			}
		}
		for _, r := range model.RequestsTo("/setup") {
			if schema := r.JSON()["schema"]; schema != p.Fields["label_config"] {
				return fmt.Errorf("/setup got schema %v, want project %d's label config", schema, project)
			}
		}
		return nil
	})
}

func TestAccMLBackend_lifecycle(t *testing.T) {
	env := testenv.Start(t, testenv.Options{})
	api := testClient(t, env)
	model := testenv.MLBackend(t, mlbackend.Config{BasicAuthUser: mlUser, BasicAuthPass: mlPassword})
	ctx := context.Background()
	var backendID int64
	sameID := statecheck.CompareValue(compare.ValuesSame())

	writeOnly := mlBackendConfig(env, fmt.Sprintf(`
  project                    = labelstudio_project.test.id
  url                        = %q
  title                      = "yolo"
  is_interactive             = true
  auth_method                = "BASIC_AUTH"
  basic_auth_user            = %q
  basic_auth_pass_wo         = %q
  basic_auth_pass_wo_version = 1
  extra_params               = jsonencode({ threshold = 0.5, classes = ["car", "bus"] })
`, model.URL(), mlUser, mlPassword))
	renamed := strings.Replace(writeOnly, `"yolo"`, `"yolo-v2"`, 1)
	otherProject := strings.Replace(renamed, "labelstudio_project.test.id", "labelstudio_project.other.id", 1)
	stateful := mlBackendConfig(env, fmt.Sprintf(`
  project         = labelstudio_project.other.id
  url             = %q
  title           = "yolo-v2"
  is_interactive  = true
  auth_method     = "BASIC_AUTH"
  basic_auth_user = %q
  basic_auth_pass = %q
  extra_params    = jsonencode({ threshold = 0.5, classes = ["car", "bus"] })
`, model.URL(), mlUser, mlPassword))

	serverTitle := func(want string) resource.TestCheckFunc {
		return checkServerMLBackend(api, func(b *client.MLBackend) error {
			if b.Fields["title"] != want {
				return fmt.Errorf("Label Studio holds title %v, want %q", b.Fields["title"], want)
			}
			return nil
		})
	}
	expect := func(action plancheck.ResourceActionType) resource.ConfigPlanChecks {
		return resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(mlBackendAddress, action)}}
	}
	noPasswordInState := checkNoSecretInState([]string{mlPassword})

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			if _, err := api.GetMLBackend(ctx, backendID); !errors.Is(err, client.ErrNotFound) {
				return fmt.Errorf("ML backend %d still exists after destroy (err=%v)", backendID, err)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				PreConfig: model.Reset,
				Config:    writeOnly,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(mlBackendAddress, tfjsonpath.New("id"), recordInt64(&backendID)),
					sameID.AddStateValue(mlBackendAddress, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(mlBackendAddress, tfjsonpath.New("state"), knownvalue.StringExact("CO")),
					statecheck.ExpectKnownValue(mlBackendAddress, tfjsonpath.New("error_message"), knownvalue.Null()),
					statecheck.ExpectKnownValue(mlBackendAddress, tfjsonpath.New("model_version"), knownvalue.StringExact(mlbackend.InitialModelVersion)),
					statecheck.ExpectKnownValue(mlBackendAddress, tfjsonpath.New("timeout"), knownvalue.Float64Exact(100)),
					statecheck.ExpectKnownValue(mlBackendAddress, tfjsonpath.New("auto_update"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(mlBackendAddress, tfjsonpath.New("description"), knownvalue.StringExact("")),
					statecheck.ExpectKnownValue(mlBackendAddress, tfjsonpath.New("extra_params"), knownvalue.StringExact(`{"classes":["car","bus"],"threshold":0.5}`)),
					statecheck.ExpectKnownValue(mlBackendAddress, tfjsonpath.New("created_at"), knownvalue.NotNull()),
					statecheck.ExpectKnownValue(mlBackendAddress, tfjsonpath.New("basic_auth_pass"), knownvalue.Null()),
					statecheck.ExpectKnownValue(mlBackendAddress, tfjsonpath.New("basic_auth_pass_wo"), knownvalue.Null()),
				},
				Check: resource.ComposeTestCheckFunc(checkModelCalledWithBasicAuth(api, model), serverTitle("yolo"), noPasswordInState),
			},
			{
				// Every read makes Label Studio call the model again, which
				// rewrites model_version, state and error_message: state
				// follows, and the plan stays empty.
				PreConfig:    func() { model.SetModelVersion("0.0.2") },
				RefreshState: true,
				Check:        resource.TestCheckResourceAttr(mlBackendAddress, "model_version", "0.0.2"),
			},
			{
				PreConfig: func() { model.SetModelVersion("0.0.3"); model.Down() },
				Config:    writeOnly,
				PlanOnly:  true,
			},
			{
				PreConfig:    func() { _ = model.Up() },
				RefreshState: true,
				Check:        resource.TestCheckResourceAttr(mlBackendAddress, "model_version", "0.0.3"),
			},
			{
				// An update Label Studio checks with the model: the PATCH
				// carries the connection, or Label Studio refuses it.
				PreConfig:        model.Reset,
				Config:           renamed,
				ConfigPlanChecks: expect(plancheck.ResourceActionUpdate),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(mlBackendAddress, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(mlBackendAddress, tfjsonpath.New("title"), knownvalue.StringExact("yolo-v2")),
					statecheck.ExpectKnownValue(mlBackendAddress, tfjsonpath.New("state"), knownvalue.StringExact("CO")),
				},
				Check: resource.ComposeTestCheckFunc(checkModelCalledWithBasicAuth(api, model), serverTitle("yolo-v2"), noPasswordInState),
			},
			{
				ResourceName:      mlBackendAddress,
				ImportState:       true,
				ImportStateVerify: true,
				// Label Studio never returns the password, so an import
				// knows nothing of how it was configured.
				ImportStateVerifyIgnore: []string{"basic_auth_pass_wo_version"},
				ImportStateCheck:        checkNoSecretInImportedState([]string{mlPassword}),
			},
			{
				// Renamed outside Terraform: the plan shows it and apply
				// puts the title back.
				PreConfig: func() {
					b, err := api.GetMLBackend(ctx, backendID)
					if err != nil {
						t.Fatal(err)
					}
					if _, err := api.UpdateMLBackend(ctx, backendID, map[string]any{
						"title": "renamed", "project": b.Fields["project"], "url": model.URL(), "auth_method": mlAuthBasic, "basic_auth_user": mlUser, "basic_auth_pass": "",
					}); err != nil {
						t.Fatal(err)
					}
				},
				Config:           renamed,
				ConfigPlanChecks: expect(plancheck.ResourceActionUpdate),
				Check:            serverTitle("yolo-v2"),
			},
			{
				// Deleted outside Terraform: created again.
				PreConfig: func() {
					if err := api.DeleteMLBackend(ctx, backendID); err != nil {
						t.Fatal(err)
					}
				},
				Config:           renamed,
				ConfigPlanChecks: expect(plancheck.ResourceActionCreate),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(mlBackendAddress, tfjsonpath.New("id"), recordInt64(&backendID)),
				},
				Check: serverTitle("yolo-v2"),
			},
			{
				// Label Studio's project is the model's: a new project
				// replaces the backend.
				PreConfig:        model.Reset,
				Config:           otherProject,
				ConfigPlanChecks: expect(plancheck.ResourceActionDestroyBeforeCreate),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(mlBackendAddress, tfjsonpath.New("id"), recordInt64(&backendID)),
				},
				Check: checkModelCalledWithBasicAuth(api, model),
			},
			{
				// The password as a sensitive attribute: sent, kept in
				// state (there only), and the re-plan is empty.
				PreConfig:        model.Reset,
				Config:           stateful,
				ConfigPlanChecks: expect(plancheck.ResourceActionUpdate),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(mlBackendAddress, tfjsonpath.New("basic_auth_pass"), knownvalue.StringExact(mlPassword)),
					statecheck.ExpectKnownValue(mlBackendAddress, tfjsonpath.New("basic_auth_pass_wo_version"), knownvalue.Null()),
				},
				Check: resource.ComposeTestCheckFunc(checkModelCalledWithBasicAuth(api, model), checkNoSecretInState([]string{mlPassword}, "basic_auth_pass")),
			},
			{
				Config:   stateful,
				PlanOnly: true,
			},
		},
	})
}

// Label Studio refuses a create or an update whose /health or /setup call
// fails (MLBackendSerializer.validate, label_studio/ml/serializers.py): the
// error is on url and says which call failed and what to check.
func TestAccMLBackendModelCallFailures(t *testing.T) {
	env := testenv.Start(t, testenv.Options{})
	api := testClient(t, env)
	model := testenv.MLBackend(t, mlbackend.Config{BasicAuthUser: mlUser, BasicAuthPass: mlPassword})
	config := func(password, title string) string {
		return mlBackendConfig(env, fmt.Sprintf(`
  project         = labelstudio_project.test.id
  url             = %q
  title           = %q
  auth_method     = "BASIC_AUTH"
  basic_auth_user = %q
  basic_auth_pass = %q
`, model.URL(), title, mlUser, password))
	}
	// onURL matches an error shown on the url line of the configuration.
	// Terraform wraps the detail: any space matches any run of spaces.
	onURL := func(summary, detail string) *regexp.Regexp {
		return regexp.MustCompile(`(?s)` + summary + `.*\d+:\s+url\s+=.*` + strings.ReplaceAll(detail, " ", `\s+`))
	}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// The model is down: /health fails.
				PreConfig:   model.Down,
				Config:      config(mlPassword, "yolo"),
				ExpectError: onURL("Cannot create the Label Studio ML backend", `could not reach the model: its health check \(GET /health on url\) failed.*not by the machine running Terraform`),
			},
			{
				// A wrong password: /health answers 401.
				PreConfig:   func() { _ = model.Up() },
				Config:      config("wrong-password", "yolo"),
				ExpectError: onURL("Cannot create the Label Studio ML backend", `refused Label Studio's credentials \(401\): check auth_method, basic_auth_user and basic_auth_pass`),
			},
			{
				// /setup fails: the model refuses the project.
				PreConfig:   func() { model.FailOn("/setup") },
				Config:      config(mlPassword, "yolo"),
				ExpectError: onURL("Cannot create the Label Studio ML backend", `its setup call \(POST /setup on url\) failed.*label config has the tags and labels the model expects`),
			},
			{
				// The refused creates left nothing behind.
				PreConfig: func() { model.FailOn() },
				Config:    config(mlPassword, "yolo"),
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr(mlBackendAddress, "state", "CO"),
					func(s *terraform.State) error {
						project, err := strconv.ParseInt(s.RootModule().Resources["labelstudio_project.test"].Primary.Attributes["id"], 10, 64)
						if err != nil {
							return err
						}
						backends, err := api.ListMLBackends(context.Background(), project)
						if err != nil || len(backends) != 1 {
							return fmt.Errorf("project %d has %d ML backends, want 1 (err=%v)", project, len(backends), err)
						}
						return nil
					},
				),
			},
			{
				// An update is checked the same way: refused, state kept.
				PreConfig:   func() { model.FailOn("/setup") },
				Config:      config(mlPassword, "yolo-v2"),
				ExpectError: onURL("Cannot update the Label Studio ML backend", `its setup call \(POST /setup on url\) failed`),
			},
			{
				// Reads never fail on the model: state shows the error,
				// and with the model healthy again the update goes through.
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr(mlBackendAddress, "state", "ER"),
					resource.TestMatchResourceAttr(mlBackendAddress, "error_message", regexp.MustCompile(`500 Server Error`)),
					resource.TestCheckResourceAttr(mlBackendAddress, "title", "yolo"),
				),
			},
			{
				PreConfig: func() { model.FailOn() },
				Config:    config(mlPassword, "yolo-v2"),
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr(mlBackendAddress, "state", "CO"),
					resource.TestCheckNoResourceAttr(mlBackendAddress, "error_message"),
				),
			},
		},
	})
}
