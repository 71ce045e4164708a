package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv"
)

// proxyExample is the documentation's example of a provider block for a
// Label Studio behind an authenticating proxy.
const proxyExample = "../../examples/provider/behind-a-proxy/provider.tf"

// proxyCLIConfig is the provider block of proxyExample (without the lines
// that mention omit, when it is not empty), a project and a local import
// storage.
func proxyCLIConfig(t *testing.T, documentDir, omit string) string {
	t.Helper()
	example, err := os.ReadFile(proxyExample)
	if err != nil {
		t.Fatalf("read the example: %v", err)
	}
	var b strings.Builder
	b.WriteString(`terraform {
  required_providers {
    labelstudio = {
      source = "labelstudio-tf/labelstudio"
    }
  }
}
`)
	for _, line := range strings.SplitAfter(string(example), "\n") {
		if omit == "" || !strings.Contains(line, omit) {
			b.WriteString(line)
		}
	}
	fmt.Fprintf(&b, `
resource "labelstudio_project" "behind_proxy" {
  title = "behind an authenticating proxy"
}

resource "labelstudio_%s" "behind_proxy" {
  project = labelstudio_project.behind_proxy.id
  path    = %s
}
`, storageTypeName(kindByTypeName("local"), client.Import), hclString(documentDir))
	return b.String()
}

// testCLIAuthenticatingProxy puts the stand-in behind a reverse proxy that
// refuses requests without its service token and takes Authorization for
// itself, then plans and applies a project and a local import storage
// through it with the example's headers and api_key_header = "X-Api-Key", a personal
// access token refreshed through the proxy as well. Without one of the
// proxy's headers the plan fails saying a proxy refused it. No header value
// reaches the output, the TRACE log or the state.
func testCLIAuthenticatingProxy(t *testing.T, terraformPath, cliConfig string) {
	env := testenv.Start(t, testenv.Options{UsePAT: true})
	if env.Real {
		t.Skip("the proxy is put in front of the stand-in")
	}
	credentials := map[string]string{
		"CF-Access-Client-Id":     "cfClientId5Tx8Hb3Nv1.access",
		"CF-Access-Client-Secret": "cfClientSecret6Pk2Jd9Gs4",
	}
	proxy := testenv.StartAuthProxy(t, env.URL, credentials)
	documentDir := testenv.LocalDir(t, env, "behind-proxy")
	testenv.WriteTaskFiles(t, documentDir, 1, 2)

	w := newCLIWorkdir(t, terraformPath, cliConfig, env)
	logPath := filepath.Join(w.dir, "trace.log")
	w.env = append(w.env,
		"LABEL_STUDIO_URL="+proxy.URL,
		"TF_LOG=TRACE", "TF_LOG_PATH="+logPath,
		"TF_VAR_cf_access_client_id="+credentials["CF-Access-Client-Id"],
		"TF_VAR_cf_access_client_secret="+credentials["CF-Access-Client-Secret"],
	)
	needles := secretNeedles(credentials["CF-Access-Client-Id"], credentials["CF-Access-Client-Secret"])
	check := func(step, output string) {
		t.Helper()
		logText, err := os.ReadFile(logPath)
		if err != nil {
			t.Fatalf("%s: read the TRACE log: %v", step, err)
		}
		if err := os.Remove(logPath); err != nil { // Terraform appends
			t.Fatalf("%s: remove the TRACE log: %v", step, err)
		}
		var stateText []byte
		for _, name := range []string{"terraform.tfstate", "terraform.tfstate.backup"} {
			if data, err := os.ReadFile(filepath.Join(w.dir, name)); err == nil {
				stateText = append(stateText, data...)
			}
		}
		for what, text := range map[string]string{"output": output, "TRACE log": string(logText), "state": string(stateText)} {
			if i, found := findSecret(text, needles); found {
				t.Errorf("%s: the %s holds part #%d of a header value", step, what, i)
			}
		}
	}

	// No init: the dev_overrides of the CLI configuration need none.
	w.writeFile("main.tf", proxyCLIConfig(t, documentDir, ""))
	output := w.run(0, "plan")
	expectOutput(t, output, "Plan: 2 to add, 0 to change, 0 to destroy.")
	check("plan", output)
	output = w.run(0, "apply", "-auto-approve")
	expectOutput(t, output, "Apply complete! Resources: 2 added, 0 changed, 0 destroyed.")
	check("apply", output)
	check("re-plan", w.run(planNoChanges, "plan", "-detailed-exitcode"))

	// What the server holds, read past the proxy.
	c := testClient(t, env)
	project := w.stateID("labelstudio_project", "behind_proxy")
	if _, err := c.GetProject(t.Context(), project); err != nil {
		t.Fatalf("the project applied through the proxy: %v", err)
	}
	storages, err := c.ListStorages(t.Context(), "localfiles", client.Import, project)
	if err != nil || len(storages) != 1 || storages[0].Fields["path"] != documentDir {
		t.Fatalf("the local import storage applied through the proxy: %v, %+v", err, storages)
	}

	refreshed := false
	for _, r := range proxy.Requests() {
		if r.Refused {
			t.Errorf("the proxy refused %s %s", r.Method, r.Path)
		}
		if strings.HasPrefix(r.Path, "/api/token/refresh") {
			refreshed = true
		} else if !r.XAPIKey {
			t.Errorf("%s %s reached the proxy without X-Api-Key", r.Method, r.Path)
		}
	}
	if !refreshed {
		t.Error("the personal access token was never refreshed through the proxy")
	}

	// Without the service token's secret the proxy refuses, and the error
	// says so rather than blaming the API key.
	w.writeFile("main.tf", proxyCLIConfig(t, documentDir, "CF-Access-Client-Secret"))
	output = w.run(1, "plan")
	for _, want := range []string{
		"A proxy in front of Label Studio refused the request",
		"answered 401, not in Label Studio's error format",
		"CF-Access-Client-Id and CF-Access-Client-Secret",
		`api_key_header = "X-Api-Key"`,
	} {
		if !wrappedText(want).MatchString(output) {
			t.Errorf("without the proxy's secret, the plan output lacks %q:\n%s", want, output)
		}
	}
	if strings.Contains(output, "rejected the API key") {
		t.Errorf("without the proxy's secret, the plan blames the API key:\n%s", output)
	}
	check("refused plan", output)

	w.writeFile("main.tf", proxyCLIConfig(t, documentDir, ""))
	check("destroy", w.run(0, "destroy", "-auto-approve"))
}
