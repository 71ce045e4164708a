package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv"
)

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
