package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv"
)

// Webhook headers are secrets that Label Studio returns in clear: their
// values never reach the CLI's output or the TRACE log, also when the
// server repeats the request body in an error (the stand-in's echo fault),
// and the write-only headers_wo never reach state.
func TestCLIWebhookSecrets(t *testing.T) {
	terraformPath, cliConfig := cliPrerequisites(t)
	env := testenv.Start(t, testenv.Options{})
	dev := env.Dev(t)
	project := testProject(t, testClient(t, env))
	const stateful, writeOnly = "hdr-stateful-5d1c0b", "hdr-write-only-8e2f4a"

	w := newCLIWorkdir(t, terraformPath, cliConfig, env)
	logPath := filepath.Join(w.dir, "trace.log")
	w.env = append(w.env, "TF_LOG=TRACE", "TF_LOG_PATH="+logPath, "TF_VAR_token="+writeOnly)
	w.run(0, "init")
	config := func(url, headers string) string {
		return cliTerraformBlock + fmt.Sprintf(`
variable "token" {
  type      = string
  sensitive = true
}

resource "labelstudio_webhook" "test" {
  project = %d
  url     = %q
%s
}
`, project, url, headers)
	}
	withHeaders := fmt.Sprintf("  headers = { Authorization = \"Bearer %s\" }", stateful)
	withWriteOnly := "  headers_wo = { Authorization = \"Bearer ${var.token}\" }\n  headers_wo_version = 1"

	// check scans the output and the TRACE log of one step, and the state
	// for the write-only value.
	check := func(step, output string, needles ...string) {
		t.Helper()
		logText, err := os.ReadFile(logPath)
		if err != nil {
			t.Fatalf("%s: read the TRACE log: %v", step, err)
		}
		if err := os.Remove(logPath); err != nil {
			t.Fatal(err)
		}
		state, _ := os.ReadFile(filepath.Join(w.dir, "terraform.tfstate"))
		for what, text := range map[string]string{"output": output, "TRACE log": string(logText)} {
			if i, found := findSecret(text, needles); found {
				t.Errorf("%s: the %s holds header value #%d", step, what, i)
			}
		}
		if _, found := findSecret(string(state), []string{writeOnly}); found {
			t.Errorf("%s: the state holds the write-only header", step)
		}
	}
	failing := func(step string, fault testenv.Fault, cfg string, needles ...string) {
		t.Helper()
		dev.ClearFaults(t)
		dev.AddFault(t, fault)
		w.writeFile("main.tf", cfg)
		output := w.run(1, "apply", "-auto-approve")
		if !wrappedText("Cannot process the request body").MatchString(output) {
			t.Errorf("%s: the echoed body never reached the output, so nothing was tested:\n%s", step, output)
		}
		check(step, output, needles...)
		dev.ClearFaults(t)
	}

	failing("create", testenv.Fault{Method: "POST", Path: "^/api/webhooks/$", Mode: "echo"}, config("https://hooks.example.com/a", withHeaders), stateful)
	w.writeFile("main.tf", config("https://hooks.example.com/a", withHeaders))
	check("create", w.run(0, "apply", "-auto-approve"), stateful)
	check("refresh", w.run(0, "plan", "-detailed-exitcode"), stateful)
	failing("update", testenv.Fault{Method: "PATCH", Path: "^/api/webhooks/[0-9]+/$", Mode: "echo"}, config("https://hooks.example.com/b", withHeaders), stateful)
	failing("write-only update", testenv.Fault{Method: "PATCH", Path: "^/api/webhooks/[0-9]+/$", Mode: "echo"}, config("https://hooks.example.com/b", withWriteOnly), stateful, writeOnly)
	w.writeFile("main.tf", config("https://hooks.example.com/b", withWriteOnly))
	check("write-only apply", w.run(0, "apply", "-auto-approve"), stateful, writeOnly)
	check("write-only refresh", w.run(0, "plan", "-detailed-exitcode"), stateful, writeOnly)
	check("destroy", w.run(0, "destroy", "-auto-approve"), stateful, writeOnly)
}
