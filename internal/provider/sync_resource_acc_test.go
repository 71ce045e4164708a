package provider

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/devserver"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/syncengine"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv"
)

const syncName = "labelstudio_storage_sync.test"

// localSyncConfig is a local-files storage of the given direction and a
// sync of it; extra goes into the sync resource.
func localSyncConfig(env *testenv.Env, dir client.Direction, project int64, path, extra string) string {
	return localStorageOnlyConfig(env, dir, project, path) + fmt.Sprintf(`
resource "labelstudio_storage_sync" "test" {
  storages = [{
    kind      = labelstudio_local_%[1]s_storage.test.type
    direction = %[1]q
    id        = labelstudio_local_%[1]s_storage.test.id
  }]
%[2]s
}
`, dir, extra)
}

// localStorageOnlyConfig is the storage of localSyncConfig without a sync.
func localStorageOnlyConfig(env *testenv.Env, dir client.Direction, project int64, path string) string {
	return testAccProviderConfig(env) + localStorageBlock(dir, "test", strconv.FormatInt(project, 10), path)
}

func resultValue(attr string, want knownvalue.Check) statecheck.StateCheck {
	return statecheck.ExpectKnownValue(syncName, tfjsonpath.New("results").AtSliceIndex(0).AtMapKey(attr), want)
}

func expectTasks(t *testing.T, c *client.Client, project int64, want int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		tasks, err := testenv.ListTasks(t.Context(), c, project)
		if err != nil {
			return err
		}
		if len(tasks) != want {
			return fmt.Errorf("project %d has %d tasks, want %d", project, len(tasks), want)
		}
		return nil
	}
}

// TestAccStorageSyncImport: N files give last_sync_count N and N tasks; new
// files and a changed trigger re-sync only the new ones; plans after each
// apply are empty. Both sync modes of the stand-in.
func TestAccStorageSyncImport(t *testing.T) {
	for _, mode := range []string{devserver.SyncInline, devserver.SyncQueued} {
		t.Run(mode, func(t *testing.T) {
			skipUnlessAcc(t)
			env := testenv.Start(t, testenv.Options{SyncMode: mode, SyncObjectDelay: 20 * time.Millisecond})
			c := testClient(t, env)
			project := testProject(t, c)
			dir := testenv.LocalDir(t, env, "sync-import-"+mode)
			testenv.WriteTaskFiles(t, dir, 1, 3)

			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{
					{
						Config: localSyncConfig(env, client.Import, project, dir, `  triggers = { batch = "1" }`),
						ConfigStateChecks: []statecheck.StateCheck{
							resultValue("status", knownvalue.StringExact("completed")),
							resultValue("last_sync_count", knownvalue.Int64Exact(3)),
							resultValue("kind", knownvalue.StringExact("localfiles")),
							resultValue("project", knownvalue.Int64Exact(project)),
							resultValue("last_sync", knownvalue.NotNull()),
							resultValue("traceback", knownvalue.Null()),
						},
						Check: expectTasks(t, c, project, 3),
					},
					{
						PreConfig: func() { testenv.WriteTaskFiles(t, dir, 4, 5) },
						Config:    localSyncConfig(env, client.Import, project, dir, `  triggers = { batch = "2" }`),
						ConfigPlanChecks: resource.ConfigPlanChecks{
							PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(syncName, plancheck.ResourceActionReplace)},
						},
						ConfigStateChecks: []statecheck.StateCheck{
							resultValue("status", knownvalue.StringExact("completed")),
							resultValue("last_sync_count", knownvalue.Int64Exact(2)),
						},
						Check: expectTasks(t, c, project, 5),
					},
					{
						// Settings that do not name storages change without a sync.
						Config: localSyncConfig(env, client.Import, project, dir, `  triggers = { batch = "2" }
  on_completed_with_errors = "fail"`),
						ConfigPlanChecks: resource.ConfigPlanChecks{
							PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(syncName, plancheck.ResourceActionUpdate)},
						},
						ConfigStateChecks: []statecheck.StateCheck{
							resultValue("last_sync_count", knownvalue.Int64Exact(2)),
						},
						Check: expectTasks(t, c, project, 5),
					},
				},
			})
		})
	}
}

// TestAccStorageSyncExport: an export sync writes one object per annotation.
func TestAccStorageSyncExport(t *testing.T) {
	skipUnlessAcc(t)
	env := testenv.Start(t, testenv.Options{SyncMode: devserver.SyncQueued})
	c := testClient(t, env)
	project := testProject(t, c)
	annotations := seedAnnotatedTasks(t, env, c, project, 3)
	out := testenv.LocalDir(t, env, "sync-export")

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: localStorageOnlyConfig(env, client.Export, project, out)},
			{
				// Creating the export storage already exported everything;
				// start from an empty directory to see what the sync writes.
				PreConfig: func() { emptyDir(t, out) },
				Config:    localSyncConfig(env, client.Export, project, out, ""),
				ConfigStateChecks: []statecheck.StateCheck{
					resultValue("status", knownvalue.StringExact("completed")),
					resultValue("last_sync_count", knownvalue.Int64Exact(int64(len(annotations)))),
					resultValue("direction", knownvalue.StringExact("export")),
				},
				Check: func(*terraform.State) error {
					for _, id := range annotations {
						if _, err := os.Stat(fmt.Sprintf("%s/%d", out, id)); err != nil {
							return fmt.Errorf("annotation %d was not exported: %v", id, err)
						}
					}
					if entries, _ := os.ReadDir(out); len(entries) != len(annotations) {
						return fmt.Errorf("%d objects exported, want %d", len(entries), len(annotations))
					}
					return nil
				},
			},
		},
	})
}

