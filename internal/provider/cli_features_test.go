package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/devserver"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv"
)

// The tests in this file drive the CLI under test (TF_ACC_TERRAFORM_PATH:
// the terraform on PATH, Terraform 1.16 or OpenTofu, see scripts/test.sh)
// through what only newer CLIs have: import by resource identity, list
// resources with `terraform query`, and actions. A scenario the CLI cannot
// run is skipped with the reason; `make test` runs every CLI, so each
// scenario runs on at least one.

// cliFeatures is what the CLI under test supports, from its version banner
// and what each release was seen to do.
type cliFeatures struct {
	banner string // first line of `terraform version`, e.g. "Terraform v1.16.4"
	// identityImport: `import { identity = {...} }` (Terraform and OpenTofu 1.12+).
	identityImport bool
	// query: list blocks and `terraform query` (Terraform 1.14+).
	query bool
	// actions: action blocks, action_trigger and -invoke (Terraform 1.14+).
	actions bool
}

var cliBanner = regexp.MustCompile(`^(Terraform|OpenTofu) v(\d+)\.(\d+)\.(\d+)`)

func detectCLIFeatures(t *testing.T, path string) cliFeatures {
	t.Helper()
	cmd := exec.Command(path, "version")
	cmd.Env = append(os.Environ(), "CHECKPOINT_DISABLE=1")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s version: %v", path, err)
	}
	banner, _, _ := strings.Cut(string(out), "\n")
	m := cliBanner.FindStringSubmatch(banner)
	if m == nil {
		t.Fatalf("%s version printed %q, not a Terraform or OpenTofu version", path, banner)
	}
	major, _ := strconv.Atoi(m[2])
	minor, _ := strconv.Atoi(m[3])
	atLeast := func(wantMinor int) bool { return major > 1 || (major == 1 && minor >= wantMinor) }
	terraform := m[1] == "Terraform"
	return cliFeatures{
		banner: banner,
		// OpenTofu 1.12 imports by identity too, but has neither list
		// resources nor actions (it rejects `action` blocks).
		identityImport: atLeast(12),
		query:          terraform && atLeast(14),
		actions:        terraform && atLeast(14),
	}
}

func (f cliFeatures) require(t *testing.T, supported bool, feature string) {
	t.Helper()
	if !supported {
		t.Skipf("%s has no %s; make test runs this on Terraform 1.16", f.banner, feature)
	}
}

// TestCLIFeatures builds the provider once and runs every scenario on the
// CLI under test.
func TestCLIFeatures(t *testing.T) {
	skipUnlessAcc(t)
	terraformPath := os.Getenv("TF_ACC_TERRAFORM_PATH") // set by TestMain from PATH
	if terraformPath == "" {
		t.Fatal("the terraform CLI is neither on PATH nor in TF_ACC_TERRAFORM_PATH")
	}
	features := detectCLIFeatures(t, terraformPath)
	t.Logf("CLI under test: %s", features.banner)
	cliConfig := buildProviderForCLI(t)

	t.Run("ImportByID", func(t *testing.T) { testCLIImportByID(t, terraformPath, cliConfig, features) })
	t.Run("ImportByIdentity", func(t *testing.T) {
		features.require(t, features.identityImport, "import by identity")
		testCLIImportByIdentity(t, terraformPath, cliConfig)
	})
	t.Run("StateWithoutIdentity", func(t *testing.T) {
		features.require(t, features.identityImport, "resource identity")
		testCLIStateWithoutIdentity(t, terraformPath, cliConfig)
	})
	t.Run("Query", func(t *testing.T) {
		features.require(t, features.query, "terraform query")
		testCLIQuery(t, terraformPath, cliConfig)
	})
	t.Run("Action", func(t *testing.T) {
		features.require(t, features.actions, "actions")
		testCLIAction(t, terraformPath, cliConfig)
	})
	t.Run("AdoptionGuide", func(t *testing.T) {
		features.require(t, features.query, "terraform query")
		testCLIAdoptionGuide(t, terraformPath, cliConfig)
	})
}

