package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"testing"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv"
)

// generateConfigCase is something created outside Terraform, then brought
// under management by an import block and generated configuration.
type generateConfigCase struct {
	name         string
	resourceType string
	// create makes the object and returns its id, the attributes the
	// generated configuration must hold (name to HCL value) and values that
	// must appear nowhere.
	create func(t *testing.T, env *testenv.Env, c *client.Client) (id int64, want map[string]string, secrets []string)
}

func generateConfigCases() []generateConfigCase {
	return []generateConfigCase{
		{name: "local_import_storage", resourceType: "labelstudio_local_import_storage", create: createLocalImportStorageForCLI},
		{name: "s3_import_storage", resourceType: "labelstudio_s3_import_storage", create: createS3ImportStorageForCLI},
		{name: "project", resourceType: "labelstudio_project", create: createProjectForCLI},
	}
}

func createLocalImportStorageForCLI(t *testing.T, env *testenv.Env, c *client.Client) (int64, map[string]string, []string) {
	project := testProject(t, c)
	dir := testenv.LocalDir(t, env, "cli-generate")
	testenv.WriteFile(t, dir, "task.json", []byte(`{"text": "hello"}`))
	st, err := c.CreateStorage(t.Context(), "localfiles", client.Import, map[string]any{
		"project":        project,
		"title":          "Scans on the shared volume",
		"path":           dir,
		"regex_filter":   `.*\.json$`,
		"recursive_scan": true,
	})
	if err != nil {
		t.Fatalf("create local import storage: %v", err)
	}
	return st.ID, map[string]string{
		"project":        strconv.FormatInt(project, 10),
		"title":          hclString("Scans on the shared volume"),
		"path":           hclString(dir),
		"regex_filter":   hclString(`.*\.json$`),
		"recursive_scan": "true",
	}, nil
}

func createS3ImportStorageForCLI(t *testing.T, _ *testenv.Env, c *client.Client) (int64, map[string]string, []string) {
	srv := testenv.S3(t)
	bucket := srv.NewBucket(t)
	srv.Put(t, bucket, "tasks/one.json", []byte(accTaskJSON))
	project := testProject(t, c)
	st, err := c.CreateStorage(t.Context(), "s3", client.Import, map[string]any{
		"project":               project,
		"title":                 "Tasks in MinIO",
		"bucket":                bucket,
		"prefix":                "tasks",
		"s3_endpoint":           srv.Endpoint,
		"region_name":           srv.Region,
		"aws_access_key_id":     srv.AccessKey,
		"aws_secret_access_key": srv.SecretKey,
		"recursive_scan":        true,
	})
	if err != nil {
		t.Fatalf("create s3 import storage: %v", err)
	}
	return st.ID, map[string]string{
		"project":        strconv.FormatInt(project, 10),
		"title":          hclString("Tasks in MinIO"),
		"bucket":         hclString(bucket),
		"prefix":         hclString("tasks"),
		"s3_endpoint":    hclString(srv.Endpoint),
		"recursive_scan": "true",
	}, []string{srv.AccessKey, srv.SecretKey}
}

func createProjectForCLI(t *testing.T, _ *testenv.Env, c *client.Client) (int64, map[string]string, []string) {
	p, err := c.CreateProject(t.Context(), map[string]any{
		"title":               "Street scenes",
		"description":         "Boxes around vehicles",
		"label_config":        `<View><Image name="image" value="$image"/><RectangleLabels name="label" toName="image"><Label value="Vehicle"/></RectangleLabels></View>`,
		"show_instruction":    true,
		"maximum_annotations": 2,
	})
	if err != nil {
		t.Fatalf("create project: %v", err)
	}
	t.Cleanup(func() {
		if err := c.DeleteProject(context.Background(), p.ID); err != nil && !errors.Is(err, client.ErrNotFound) {
			t.Errorf("delete project %d: %v", p.ID, err)
		}
	})
	return p.ID, map[string]string{
		"title":               hclString("Street scenes"),
		"description":         hclString("Boxes around vehicles"),
		"show_instruction":    "true",
		"maximum_annotations": "2",
	}, nil
}

// testCLIGenerateConfig: an import block and `terraform plan
// -generate-config-out` give a configuration that imports on apply and then
// plans clean.
func testCLIGenerateConfig(t *testing.T, terraformPath, cliConfig string, tc generateConfigCase) {
	env := testenv.Start(t, testenv.Options{})
	c := testClient(t, env)
	id, want, secrets := tc.create(t, env, c)
	w := newCLIWorkdir(t, terraformPath, cliConfig, env)
	address := tc.resourceType + ".imported"
	w.writeFile("main.tf", cliTerraformBlock+fmt.Sprintf(`
import {
  to = %s
  id = %q
}
`, address, strconv.FormatInt(id, 10)))

	out := w.run(0, "plan", "-generate-config-out=generated.tf")
	expectOutput(t, out, "Plan: 1 to import, 0 to add, 0 to change, 0 to destroy.")
	generated := w.readFile("generated.tf")
	t.Logf("generated.tf:\n%s", generated)
	for name, value := range want {
		pattern := `(?m)^\s*` + regexp.QuoteMeta(name) + `\s*=\s*` + regexp.QuoteMeta(value) + `\s*$`
		if !regexp.MustCompile(pattern).MatchString(generated) {
			t.Errorf("generated.tf lacks %s = %s", name, value)
		}
	}
	rejectSecrets(t, "generated.tf", generated, secrets)
	rejectSecrets(t, "terraform plan", out, secrets)

	out = w.run(0, "apply", "-auto-approve")
	expectOutput(t, out, "Apply complete! Resources: 1 imported, 0 added, 0 changed, 0 destroyed.")
	out = w.run(planNoChanges, "plan", "-detailed-exitcode")
	expectOutput(t, out, "No changes.")
	rejectSecrets(t, "terraform plan", out, secrets)
	rejectSecrets(t, "terraform.tfstate", w.readFile("terraform.tfstate"), secrets)
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