// seedAnnotatedTasks imports n tasks through a local-files storage and
// annotates each; it returns the annotation ids.
func seedAnnotatedTasks(t *testing.T, env *testenv.Env, c *client.Client, project int64, n int) []int64 {
	t.Helper()
	src := testenv.LocalDir(t, env, "sync-export-source")
	testenv.WriteTaskFiles(t, src, 1, n)
	st, err := c.CreateStorage(t.Context(), "localfiles", client.Import, map[string]any{"project": project, "path": src})
	if err != nil {
		t.Fatalf("create the source storage: %v", err)
	}
	ref := client.StorageRef{Kind: "localfiles", Direction: client.Import, ID: st.ID}
	if res := syncengine.New(c, syncengine.Options{}).Sync(t.Context(), []client.StorageRef{ref}, nil)[0]; res.Err != nil || res.Status != syncengine.StatusCompleted {
		t.Fatalf("sync the source storage: %+v", res)
	}
	tasks, err := testenv.ListTasks(t.Context(), c, project)
	if err != nil || len(tasks) != n {
		t.Fatalf("list tasks: %d tasks, %v; want %d", len(tasks), err, n)
	}
	dev := env.Dev(t)
	ids := make([]int64, 0, len(tasks))
	for _, task := range tasks {
		ids = append(ids, dev.AddAnnotation(t, task.ID, []any{map[string]any{"type": "choices", "value": map[string]any{"choices": []string{"yes"}}}}))
	}
	return ids
}

// wrappedText matches pattern in Terraform's output, where diagnostics are
// wrapped: every space may be any run of white space.
func wrappedText(pattern string) *regexp.Regexp {
	return regexp.MustCompile(`(?s)` + strings.ReplaceAll(pattern, " ", `\s+`))
}

func emptyDir(t *testing.T, dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("read %s: %v", dir, err)
	}
	for _, e := range entries {
		if err := os.RemoveAll(dir + "/" + e.Name()); err != nil {
			t.Fatalf("remove %s: %v", e.Name(), err)
		}
	}
}

// TestAccStorageSyncFailures: a sync that fails quotes Label Studio's
// traceback, a storage whose path vanished quotes the server's message, and
// the timeout ends the wait with an error that names it.
func TestAccStorageSyncFailures(t *testing.T) {
	skipUnlessAcc(t)
	env := testenv.Start(t, testenv.Options{SyncMode: devserver.SyncQueued, SyncObjectDelay: 500 * time.Millisecond})
	c := testClient(t, env)

	t.Run("bad task file", func(t *testing.T) {
		project := testProject(t, c)
		dir := testenv.LocalDir(t, env, "sync-bad-json")
		testenv.WriteFile(t, dir, "broken.json", []byte(`{"text": `))
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
			Steps: []resource.TestStep{{
				Config:      localSyncConfig(env, client.Import, project, dir, ""),
				ExpectError: wrappedText(`Storage sync failed.*localfiles import storage \d+ failed.*Can't import JSON-formatted tasks from`),
			}},
		})
	})

	t.Run("path vanished", func(t *testing.T) {
		project := testProject(t, c)
		dir := testenv.LocalDir(t, env, "sync-vanished")
		testenv.WriteTaskFiles(t, dir, 1, 1)
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
			Steps: []resource.TestStep{
				{Config: localStorageOnlyConfig(env, client.Import, project, dir)},
				{
					PreConfig: func() {
						if err := os.RemoveAll(dir); err != nil {
							t.Fatal(err)
						}
					},
					Config:      localSyncConfig(env, client.Import, project, dir, ""),
					ExpectError: wrappedText(`localfiles import storage \d+ could not be run.*does not exist`),
				},
			},
		})
	})

	t.Run("timeout", func(t *testing.T) {
		project := testProject(t, c)
		dir := testenv.LocalDir(t, env, "sync-slow")
		testenv.WriteTaskFiles(t, dir, 1, 10)
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
			Steps: []resource.TestStep{{
				Config:      localSyncConfig(env, client.Import, project, dir, `  timeouts = { create = "1s" }`),
				ExpectError: wrappedText(`Timed out waiting for a storage sync.*within the timeout of 1s`),
			}},
		})
	})
}