// adoptedProject is a project with a local import storage made outside
// Terraform, and the configuration that describes them.
type adoptedProject struct {
	project, storage int64
	config           string
}

func createAdoptedProject(t *testing.T, env *testenv.Env, c *client.Client, title string) adoptedProject {
	t.Helper()
	p, err := c.CreateProject(t.Context(), map[string]any{"title": title})
	if err != nil {
		t.Fatalf("create project: %v", err)
	}
	t.Cleanup(func() {
		if err := c.DeleteProject(context.Background(), p.ID); err != nil && !errors.Is(err, client.ErrNotFound) {
			t.Errorf("delete project %d: %v", p.ID, err)
		}
	})
	dir := testenv.LocalDir(t, env, "adopt")
	st, err := c.CreateStorage(t.Context(), "localfiles", client.Import, map[string]any{
		"project": p.ID, "title": "Tasks", "path": dir, "regex_filter": `.*\.json$`,
	})
	if err != nil {
		t.Fatalf("create local import storage: %v", err)
	}
	return adoptedProject{project: p.ID, storage: st.ID, config: cliTerraformBlock + fmt.Sprintf(`
resource "labelstudio_project" "adopted" {
  title = %s
}

resource "labelstudio_local_import_storage" "adopted" {
  project      = labelstudio_project.adopted.id
  title        = "Tasks"
  path         = %s
  regex_filter = ".*\\.json$"
}
`, hclString(title), hclString(dir))}
}

// stateIdentities maps "type.name" to the identity recorded in the local
// state, as compact JSON ("" before Terraform 1.12).
func (w *cliWorkdir) stateIdentities() map[string]string {
	w.t.Helper()
	var state struct {
		Resources []struct {
			Type      string `json:"type"`
			Name      string `json:"name"`
			Instances []struct {
				Identity json.RawMessage `json:"identity"`
			} `json:"instances"`
		} `json:"resources"`
	}
	if err := json.Unmarshal([]byte(w.readFile("terraform.tfstate")), &state); err != nil {
		w.t.Fatalf("decode terraform.tfstate: %v", err)
	}
	out := map[string]string{}
	for _, r := range state.Resources {
		for _, inst := range r.Instances {
			var compact bytes.Buffer
			if len(inst.Identity) > 0 {
				if err := json.Compact(&compact, inst.Identity); err != nil {
					w.t.Fatalf("identity of %s.%s: %v", r.Type, r.Name, err)
				}
			}
			out[r.Type+"."+r.Name] = compact.String()
		}
	}
	return out
}

// testCLIImportByID: `terraform import` with the id string works on every
// CLI, and on CLIs with identities the state records {"id": N}.
func testCLIImportByID(t *testing.T, terraformPath, cliConfig string, features cliFeatures) {
	env := testenv.Start(t, testenv.Options{})
	c := testClient(t, env)
	adopted := createAdoptedProject(t, env, c, "Imported by id")
	w := newCLIWorkdir(t, terraformPath, cliConfig, env)
	w.writeFile("main.tf", adopted.config)

	w.run(0, "import", "labelstudio_project.adopted", strconv.FormatInt(adopted.project, 10))
	w.run(0, "import", "labelstudio_local_import_storage.adopted", strconv.FormatInt(adopted.storage, 10))
	out := w.run(planNoChanges, "plan", "-detailed-exitcode")
	expectOutput(t, out, "No changes.")
	if features.identityImport {
		ids := w.stateIdentities()
		for address, want := range map[string]int64{
			"labelstudio_project.adopted":              adopted.project,
			"labelstudio_local_import_storage.adopted": adopted.storage,
		} {
			if got, wantJSON := ids[address], fmt.Sprintf(`{"id":%d}`, want); got != wantJSON {
				t.Errorf("identity of %s in state = %s, want %s", address, got, wantJSON)
			}
		}
	}
}

