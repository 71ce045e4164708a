package provider

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv"
)

// importThenUpdate imports a storage made outside Terraform with a
// configuration that has none of its secrets (they cannot be read back), then
// applies a changed title and regex_filter; providerSettings go into the
// provider block.
func importThenUpdate(env *testenv.Env, typeName string, id int64, attrs map[string]string, expectError *regexp.Regexp, providerSettings ...string) []resource.TestStep {
	address := typeName + ".test"
	updated := withAttrs(attrs, map[string]string{"title": hclString("renamed by terraform"), "regex_filter": hclString(`.*\.json`)})
	return []resource.TestStep{
		{
			Config:             storageConfig(env, typeName, attrs, providerSettings...),
			ResourceName:       address,
			ImportState:        true,
			ImportStateId:      strconv.FormatInt(id, 10),
			ImportStatePersist: true,
		},
		{Config: storageConfig(env, typeName, updated, providerSettings...), ExpectError: expectError},
	}
}

// An S3 storage imported without its keys: the update's connection check
// posts the storage's id, so Label Studio tests the stored keys
// (label_studio/io_storages/s3/serializers.py fills them) and saves nothing.
// Before, the check went without id, tested the server's ambient
// credentials, and failed the update of a working storage.
func TestAccStorageImportedS3UpdatesWithStoredKeys(t *testing.T) {
	skipUnlessAcc(t)
	env := testenv.Start(t, testenv.Options{S3TrustedDomains: []string{"127.0.0.1"}})
	c := testClient(t, env)
	project := testProject(t, c)
	s3 := testenv.S3(t)
	bucket := s3.NewBucket(t)
	s3.Put(t, bucket, "tasks/one.json", []byte(accTaskJSON))
	location := map[string]string{
		"project": strconv.FormatInt(project, 10), "bucket": hclString(bucket), "prefix": hclString("tasks"),
		"s3_endpoint": hclString(s3.Endpoint), "region_name": hclString(s3.Region), "title": hclString("made outside terraform"),
	}
	st, err := c.CreateStorage(t.Context(), "s3", client.Import, map[string]any{
		"project": project, "bucket": bucket, "prefix": "tasks", "s3_endpoint": s3.Endpoint, "region_name": s3.Region,
		"title": "made outside terraform", "aws_access_key_id": s3.AccessKey, "aws_secret_access_key": s3.SecretKey,
	})
	if err != nil {
		t.Fatal(err)
	}
	ref := client.StorageRef{Kind: "s3", Direction: client.Import, ID: st.ID}
	steps := importThenUpdate(env, "labelstudio_s3_import_storage", st.ID, location, nil)
	steps[1].Check = func(*terraform.State) error {
		got, err := c.GetStorage(context.Background(), ref)
		if err != nil {
			return err
		}
		if got.Title == nil || *got.Title != "renamed by terraform" {
			return fmt.Errorf("server title %v after the update", got.Title)
		}
		// The stored keys survived the update: a sync still reaches the bucket.
		synced, err := c.SyncStorage(context.Background(), ref)
		if err != nil {
			return err
		}
		if synced.Status != "completed" {
			return fmt.Errorf("sync after the update: %s %v", synced.Status, synced.Traceback)
		}
		return nil
	}
	resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: testAccProtoV6ProviderFactories, Steps: steps})
}

// Label Studio's validate-with-id saves the body for every kind but S3
// (API.md §4.4), and the stand-in does the same. A check must leave nothing
// behind: with the PATCH failing after the check, the server still holds the
// old title, for a storage Terraform created and for an imported one.
func TestAccStorageUpdateCheckSavesNothing(t *testing.T) {
	skipUnlessAcc(t)
	env := testenv.Start(t, testenv.Options{})
	if env.Real {
		t.Skip("needs the stand-in's fault injection")
	}
	c := testClient(t, env)
	project := testProject(t, c)
	dir := filepath.Join(env.DocumentRoot, "check-saves-nothing")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	const typeName = "labelstudio_local_import_storage"
	attrs := map[string]string{"project": strconv.FormatInt(project, 10), "path": hclString(dir), "title": hclString("before")}
	failPatch := func() {
		env.Dev(t).AddFault(t, testenv.Fault{Method: "PATCH", Path: `^/api/storages/localfiles/\d+$`, Mode: "fail", Count: 10})
	}
	serverTitle := func() string {
		list, err := c.ListStorages(context.Background(), "localfiles", client.Import, project)
		if err != nil || len(list) != 1 || list[0].Title == nil {
			t.Fatalf("storages %v, %v", list, err)
		}
		return *list[0].Title
	}
	renamed := withAttrs(attrs, map[string]string{"title": hclString("after")})
	checkStillBefore := func(what string) func() {
		return func() {
			if got := serverTitle(); got != "before" {
				t.Errorf("%s: the failed update left title %q on the server, so the check saved it", what, got)
			}
			env.Dev(t).ClearFaults(t)
		}
	}
	// No retries: the injected 500 fails the PATCH at once.
	const noRetries = "max_retries = 0"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: storageConfig(env, typeName, attrs, noRetries)},
			{PreConfig: failPatch, Config: storageConfig(env, typeName, renamed, noRetries), ExpectError: regexp.MustCompile(`Cannot update the storage`)},
			{PreConfig: checkStillBefore("created by terraform"), Config: storageConfig(env, typeName, renamed, noRetries)},
		},
	})

	st, err := c.CreateStorage(t.Context(), "localfiles", client.Import, map[string]any{"project": project, "path": dir, "title": "before"})
	if err != nil {
		t.Fatal(err)
	}
	steps := importThenUpdate(env, typeName, st.ID, attrs, regexp.MustCompile(`Cannot update the storage`), noRetries)
	steps[1].PreConfig = failPatch
	steps = append(steps, resource.TestStep{PreConfig: checkStillBefore("imported"), Config: steps[1].Config})
	resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: testAccProtoV6ProviderFactories, Steps: steps})
}