// TestAccStorageSyncS3: objects in a real S3 server (MinIO) become tasks
// through an S3 import storage synced on a queued server.
func TestAccStorageSyncS3(t *testing.T) {
	skipUnlessAcc(t)
	env := testenv.Start(t, testenv.Options{SyncMode: devserver.SyncQueued, SyncObjectDelay: 20 * time.Millisecond})
	c := testClient(t, env)
	project := testProject(t, c)
	srv := testenv.S3(t)
	bucket := srv.NewBucket(t)
	const objects = 6
	for i := range objects {
		srv.Put(t, bucket, fmt.Sprintf("tasks/%02d.json", i), fmt.Appendf(nil, `{"text": "object %d"}`, i))
	}
	srv.Put(t, bucket, "other/ignored.json", []byte(`{"text": "outside the prefix"}`))

	config := testAccProviderConfig(env) + fmt.Sprintf(`
resource "labelstudio_s3_import_storage" "test" {
  project               = %d
  bucket                = %s
  prefix                = "tasks"
  s3_endpoint           = %s
  region_name           = %s
  aws_access_key_id     = %s
  aws_secret_access_key = %s
}

resource "labelstudio_storage_sync" "test" {
  storages = [{
    kind      = "s3"
    direction = "import"
    id        = labelstudio_s3_import_storage.test.id
  }]
}
`, project, hclString(bucket), hclString(srv.Endpoint), hclString(srv.Region), hclString(srv.AccessKey), hclString(srv.SecretKey))

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				resultValue("status", knownvalue.StringExact("completed")),
				resultValue("kind", knownvalue.StringExact("s3")),
				resultValue("last_sync_count", knownvalue.Int64Exact(objects)),
			},
			Check: expectTasks(t, c, project, objects),
		}},
	})
}

// TestAccStorageSyncNoWait: wait = false only starts the sync; the results
// show the status the server answered with, and stay as they were.
func TestAccStorageSyncNoWait(t *testing.T) {
	skipUnlessAcc(t)
	env := testenv.Start(t, testenv.Options{SyncMode: devserver.SyncQueued, SyncObjectDelay: 200 * time.Millisecond})
	c := testClient(t, env)
	project := testProject(t, c)
	dir := testenv.LocalDir(t, env, "sync-no-wait")
	testenv.WriteTaskFiles(t, dir, 1, 5)

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: localSyncConfig(env, client.Import, project, dir, `  wait = false`),
			ConfigStateChecks: []statecheck.StateCheck{
				resultValue("status", knownvalue.StringExact("queued")),
				resultValue("last_sync_count", knownvalue.Null()),
			},
		}},
	})
}

// TestAccStorageSyncS3BucketVanished: the bucket of an S3 import storage is
// deleted after the storage was created; Label Studio's connection check in
// the sync request fails (a 500) and the apply quotes its message.
func TestAccStorageSyncS3BucketVanished(t *testing.T) {
	skipUnlessAcc(t)
	env := testenv.Start(t, testenv.Options{SyncMode: devserver.SyncQueued, S3TrustedDomains: []string{"127.0.0.1"}})
	c := testClient(t, env)
	project := testProject(t, c)
	srv := testenv.S3(t)
	bucket := srv.NewBucket(t)
	srv.Put(t, bucket, "tasks/one.json", []byte(`{"text": "one"}`))
	s3c := s3.New(s3.Options{
		BaseEndpoint: aws.String(srv.Endpoint),
		UsePathStyle: true,
		Region:       srv.Region,
		Credentials:  credentials.NewStaticCredentialsProvider(srv.AccessKey, srv.SecretKey, ""),
	})
	// Runs before testenv's own cleanup, which expects the bucket.
	t.Cleanup(func() {
		_, _ = s3c.CreateBucket(context.WithoutCancel(t.Context()), &s3.CreateBucketInput{Bucket: aws.String(bucket)})
	})
	removeBucket := func() {
		for _, key := range srv.Keys(t, bucket, "") {
			if _, err := s3c.DeleteObject(t.Context(), &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}); err != nil {
				t.Fatalf("delete %s: %v", key, err)
			}
		}
		if _, err := s3c.DeleteBucket(t.Context(), &s3.DeleteBucketInput{Bucket: aws.String(bucket)}); err != nil {
			t.Fatalf("delete bucket: %v", err)
		}
	}

	storage := testAccProviderConfig(env) + fmt.Sprintf(`
resource "labelstudio_s3_import_storage" "test" {
  project               = %d
  bucket                = %s
  prefix                = "tasks"
  s3_endpoint           = %s
  region_name           = %s
  aws_access_key_id     = %s
  aws_secret_access_key = %s
}
`, project, hclString(bucket), hclString(srv.Endpoint), hclString(srv.Region), hclString(srv.AccessKey), hclString(srv.SecretKey))
	withSync := storage + `
resource "labelstudio_storage_sync" "test" {
  storages = [{
    kind      = labelstudio_s3_import_storage.test.type
    direction = "import"
    id        = labelstudio_s3_import_storage.test.id
  }]
}
`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: storage},
			{
				// The sync view does not translate boto's exception; Label Studio's
				// 500 envelope names it in the traceback (core/utils/common.py).
				PreConfig:   removeBucket,
				Config:      withSync,
				ExpectError: wrappedText(`s3 import storage \d+ could not be run.*500 Unknown error: botocore.exceptions.ClientError: An error occurred \(NoSuchBucket\)`),
			},
		},
	})
}