// testCLIImportByIdentity: import blocks with identity = { id = N } import
// without changes.
func testCLIImportByIdentity(t *testing.T, terraformPath, cliConfig string) {
	env := testenv.Start(t, testenv.Options{})
	c := testClient(t, env)
	adopted := createAdoptedProject(t, env, c, "Imported by identity")
	w := newCLIWorkdir(t, terraformPath, cliConfig, env)
	w.writeFile("main.tf", adopted.config+fmt.Sprintf(`
import {
  to       = labelstudio_project.adopted
  identity = { id = %d }
}

import {
  to       = labelstudio_local_import_storage.adopted
  identity = { id = %d }
}
`, adopted.project, adopted.storage))

	out := w.run(0, "plan")
	expectOutput(t, out, "Plan: 2 to import, 0 to add, 0 to change, 0 to destroy.")
	out = w.run(0, "apply", "-auto-approve")
	expectOutput(t, out, "Apply complete! Resources: 2 imported, 0 added, 0 changed, 0 destroyed.")
	out = w.run(planNoChanges, "plan", "-detailed-exitcode")
	expectOutput(t, out, "No changes.")
	if got, want := w.stateIdentities()["labelstudio_local_import_storage.adopted"], fmt.Sprintf(`{"id":%d}`, adopted.storage); got != want {
		t.Errorf("storage identity in state = %s, want %s", got, want)
	}
}

// testCLIStateWithoutIdentity: a state written before the resources had
// identities (by an older provider, or a CLI without them) gets them on the
// next refresh, and a storage deleted outside Terraform is planned for
// creation again instead of failing the read.
func testCLIStateWithoutIdentity(t *testing.T, terraformPath, cliConfig string) {
	env := testenv.Start(t, testenv.Options{})
	c := testClient(t, env)
	adopted := createAdoptedProject(t, env, c, "State without identity")
	w := newCLIWorkdir(t, terraformPath, cliConfig, env)
	w.writeFile("main.tf", adopted.config)
	w.run(0, "import", "labelstudio_project.adopted", strconv.FormatInt(adopted.project, 10))
	w.run(0, "import", "labelstudio_local_import_storage.adopted", strconv.FormatInt(adopted.storage, 10))

	// Strip the identities, as an older provider would have written the state.
	var state map[string]any
	if err := json.Unmarshal([]byte(w.readFile("terraform.tfstate")), &state); err != nil {
		t.Fatalf("decode terraform.tfstate: %v", err)
	}
	for _, r := range state["resources"].([]any) {
		for _, inst := range r.(map[string]any)["instances"].([]any) {
			delete(inst.(map[string]any), "identity")
			delete(inst.(map[string]any), "identity_schema_version")
		}
	}
	stripped, err := json.Marshal(state)
	if err != nil {
		t.Fatal(err)
	}
	w.writeFile("terraform.tfstate", string(stripped))
	if ids := w.stateIdentities(); ids["labelstudio_project.adopted"] != "" {
		t.Fatalf("identity still in state: %v", ids)
	}

	if err := c.DeleteStorage(t.Context(), client.StorageRef{Kind: "localfiles", Direction: client.Import, ID: adopted.storage}); err != nil {
		t.Fatalf("delete the storage outside terraform: %v", err)
	}
	out := w.run(planChanges, "plan", "-detailed-exitcode")
	expectOutput(t, out, "labelstudio_local_import_storage.adopted will be created", "Plan: 1 to add, 0 to change, 0 to destroy.")
	w.run(0, "apply", "-refresh-only", "-auto-approve")
	if got, want := w.stateIdentities()["labelstudio_project.adopted"], fmt.Sprintf(`{"id":%d}`, adopted.project); got != want {
		t.Errorf("project identity after a refresh = %q, want %s", got, want)
	}
}

// queryFixture is a Label Studio made by hand: a project with three local
// import storages, a local export storage and an S3 import storage with
// keys, and a second project that the title filter must leave out.
type queryFixture struct {
	project, otherProject int64
	localImports          []int64
	localExport, s3Import int64
	secrets               []string
}

