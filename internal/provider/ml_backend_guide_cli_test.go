package provider

import (
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv/mlbackend"
)

const connectAModelExample = "../../examples/guides/connect-a-model/main.tf"

// The guide "Connect a model", end to end with the terraform CLI: its
// example, unchanged, applied against the stand-in, a real model server
// behind basic auth and MinIO. The model saw /setup with the project's label
// config under the configured credentials, the sync imported the bucket's
// images, Label Studio created no second webhook, the model's webhook
// delivers annotations, the re-plan is empty although every read rewrote
// the backend, and the password is in no output, state or TRACE log.
func TestCLIConnectAModelGuide(t *testing.T) {
	terraformPath, cliConfig := cliPrerequisites(t)
	env := testenv.Start(t, testenv.Options{})
	c := testClient(t, env)
	model := testenv.MLBackend(t, mlbackend.Config{BasicAuthUser: "label-studio", BasicAuthPass: mlPassword})
	s3 := testenv.S3(t)
	bucket := s3.NewBucket(t)
	for _, key := range []string{"images/0001.jpg", "images/0002.jpg", "images/notes.txt"} {
		s3.Put(t, bucket, key, []byte("not really an image"))
	}
	example, err := os.ReadFile(connectAModelExample)
	if err != nil {
		t.Fatal(err)
	}

	w := newCLIWorkdir(t, terraformPath, cliConfig, env)
	w.writeFile("main.tf", string(example))
	logPath := filepath.Join(t.TempDir(), "trace.log")
	w.env = append(w.env,
		"TF_VAR_model_url="+model.URL(), "TF_VAR_model_password="+mlPassword,
		"TF_VAR_bucket="+bucket, "TF_VAR_region="+s3.Region, "TF_VAR_s3_endpoint="+s3.Endpoint,
		"TF_VAR_aws_access_key_id="+s3.AccessKey, "TF_VAR_aws_secret_access_key="+s3.SecretKey,
		"TF_LOG=TRACE", "TF_LOG_PATH="+logPath)
	secrets := []string{mlPassword, s3.SecretKey}

	out := w.run(0, "apply", "-auto-approve")
	expectOutput(t, out, "Apply complete! Resources: 5 added", `model_state = "CO"`)
	rejectSecrets(t, "terraform apply", out, secrets)

	ctx := context.Background()
	project := w.stateID("labelstudio_project", "scenes")
	p, err := c.GetProject(ctx, project)
	if err != nil {
		t.Fatal(err)
	}
	wantAuth := "Basic " + base64.StdEncoding.EncodeToString([]byte("label-studio:"+mlPassword))
	setups := model.RequestsTo("/setup")
	if len(setups) == 0 {
		t.Fatal("the model never got /setup")
	}
	for _, r := range model.Requests() {
		if r.Header.Get("Authorization") != wantAuth {
			t.Errorf("%s %s came without the configured basic auth", r.Method, r.Path)
		}
	}
	for _, r := range setups {
		if got := r.JSON()["schema"]; got != p.Fields["label_config"] {
			t.Errorf("/setup got schema %v, want the project's label config %v", got, p.Fields["label_config"])
		}
		if params, _ := r.JSON()["extra_params"].(map[string]any); params["confidence_threshold"] != 0.4 {
			t.Errorf("/setup got extra_params %v", r.JSON()["extra_params"])
		}
	}
	if p.Fields["model_version"] != "detector" {
		t.Errorf("the project's model_version is %v, want the backend's title", p.Fields["model_version"])
	}

	tasks, err := testenv.ListTasks(ctx, c, project)
	if err != nil {
		t.Fatal(err)
	}
	if len(tasks) != 2 {
		t.Fatalf("the sync made %d tasks, want one per .jpg", len(tasks))
	}
	hooks, err := c.ListWebhooks(ctx, project)
	if err != nil {
		t.Fatal(err)
	}
	if len(hooks) != 1 || hooks[0].Fields["url"] != model.URL()+"/webhook" {
		t.Errorf("the project has webhooks %v, want only the declared %s/webhook", hooks, model.URL())
	}

	// The model trains from the declared webhook.
	model.Reset()
	env.CreateAnnotation(t, tasks[0].ID, []any{})
	if got := model.RequestsTo("/webhook"); len(got) != 1 || got[0].JSON()["action"] != "ANNOTATION_CREATED" || got[0].Header.Get("Authorization") != wantAuth {
		t.Errorf("the model's /webhook got %d requests, want one ANNOTATION_CREATED with the basic auth", len(got))
	}
	hooks, err = c.ListWebhooks(ctx, project)
	if err != nil || len(hooks) != 1 || fmt.Sprint(hooks[0].Fields["consecutive_failures"]) != "0" {
		t.Errorf("the model's webhook counts failed deliveries: %v (err=%v)", hooks, err)
	}

	// Every read makes Label Studio call the model and rewrite the
	// backend (here a new model version): nothing to change.
	model.SetModelVersion("0.0.2")
	out = w.run(planNoChanges, "plan", "-detailed-exitcode")
	expectOutput(t, out, "No changes.")
	rejectSecrets(t, "terraform plan", out, secrets)

	out = w.run(0, "destroy", "-auto-approve")
	expectOutput(t, out, "Destroy complete! Resources: 5 destroyed.")
	for what, text := range map[string]string{"terraform destroy": out, "terraform.tfstate": w.readFile("terraform.tfstate"), "terraform.tfstate.backup": w.readFile("terraform.tfstate.backup")} {
		rejectSecrets(t, what, text, secrets)
	}
	trace, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(trace), "labelstudio_ml_backend") {
		t.Fatalf("the TRACE log has no trace of the ML backend: %d bytes", len(trace))
	}
	rejectSecrets(t, "the TRACE log", string(trace), secrets)
}
