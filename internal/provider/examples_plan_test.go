package provider

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv"
)

// The documentation examples are planned with the terraform CLI against the
// stand-in, so none of them can drift from the schemas: every resource
// example in one configuration (which also proves that their names do not
// collide), every import block, every data source, and the action.

var (
	exampleVariable = regexp.MustCompile(`(?m)^variable "([a-z0-9_]+)"`)
	exampleFile     = regexp.MustCompile(`file\("\$\{path\.module\}/([^"]+)"\)`)
	exampleResource = regexp.MustCompile(`(?m)^resource "([a-z0-9_]+)" "([a-z0-9_]+)"`)
	exampleImportTo = regexp.MustCompile(`(?m)^\s*to\s*=\s*([a-z0-9_]+)\.([a-z0-9_]+)`)
	exampleImportID = regexp.MustCompile(`(?m)^(\s*id\s*=\s*)"42"`)
	exampleDataID   = regexp.MustCompile(`(?m)^(\s*id\s*=\s*)42\b`)
)

// minActionsVersion is the first Terraform release with actions.
var minActionsVersion = [3]int{1, 14, 0}

func TestExamplesPlan(t *testing.T) {
	terraformPath, cliConfig := cliPrerequisites(t)
	env := testenv.Start(t, testenv.Options{Edition: "enterprise"})
	resources := readExamples(t, "resources/*/resource.tf")

	t.Run("Resources", func(t *testing.T) {
		w := newExampleWorkdir(t, terraformPath, cliConfig, env, resources)
		out := w.run(planChanges, "plan", "-detailed-exitcode")
		expectCreates(t, out, resources)
	})

	t.Run("ImportBlocks", func(t *testing.T) {
		c := testClient(t, env)
		for _, file := range exampleFiles(t, "resources/*/import-by-string-id.tf") {
			t.Run(filepath.Base(filepath.Dir(file)), func(t *testing.T) {
				example := readExample(t, file)
				to := exampleImportTo.FindStringSubmatch(example)
				if to == nil {
					t.Fatalf("%s: no import block with a `to` address", file)
				}
				address := to[1] + "." + to[2]
				files := resourcesFor(t, resources, to[1])
				if to[1] == "labelstudio_project" {
					// A project can be made without a storage server: import
					// a real one, planned without error.
					id := testProject(t, c)
					files[file] = exampleImportID.ReplaceAllString(example, fmt.Sprintf(`${1}"%d"`, id))
					w := newExampleWorkdir(t, terraformPath, cliConfig, env, files)
					out := w.run(planChanges, "plan", "-detailed-exitcode")
					expectOutput(t, out, "# "+address+" will be updated in-place", "(imported from \""+strconv.FormatInt(id, 10)+"\")")
					return
				}
				// Storages need their storage server; the example's ID does
				// not exist in the stand-in, so Terraform must get as far as
				// reading it by that ID and reporting it missing.
				files[file] = example
				w := newExampleWorkdir(t, terraformPath, cliConfig, env, files)
				out := w.run(1, "plan")
				expectOutput(t, out, "Cannot import non-existent remote object", address)
			})
		}
	})

	t.Run("DataSources", func(t *testing.T) {
		c := testClient(t, env)
		project, err := c.CreateProject(t.Context(), map[string]any{"title": "Street scenes"})
		if err != nil {
			t.Fatalf("create the project the examples look up: %v", err)
		}
		t.Cleanup(func() { _ = c.DeleteProject(t.Context(), project.ID) })
		for _, file := range exampleFiles(t, "data-sources/*/data-source.tf") {
			t.Run(filepath.Base(filepath.Dir(file)), func(t *testing.T) {
				example := exampleDataID.ReplaceAllString(readExample(t, file), fmt.Sprintf("${1}%d", project.ID))
				w := newExampleWorkdir(t, terraformPath, cliConfig, env, map[string]string{file: example})
				if strings.Contains(file, "labelstudio_s3_storage_preview") {
					// The preview reads its bucket from the machine that runs
					// Terraform, at plan time, with the AWS credential chain: the
					// example's bucket is not there. TestAccS3Preview* plan it
					// against MinIO and versitygw; here it must be valid.
					expectOutput(t, w.run(0, "validate"), "The configuration is valid")
					return
				}
				out := w.run(planChanges, "plan", "-detailed-exitcode")
				expectOutput(t, out, "Changes to Outputs:")
				// The dev_overrides warning is the only one allowed.
				if strings.Count(out, "Warning:") > strings.Count(out, "Warning: Provider development overrides") || strings.Contains(out, "Error:") {
					t.Errorf("the plan has diagnostics:\n%s", out)
				}
			})
		}
	})

	t.Run("Action", func(t *testing.T) {
		actionCLI := actionsCapableCLI(t, terraformPath)
		files := map[string]string{}
		for name, content := range resources {
			files[name] = content
		}
		actions := readExamples(t, "actions/*/action.tf")
		for name, content := range actions {
			files[name] = content
		}
		w := newExampleWorkdir(t, actionCLI, cliConfig, env, files)
		out := w.run(planChanges, "plan", "-detailed-exitcode")
		expectCreates(t, out, actions)
		expectOutput(t, out, "action.labelstudio_storage_sync.refresh")
	})
}