func createQueryFixture(t *testing.T, env *testenv.Env, c *client.Client) queryFixture {
	t.Helper()
	var f queryFixture
	for _, title := range []string{"Street scenes", "Street scenes archive"} {
		p, err := c.CreateProject(t.Context(), map[string]any{
			"title":        title,
			"label_config": `<View><Image name="image" value="$image"/><RectangleLabels name="label" toName="image"><Label value="Vehicle"/></RectangleLabels></View>`,
		})
		if err != nil {
			t.Fatalf("create project: %v", err)
		}
		t.Cleanup(func() {
			if err := c.DeleteProject(context.Background(), p.ID); err != nil && !errors.Is(err, client.ErrNotFound) {
				t.Errorf("delete project %d: %v", p.ID, err)
			}
		})
		if f.project == 0 {
			f.project = p.ID
		} else {
			f.otherProject = p.ID
		}
	}
	create := func(kind string, dir client.Direction, body map[string]any) int64 {
		t.Helper()
		body["project"] = f.project
		st, err := c.CreateStorage(t.Context(), kind, dir, body)
		if err != nil {
			t.Fatalf("create %s %s storage: %v", kind, dir, err)
		}
		return st.ID
	}
	for i, camera := range []string{"north", "south", "east"} {
		dir := testenv.LocalDir(t, env, "query-"+camera)
		f.localImports = append(f.localImports, create("localfiles", client.Import, map[string]any{
			"title": "Camera " + camera, "path": dir, "regex_filter": `.*\.json$`, "recursive_scan": i == 0,
		}))
	}
	f.localExport = create("localfiles", client.Export, map[string]any{
		"title": "Reviewed boxes", "path": testenv.LocalDir(t, env, "query-export"),
	})
	srv := testenv.S3(t)
	bucket := srv.NewBucket(t)
	// Label Studio's check of an import storage with a prefix wants an
	// object under it.
	srv.Put(t, bucket, "dashcam/frame-1.json", []byte(accTaskJSON))
	f.s3Import = create("s3", client.Import, map[string]any{
		"title": "Dashcam uploads", "bucket": bucket, "prefix": "dashcam", "s3_endpoint": srv.Endpoint,
		"region_name": srv.Region, "aws_access_key_id": srv.AccessKey, "aws_secret_access_key": srv.SecretKey,
	})
	f.secrets = []string{srv.AccessKey, srv.SecretKey}
	return f
}

// queryFile lists the fixture's project by title and its storages of the
// three kinds the fixture has.
func queryFile(project int64) string {
	return fmt.Sprintf(`list "labelstudio_project" "street" {
  provider         = labelstudio
  include_resource = true
  config {
    title = "Street scenes"
  }
}

list "labelstudio_local_import_storage" "street" {
  provider         = labelstudio
  include_resource = true
  config {
    project = %[1]d
  }
}

list "labelstudio_local_export_storage" "street" {
  provider         = labelstudio
  include_resource = true
  config {
    project = %[1]d
  }
}

list "labelstudio_s3_import_storage" "street" {
  provider         = labelstudio
  include_resource = true
  config {
    project = %[1]d
  }
}
`, project)
}

