package provider

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/devserver"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv"
)

// syncTarget is one storage location on a real storage server (or the
// stand-in's disk), seen from both sides: the storage's attributes, and
// direct access to what the location holds.
type syncTarget struct {
	attrs map[string]string // HCL
	// put writes an object an import sync must turn into a task.
	put func(t *testing.T, name string, data []byte)
	// objects returns what an export sync wrote, by key below the location.
	objects func(t *testing.T) map[string][]byte
}

// syncTargetCase sets up a fresh location of one kind for one direction.
type syncTargetCase struct {
	kind  string // the table's typeName
	setup func(t *testing.T, env *testenv.Env, dir client.Direction) syncTarget
	// edition is the stand-in's edition; "" is community.
	edition string
}

func syncTargetCases() []syncTargetCase {
	return []syncTargetCase{
		{kind: "s3", setup: s3SyncTarget},
		{kind: "gcs", setup: gcsSyncTarget},
		{kind: "azure_blob", setup: azureSyncTarget},
		{kind: "redis", setup: redisSyncTarget},
		{kind: "local", setup: localSyncTarget},
	}
}

const e2ePrefix = "tasks"

// objectStore is what the S3, GCS and Azure test servers share.
type objectStore interface {
	Put(t testing.TB, bucket, key string, data []byte)
	Keys(t testing.TB, bucket, prefix string) []string
	Get(t testing.TB, bucket, key string) []byte
}

// objectStoreTarget is a bucket or container: objects go below e2ePrefix.
func objectStoreTarget(srv objectStore, bucket string, attrs map[string]string) syncTarget {
	attrs["prefix"] = hclString(e2ePrefix)
	return syncTarget{
		attrs: attrs,
		put:   func(t *testing.T, name string, data []byte) { srv.Put(t, bucket, e2ePrefix+"/"+name, data) },
		objects: func(t *testing.T) map[string][]byte {
			out := map[string][]byte{}
			for _, key := range srv.Keys(t, bucket, e2ePrefix+"/") {
				out[strings.TrimPrefix(key, e2ePrefix+"/")] = srv.Get(t, bucket, key)
			}
			return out
		},
	}
}

func s3SyncTarget(t *testing.T, _ *testenv.Env, _ client.Direction) syncTarget {
	srv := testenv.S3(t)
	bucket := srv.NewBucket(t)
	return objectStoreTarget(srv, bucket, map[string]string{
		"bucket": hclString(bucket), "s3_endpoint": hclString(srv.Endpoint), "region_name": hclString(srv.Region),
		"aws_access_key_id": hclString(srv.AccessKey), "aws_secret_access_key": hclString(srv.SecretKey),
	})
}

func gcsSyncTarget(t *testing.T, _ *testenv.Env, _ client.Direction) syncTarget {
	srv := testenv.GCS(t)
	bucket := srv.NewBucket(t)
	return objectStoreTarget(srv, bucket, map[string]string{"bucket": hclString(bucket), "google_project_id": hclString("e2e-test")})
}

func azureSyncTarget(t *testing.T, _ *testenv.Env, _ client.Direction) syncTarget {
	srv := testenv.Azure(t)
	container := srv.NewContainer(t)
	return objectStoreTarget(srv, container, map[string]string{
		"container": hclString(container), "account_name": hclString(srv.AccountName), "account_key": hclString(srv.AccountKey),
	})
}

// Import tasks live under a key prefix of their own; an export names its keys
// by annotation id, with no prefix (API.md 6.5), so it gets a database that no
// other test writes while this one runs.
const redisImportDB = 11

func redisSyncTarget(t *testing.T, _ *testenv.Env, dir client.Direction) syncTarget {
	srv := testenv.Redis(t)
	db := redisImportDB
	if dir == client.Export {
		db = srv.ExclusiveDB(t)
	}
	keyPrefix := testenv.UniqueName(t, "e2e:")
	attrs := map[string]string{"host": hclString(srv.Host), "port": hclString(srv.Port), "db": strconv.Itoa(db), "path": hclString(keyPrefix)}
	if srv.Password != "" {
		attrs["password"] = hclString(srv.Password)
	}
	return syncTarget{
		attrs: attrs,
		put:   func(t *testing.T, name string, data []byte) { srv.Set(t, db, keyPrefix+name, string(data)) },
		objects: func(t *testing.T) map[string][]byte {
			out := map[string][]byte{}
			for _, key := range srv.Keys(t, db, "*") {
				value, _ := srv.Get(t, db, key)
				out[key] = []byte(value)
			}
			return out
		},
	}
}

func localSyncTarget(t *testing.T, env *testenv.Env, dir client.Direction) syncTarget {
	path := testenv.LocalDir(t, env, "e2e-"+string(dir))
	return syncTarget{
		attrs: map[string]string{"path": hclString(path)},
		put:   func(t *testing.T, name string, data []byte) { testenv.WriteFile(t, path, name, data) },
		objects: func(t *testing.T) map[string][]byte {
			entries, err := os.ReadDir(path)
			if err != nil {
				t.Fatalf("read %s: %v", path, err)
			}
			out := map[string][]byte{}
			for _, e := range entries {
				out[e.Name()] = testenv.ReadFile(t, path, e.Name())
			}
			return out
		},
	}
}