// actionsCapableCLI is a terraform CLI with actions: TF_ACC_TERRAFORM_PATH
// when it is recent enough, else LSTEST_TERRAFORM_ACTIONS_PATH. Without
// either the test is skipped with what to set.
func actionsCapableCLI(t *testing.T, terraformPath string) string {
	t.Helper()
	candidates := []string{terraformPath}
	if p := os.Getenv("LSTEST_TERRAFORM_ACTIONS_PATH"); p != "" {
		candidates = append(candidates, p)
	}
	var seen []string
	for _, path := range candidates {
		v := cliVersion(t, path)
		if !versionBefore(v, minActionsVersion) {
			return path
		}
		seen = append(seen, fmt.Sprintf("%s is %d.%d.%d", path, v[0], v[1], v[2]))
	}
	t.Skipf("the action example needs Terraform >= 1.14 (%s); set LSTEST_TERRAFORM_ACTIONS_PATH or TF_ACC_TERRAFORM_PATH to such a CLI", strings.Join(seen, ", "))
	return ""
}

// cliVersion is the version a terraform (or tofu) binary reports.
func cliVersion(t *testing.T, path string) [3]int {
	t.Helper()
	cmd := exec.Command(path, "version", "-json")
	cmd.Env = append(os.Environ(), "CHECKPOINT_DISABLE=1", "TF_CLI_CONFIG_FILE=/dev/null")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s version -json: %v", path, err)
	}
	var info struct {
		Version string `json:"terraform_version"`
	}
	if err := json.Unmarshal(out, &info); err != nil {
		t.Fatalf("%s version -json: %v", path, err)
	}
	v, ok := parseVersion(info.Version)
	if !ok {
		t.Fatalf("%s reports version %q", path, info.Version)
	}
	return v
}

// readExamples reads the example files matching a glob below examples/,
// keyed by their path there.
func readExamples(t *testing.T, pattern string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, file := range exampleFiles(t, pattern) {
		out[file] = readExample(t, file)
	}
	return out
}

func exampleFiles(t *testing.T, pattern string) []string {
	t.Helper()
	matches, err := filepath.Glob(filepath.Join("..", "..", "examples", pattern))
	if err != nil || len(matches) == 0 {
		t.Fatalf("no examples match %s (%v)", pattern, err)
	}
	files := make([]string, 0, len(matches))
	for _, m := range matches {
		rel, err := filepath.Rel(filepath.Join("..", "..", "examples"), m)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, rel)
	}
	sort.Strings(files)
	return files
}

func readExample(t *testing.T, file string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "examples", file))
	if err != nil {
		t.Fatalf("read example: %v", err)
	}
	return string(data)
}

// resourcesFor is the resource example of a type and the project example
// that storage examples refer to.
func resourcesFor(t *testing.T, resources map[string]string, typeName string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, name := range []string{"labelstudio_project", typeName} {
		file := filepath.Join("resources", name, "resource.tf")
		content, ok := resources[file]
		if !ok {
			t.Fatalf("no example %s", file)
		}
		out[file] = content
	}
	return out
}

// newExampleWorkdir lays the example files side by side in one working
// directory with the provider example (whose provider block reads
// LABEL_STUDIO_URL and LABEL_STUDIO_API_KEY), gives every declared variable
// a value and every file(...) a stand-in file.
func newExampleWorkdir(t *testing.T, terraformPath, cliConfig string, env *testenv.Env, files map[string]string) *cliWorkdir {
	t.Helper()
	w := newCLIWorkdir(t, terraformPath, cliConfig, env)
	w.writeFile("provider.tf", readExample(t, filepath.Join("provider", "provider.tf")))
	for name, content := range files {
		w.writeFile(strings.ReplaceAll(filepath.ToSlash(name), "/", "__"), content)
		for _, m := range exampleVariable.FindAllStringSubmatch(content, -1) {
			w.env = append(w.env, "TF_VAR_"+m[1]+"=example-"+m[1])
		}
		for _, m := range exampleFile.FindAllStringSubmatch(content, -1) {
			w.writeFile(m[1], `{"type": "service_account"}`) // a service-account key is JSON
		}
	}
	return w
}

// expectCreates fails unless the plan creates every resource the files declare.
func expectCreates(t *testing.T, out string, files map[string]string) {
	t.Helper()
	for _, content := range files {
		for _, m := range exampleResource.FindAllStringSubmatch(content, -1) {
			expectOutput(t, out, fmt.Sprintf("# %s.%s will be created", m[1], m[2]))
		}
	}
}