// testCLIQuery: `terraform query` lists what exists with one request per
// kind, and -generate-config-out writes configuration that imports without
// changes, holds no secret and then plans clean.
func testCLIQuery(t *testing.T, terraformPath, cliConfig string) {
	env := testenv.Start(t, testenv.Options{})
	c := testClient(t, env)
	dev := env.Dev(t)
	f := createQueryFixture(t, env, c)
	w := newCLIWorkdir(t, terraformPath, cliConfig, env)
	w.writeFile("main.tf", cliTerraformBlock)
	w.writeFile("street.tfquery.hcl", queryFile(f.project))

	dev.ResetRequestCounts(t)
	out := w.run(0, "query")
	counts := dev.RequestCounts(t)
	expectOutput(t, out,
		fmt.Sprintf("list.labelstudio_project.street   id=%d   Street scenes (id %d)", f.project, f.project),
		fmt.Sprintf("list.labelstudio_local_import_storage.street   id=%d   Camera north (id %[1]d)", f.localImports[0]),
		fmt.Sprintf("list.labelstudio_local_import_storage.street   id=%d   Camera east (id %[1]d)", f.localImports[2]),
		fmt.Sprintf("list.labelstudio_local_export_storage.street   id=%d   Reviewed boxes (id %[1]d)", f.localExport),
		fmt.Sprintf("list.labelstudio_s3_import_storage.street   id=%d   Dashcam uploads (id %[1]d)", f.s3Import))
	if strings.Contains(out, "Street scenes archive") {
		t.Errorf("the title filter let the other project through:\n%s", out)
	}
	// One list request per kind, whatever the number of storages; never a
	// read per storage.
	storageRequests := 0
	for route, n := range counts {
		if strings.HasPrefix(route, "GET /api/storages") {
			storageRequests += n
		}
	}
	for _, route := range []string{"GET /api/storages/localfiles/", "GET /api/storages/export/localfiles", "GET /api/storages/s3/"} {
		if counts[route] != 1 {
			t.Errorf("terraform query sent %d × %s, want 1 (all counts: %v)", counts[route], route, counts)
		}
	}
	if storageRequests != 3 {
		t.Errorf("terraform query sent %d storage requests, want 3, one per kind (all counts: %v)", storageRequests, counts)
	}

	out = w.run(0, "query", "-generate-config-out=generated.tf")
	generated := w.readFile("generated.tf")
	t.Logf("generated.tf:\n%s", generated)
	rejectSecrets(t, "generated.tf", generated, f.secrets)
	rejectSecrets(t, "terraform query", out, f.secrets)
	for _, want := range []string{
		`resource "labelstudio_project" "street_0" {`,
		`title = "Street scenes"`,
		`resource "labelstudio_local_import_storage" "street_2" {`,
		`title = "Camera east"`,
		`resource "labelstudio_s3_import_storage" "street_0" {`,
		`prefix = "dashcam"`,
		`aws_secret_access_key_wo = null # sensitive`,
		fmt.Sprintf("to = labelstudio_s3_import_storage.street_0 provider = labelstudio identity = { id = %d }", f.s3Import),
	} {
		if !strings.Contains(squeezeSpaces(generated), want) {
			t.Errorf("generated.tf lacks %q", want)
		}
	}

	out = w.run(0, "plan")
	expectOutput(t, out, "Plan: 6 to import, 0 to add, 0 to change, 0 to destroy.")
	out = w.run(0, "apply", "-auto-approve")
	expectOutput(t, out, "Apply complete! Resources: 6 imported, 0 added, 0 changed, 0 destroyed.")
	out = w.run(planNoChanges, "plan", "-detailed-exitcode")
	expectOutput(t, out, "No changes.")
	rejectSecrets(t, "terraform.tfstate", w.readFile("terraform.tfstate"), f.secrets)
}