// syncE2EConfig is a storage of the kind and, when withSync, a sync of it.
func syncE2EConfig(env *testenv.Env, kind string, dir client.Direction, project int64, attrs map[string]string, withSync bool) string {
	resourceType := "labelstudio_" + storageTypeName(kindByTypeName(kind), dir)
	config := storageConfig(env, resourceType, withAttrs(attrs, map[string]string{"project": strconv.FormatInt(project, 10)}))
	if withSync {
		config += fmt.Sprintf("\nresource \"labelstudio_storage_sync\" \"test\" {\n  storages = [{ kind = %[1]s.test.type, direction = %[2]q, id = %[1]s.test.id }]\n}\n", resourceType, dir)
	}
	return config
}

// TestAccStorageSyncEndToEnd moves data through every kind the stand-in
// serves, against the real storage servers: objects put in the storage
// become tasks after an import sync, and annotations become objects after
// an export sync.
func TestAccStorageSyncEndToEnd(t *testing.T) {
	skipUnlessAcc(t)
	for _, tc := range syncTargetCases() {
		t.Run(tc.kind+"_import", func(t *testing.T) { testSyncImportEndToEnd(t, tc) })
		t.Run(tc.kind+"_export", func(t *testing.T) { testSyncExportEndToEnd(t, tc) })
	}
}

func testSyncImportEndToEnd(t *testing.T, tc syncTargetCase) {
	env := testenv.Start(t, testenv.Options{SyncMode: devserver.SyncQueued, Edition: tc.edition})
	c := testClient(t, env)
	skipUnlessServerOffers(t, env, c, kindByTypeName(tc.kind).apiKind, client.Import)
	project := testProject(t, c)
	target := tc.setup(t, env, client.Import)
	// The connection check lists the prefix: it needs one object first.
	target.put(t, "first.json", []byte(`{"text": "e2e object 1"}`))
	want := []string{"e2e object 1"}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: syncE2EConfig(env, tc.kind, client.Import, project, target.attrs, false),
				// Creating an import storage imports nothing by itself.
				Check: expectTaskTexts(t, c, project),
			},
			{
				PreConfig: func() {
					for i := 2; i <= 3; i++ {
						text := fmt.Sprintf("e2e object %d", i)
						target.put(t, fmt.Sprintf("object-%d.json", i), []byte(mustJSON(map[string]string{"text": text})))
						want = append(want, text)
					}
				},
				Config: syncE2EConfig(env, tc.kind, client.Import, project, target.attrs, true),
				ConfigStateChecks: []statecheck.StateCheck{
					resultValue("status", knownvalue.StringExact("completed")),
					resultValue("last_sync_count", knownvalue.Int64Exact(3)),
				},
				Check: func(s *terraform.State) error { return expectTaskTexts(t, c, project, want...)(s) },
			},
		},
	})
}

// expectTaskTexts checks the text of every task of the project.
func expectTaskTexts(t *testing.T, c *client.Client, project int64, want ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		tasks, err := testenv.ListTasks(t.Context(), c, project)
		if err != nil {
			return err
		}
		got := make([]string, 0, len(tasks))
		for _, task := range tasks {
			got = append(got, fmt.Sprint(task.Data["text"]))
		}
		sort.Strings(got)
		wanted := append([]string(nil), want...)
		sort.Strings(wanted)
		if strings.Join(got, "|") != strings.Join(wanted, "|") {
			return fmt.Errorf("the project's tasks hold %q, want %q", got, wanted)
		}
		return nil
	}
}

func testSyncExportEndToEnd(t *testing.T, tc syncTargetCase) {
	env := testenv.Start(t, testenv.Options{SyncMode: devserver.SyncQueued, Edition: tc.edition})
	c := testClient(t, env)
	skipUnlessServerOffers(t, env, c, kindByTypeName(tc.kind).apiKind, client.Export)
	project := testProject(t, c)
	target := tc.setup(t, env, client.Export)
	var annotations []int64

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// No annotations yet: the export storage's first sync
				// writes nothing.
				Config: syncE2EConfig(env, tc.kind, client.Export, project, target.attrs, false),
				Check: func(*terraform.State) error {
					if got := target.objects(t); len(got) != 0 {
						return fmt.Errorf("%d objects before any annotation", len(got))
					}
					return nil
				},
			},
			{
				PreConfig: func() { annotations = seedAnnotatedTasks(t, env, c, project, 3) },
				Config:    syncE2EConfig(env, tc.kind, client.Export, project, target.attrs, true),
				ConfigStateChecks: []statecheck.StateCheck{
					resultValue("status", knownvalue.StringExact("completed")),
					resultValue("last_sync_count", knownvalue.Int64Exact(3)),
				},
				Check: func(*terraform.State) error { return expectExported(t, target.objects(t), annotations) },
			},
		},
	})
}

// expectExported checks that the objects are exactly one per annotation,
// keyed by its id, each holding that annotation.
func expectExported(t *testing.T, objects map[string][]byte, annotations []int64) error {
	if len(objects) != len(annotations) {
		keys := make([]string, 0, len(objects))
		for key := range objects {
			keys = append(keys, key)
		}
		return fmt.Errorf("%d objects %q, want one per annotation %v", len(objects), keys, annotations)
	}
	for _, id := range annotations {
		data, ok := objects[strconv.FormatInt(id, 10)]
		if !ok {
			return fmt.Errorf("annotation %d was not exported", id)
		}
		var exported struct {
			ID     int64 `json:"id"`
			Result []any `json:"result"`
		}
		if err := json.Unmarshal(data, &exported); err != nil {
			return fmt.Errorf("object %d is not JSON: %v", id, err)
		}
		if exported.ID != id || len(exported.Result) == 0 {
			return fmt.Errorf("object %d holds annotation %d with %d regions, want annotation %d with its result", id, exported.ID, len(exported.Result), id)
		}
	}
	return nil
}
