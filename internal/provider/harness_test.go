package provider

// The harness of the provider's tests: how a test is skipped, which CLI it
// drives, how the provider is served or built for it, and the HCL builders
// the tests share. Every test of this package gets these from here.

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv"
)

// testAccProtoV6ProviderFactories runs the provider in process for
// terraform-plugin-testing; every acceptance and UnitTest-style test uses it.
var testAccProtoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"labelstudio": NewProtocol6Server("test"),
}

// TestMain points terraform-plugin-testing at the terraform CLI on PATH when
// TF_ACC_TERRAFORM_PATH is unset, and gives Terraform an empty CLI
// configuration when the configured one does not exist (it warns otherwise).
func TestMain(m *testing.M) {
	if os.Getenv("TF_ACC_TERRAFORM_PATH") == "" {
		if tf, err := exec.LookPath("terraform"); err == nil {
			_ = os.Setenv("TF_ACC_TERRAFORM_PATH", tf)
		} else if os.Getenv("TF_ACC") != "" {
			fmt.Fprintln(os.Stderr, "acceptance tests need the terraform CLI (>= 1.11) on PATH or in TF_ACC_TERRAFORM_PATH")
			os.Exit(1)
		}
	}
	if cfg := os.Getenv("TF_CLI_CONFIG_FILE"); cfg != "" {
		if _, err := os.Stat(cfg); err != nil {
			_ = os.Setenv("TF_CLI_CONFIG_FILE", os.DevNull)
		}
	}
	_ = os.Setenv("CHECKPOINT_DISABLE", "1")
	os.Exit(m.Run())
}

// skipUnlessAcc skips an acceptance test (one that drives a CLI or a Label
// Studio) unless TF_ACC is set, as terraform-plugin-testing's resource.Test
// does.
func skipUnlessAcc(t *testing.T) {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1")
	}
}

// cliPrerequisites skips without TF_ACC, and returns the terraform CLI under
// test and a CLI configuration that uses the provider built from this tree.
func cliPrerequisites(t *testing.T) (terraformPath, cliConfig string) {
	t.Helper()
	skipUnlessAcc(t)
	return cliUnderTest(t), buildProviderForCLI(t)
}

// cliUnderTest is the terraform (or tofu) CLI the acceptance tests drive:
// TF_ACC_TERRAFORM_PATH, which TestMain sets from PATH when it is unset.
func cliUnderTest(t *testing.T) string {
	t.Helper()
	p := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if p == "" {
		t.Fatal("the terraform CLI is neither on PATH nor in TF_ACC_TERRAFORM_PATH")
	}
	return p
}

// buildProviderForCLI builds the provider binary into a temporary directory
// and returns a CLI configuration whose dev_overrides use it.
func buildProviderForCLI(t *testing.T) string {
	t.Helper()
	repoRoot, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatalf("repository root: %v", err)
	}
	binDir := t.TempDir()
	build := exec.Command("go", "build", "-o", filepath.Join(binDir, "terraform-provider-labelstudio"), ".")
	build.Dir = repoRoot
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build the provider: %v\n%s", err, out)
	}
	cliConfig := filepath.Join(binDir, "terraformrc")
	content := fmt.Sprintf(`provider_installation {
  dev_overrides {
    "labelstudio-tf/labelstudio" = %s
  }
  direct {}
}
`, hclString(binDir))
	if err := os.WriteFile(cliConfig, []byte(content), 0o600); err != nil {
		t.Fatalf("write the CLI configuration: %v", err)
	}
	return cliConfig
}

// testClient is an API client for test setup and server-side assertions.
func testClient(t *testing.T, env *testenv.Env) *client.Client {
	t.Helper()
	return env.Client(t, client.Config{MaxRetries: 2})
}

// testProject creates a project for the test and deletes it afterwards.
func testProject(t *testing.T, c *client.Client) int64 {
	t.Helper()
	p, err := c.CreateProject(t.Context(), map[string]any{"title": "storage acceptance test"})
	if err != nil {
		t.Fatalf("create project: %v", err)
	}
	t.Cleanup(func() {
		if err := c.DeleteProject(context.Background(), p.ID); err != nil && !errors.Is(err, client.ErrNotFound) {
			t.Errorf("delete project %d: %v", p.ID, err)
		}
	})
	return p.ID
}

// providerBlock renders the provider block, the one renderer of it; an
// empty url or api key is left out (the provider then reads the
// environment), and settings are extra HCL lines such as `max_retries = 0`.
func providerBlock(baseURL, apiKey string, settings ...string) string {
	var b strings.Builder
	b.WriteString("provider \"labelstudio\" {\n")
	if baseURL != "" {
		fmt.Fprintf(&b, "  url     = %s\n", hclString(baseURL))
	}
	if apiKey != "" {
		fmt.Fprintf(&b, "  api_key = %s\n", hclString(apiKey))
	}
	for _, s := range settings {
		b.WriteString("  " + s + "\n")
	}
	b.WriteString("}\n")
	return b.String()
}

// testAccProviderConfig is the provider block for a test environment, with
// extra settings as in providerBlock.
func testAccProviderConfig(env *testenv.Env, settings ...string) string {
	return providerBlock(env.URL, env.APIKey, settings...)
}

// offlineProvider is the provider block of tests that end at plan-time
// validation: its server is never called.
var offlineProvider = "\n" + providerBlock("http://127.0.0.1:1", "unused")

// hclString is s as an HCL string literal; template sequences are escaped so
// that the value is taken literally.
func hclString(s string) string {
	quoted := strconv.Quote(s)
	quoted = strings.ReplaceAll(quoted, "${", "$${")
	return strings.ReplaceAll(quoted, "%{", "%%{")
}

// resourceBlock renders one resource; attrs are HCL expressions by
// attribute name (hclString for literals), written in name order.
func resourceBlock(typeName, name string, attrs map[string]string) string {
	names := make([]string, 0, len(attrs))
	for attr := range attrs {
		names = append(names, attr)
	}
	sort.Strings(names)
	var b strings.Builder
	fmt.Fprintf(&b, "\nresource %q %q {\n", typeName, name)
	for _, attr := range names {
		fmt.Fprintf(&b, "  %s = %s\n", attr, attrs[attr])
	}
	b.WriteString("}\n")
	return b.String()
}

// storageConfig renders the provider (with extra settings as in
// providerBlock) and one storage resource named test.
func storageConfig(env *testenv.Env, typeName string, attrs map[string]string, providerSettings ...string) string {
	return testAccProviderConfig(env, providerSettings...) + resourceBlock(typeName, "test", attrs)
}

// withAttrs is base with extra added or replaced.
func withAttrs(base map[string]string, extra map[string]string) map[string]string {
	out := make(map[string]string, len(base)+len(extra))
	for k, v := range base {
		out[k] = v
	}
	for k, v := range extra {
		out[k] = v
	}
	return out
}

// localStorageBlock is a local-files storage of the direction; project is
// an HCL expression (an id or a reference).
func localStorageBlock(dir client.Direction, name, project, path string) string {
	return resourceBlock(fmt.Sprintf("labelstudio_local_%s_storage", dir), name, map[string]string{"project": project, "path": hclString(path)})
}

// projectsConfig declares one project per title, named test, test_1, ...
func projectsConfig(titles ...string) string {
	var b strings.Builder
	for i, title := range titles {
		name := "test"
		if i > 0 {
			name = fmt.Sprintf("test_%d", i)
		}
		b.WriteString(resourceBlock("labelstudio_project", name, map[string]string{"title": hclString(title)}))
	}
	return b.String()
}