// squeezeSpaces turns every run of white space into one space, so that HCL
// can be compared without its alignment.
func squeezeSpaces(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// actionConfig is a local import storage synced by the action whenever
// terraform_data.batch is created or changes (var.batch).
func actionConfig(project int64, path, timeouts string) string {
	return cliTerraformBlock + fmt.Sprintf(`
variable "batch" {
  type = string
}

resource "labelstudio_local_import_storage" "tasks" {
  project      = %d
  path         = %s
  regex_filter = ".*\\.json$"
}

action "labelstudio_storage_sync" "tasks" {
  config {
    storages = [{
      kind      = "localfiles"
      direction = "import"
      id        = labelstudio_local_import_storage.tasks.id
    }]
%s
  }
}

resource "terraform_data" "batch" {
  input = var.batch

  lifecycle {
    action_trigger {
      events  = [after_create, after_update]
      actions = [action.labelstudio_storage_sync.tasks]
    }
  }
}
`, project, hclString(path), timeouts)
}

// testCLIAction: the sync action through the CLI: action_trigger on create
// and on update, -invoke, progress lines, a failed sync's traceback and
// timeouts.invoke.
func testCLIAction(t *testing.T, terraformPath, cliConfig string) {
	env := testenv.Start(t, testenv.Options{SyncMode: devserver.SyncQueued, SyncObjectDelay: 300 * time.Millisecond})
	c := testClient(t, env)
	project := testProject(t, c)
	dir := testenv.LocalDir(t, env, "action-tasks")
	testenv.WriteTaskFiles(t, dir, 1, 2)
	w := newCLIWorkdir(t, terraformPath, cliConfig, env)
	w.writeFile("main.tf", actionConfig(project, dir, ""))
	trigger := "Action action.labelstudio_storage_sync.tasks (triggered by terraform_data.batch): "

	// -invoke before the storage exists: the CLI refuses, and says why.
	out := w.run(1, "apply", "-auto-approve", "-var=batch=1", "-invoke=action.labelstudio_storage_sync.tasks")
	expectOutput(t, out, "contains unknown values", "before using the -invoke argument")

	out = w.run(0, "apply", "-auto-approve", "-var=batch=1")
	expectOutput(t, out,
		"Actions: 1 to invoke.",
		trigger+"Starting the sync of the localfiles import storage",
		trigger+"Sync of the localfiles import storage",
		"ended completed with 2 new tasks",
		"Apply complete! Resources: 2 added, 0 changed, 0 destroyed. Actions: 1 invoked.")
	expectTaskCount(t, c, project, 2)

	// after_update: a new batch syncs the new file only.
	testenv.WriteTaskFiles(t, dir, 3, 3)
	out = w.run(0, "apply", "-auto-approve", "-var=batch=2")
	expectOutput(t, out, "ended completed with 1 new tasks", "Actions: 1 invoked.")
	expectTaskCount(t, c, project, 3)

	// Nothing changed: no sync.
	out = w.run(planNoChanges, "plan", "-detailed-exitcode", "-var=batch=2")
	expectOutput(t, out, "No changes.")

	// -invoke once the storage exists: the action alone.
	testenv.WriteTaskFiles(t, dir, 4, 4)
	out = w.run(0, "apply", "-auto-approve", "-var=batch=2", "-invoke=action.labelstudio_storage_sync.tasks")
	expectOutput(t, out,
		"Action action.labelstudio_storage_sync.tasks (triggered by CLI): Starting the sync",
		"ended completed with 1 new tasks",
		"Resources: 0 added, 0 changed, 0 destroyed. Actions: 1 invoked.")
	expectTaskCount(t, c, project, 4)

	// A failed sync is an error that quotes Label Studio's traceback.
	testenv.WriteFile(t, dir, "broken.json", []byte(`{"text": `))
	out = w.run(1, "apply", "-auto-approve", "-var=batch=3")
	expectOutput(t, out, "Storage sync failed", "Can't import JSON-formatted tasks from")
	if err := os.Remove(dir + "/broken.json"); err != nil {
		t.Fatal(err)
	}

	// timeouts.invoke bounds the wait.
	testenv.WriteTaskFiles(t, dir, 5, 14)
	w.writeFile("main.tf", actionConfig(project, dir, `    timeouts = { invoke = "1s" }`))
	out = w.run(1, "apply", "-auto-approve", "-var=batch=4")
	expectOutput(t, out, "within the timeout of 1s")
}

// adoptionGuide is the guide the AdoptionGuide scenario follows.
const adoptionGuide = "../../templates/guides/bring-an-existing-label-studio-under-terraform.md.tmpl"

// guideStep is the code block that follows `<!-- guide-step: NAME -->` in
// the adoption guide, without its fences.
func guideStep(t *testing.T, name string) string {
	t.Helper()
	guide, err := os.ReadFile(adoptionGuide)
	if err != nil {
		t.Fatalf("read the guide: %v", err)
	}
	step := regexp.MustCompile("(?s)<!-- guide-step: " + regexp.QuoteMeta(name) + " -->\\s*```[a-z]*\\n(.*?)```")
	m := step.FindSubmatch(guide)
	if m == nil {
		t.Fatalf("the guide has no code block after <!-- guide-step: %s -->", name)
	}
	return string(m[1])
}

// testCLIAdoptionGuide follows "Bring an existing Label Studio under
// Terraform" with its own code blocks: list, generate, import, clean plan,
// then the secrets as write-only attributes.
func testCLIAdoptionGuide(t *testing.T, terraformPath, cliConfig string) {
	env := testenv.Start(t, testenv.Options{})
	c := testClient(t, env)
	f := createQueryFixture(t, env, c)
	w := newCLIWorkdir(t, terraformPath, cliConfig, env)
	w.env = append(w.env, "TF_VAR_aws_access_key_id="+f.secrets[0], "TF_VAR_aws_secret_access_key="+f.secrets[1])
	w.writeFile("main.tf", cliTerraformBlock)

	// 1. List: the guide's query file, with the fixture's project id.
	query := strings.Replace(guideStep(t, "query"), "project = 42", fmt.Sprintf("project = %d", f.project), 1)
	w.writeFile("adopt.tfquery.hcl", query)
	out := w.run(0, "query")
	expectOutput(t, out,
		fmt.Sprintf("Street scenes (id %d)", f.project),
		fmt.Sprintf("Dashcam uploads (id %d)", f.s3Import))

	// 2. Generate.
	w.run(0, "query", "-generate-config-out=generated.tf")
	generated := w.readFile("generated.tf")
	rejectSecrets(t, "generated.tf", generated, f.secrets)

	// 4. Import, 5. clean plan.
	out = w.run(0, "plan")
	expectOutput(t, out, "Plan: 2 to import, 0 to add, 0 to change, 0 to destroy.")
	w.run(0, "apply", "-auto-approve")
	out = w.run(planNoChanges, "plan", "-detailed-exitcode")
	expectOutput(t, out, "No changes.")

	// 6. Secrets: the guide's lines replace the generated null ones in the
	// storage's block.
	secrets := guideStep(t, "secrets")
	for _, line := range strings.Split(strings.TrimSpace(secrets), "\n") {
		name, _, _ := strings.Cut(strings.TrimSpace(line), " ")
		generatedNull := regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(name) + `\s*=\s*null( # sensitive)?\n`)
		if !generatedNull.MatchString(generated) {
			t.Fatalf("generated.tf has no %s = null line to replace", name)
		}
		generated = generatedNull.ReplaceAllString(generated, "")
	}
	storageBlock := regexp.MustCompile(`(?s)(resource "labelstudio_s3_import_storage" "street_0" \{\n.*?)(\n\}\n)`)
	if !storageBlock.MatchString(generated) {
		t.Fatalf("generated.tf has no labelstudio_s3_import_storage.street_0 block:\n%s", generated)
	}
	withSecrets := storageBlock.ReplaceAllString(generated, "${1}\n"+strings.ReplaceAll(secrets, "$", "$$")+"${2}")
	w.writeFile("generated.tf", withSecrets)
	w.writeFile("variables.tf", guideStep(t, "variables"))
	out = w.run(planChanges, "plan", "-detailed-exitcode")
	expectOutput(t, out, "labelstudio_s3_import_storage.street_0 will be updated in-place", "Plan: 0 to add, 1 to change, 0 to destroy.")
	rejectSecrets(t, "terraform plan", out, f.secrets)
	w.run(0, "apply", "-auto-approve")
	out = w.run(planNoChanges, "plan", "-detailed-exitcode")
	expectOutput(t, out, "No changes.")
	rejectSecrets(t, "terraform.tfstate", w.readFile("terraform.tfstate"), f.secrets)
}
