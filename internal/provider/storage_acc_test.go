package provider

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv"
)

// storageFixture is what one kind and direction needs for the lifecycle
// test: the attributes (HCL expressions) of the first and of the updated
// configuration, the secret values they carry, and the fields every PATCH
// made outside Terraform must repeat (Label Studio re-checks Redis and
// local-files storages from the PATCH body alone).
type storageFixture struct {
	create, update map[string]string
	secrets        []string
	patchBase      map[string]any
	// imported are the attributes of a configuration that an import block
	// must plan without changes: what the server returns, so no secrets,
	// no hidden fields and the local path as Label Studio stores it.
	imported map[string]string
}

// storageAccCase is one row of the lifecycle test table.
type storageAccCase struct {
	kind    string // the table's typeName
	dir     client.Direction
	options testenv.Options
	setup   func(t *testing.T, env *testenv.Env, project int64) storageFixture
}

func (c storageAccCase) typeName() string {
	return fmt.Sprintf("labelstudio_%s_%s_storage", c.kind, c.dir)
}

func (c storageAccCase) apiKind() string {
	for _, k := range storageKinds {
		if k.typeName == c.kind {
			return k.apiKind
		}
	}
	panic("unknown kind " + c.kind)
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

// skipUnlessServerOffers skips a kind that a real Label Studio lacks.
func skipUnlessServerOffers(t *testing.T, env *testenv.Env, c *client.Client, kind string, dir client.Direction) {
	t.Helper()
	if !env.Real {
		return
	}
	types, err := testenv.StorageTypes(t.Context(), c, dir)
	if err != nil {
		t.Fatalf("storage types: %v", err)
	}
	for _, st := range types {
		if st.Name == kind {
			return
		}
	}
	t.Skipf("this Label Studio offers no %s %s storage", kind, dir)
}

// storageConfig renders the provider and one storage resource.
func storageConfig(env *testenv.Env, typeName string, attrs map[string]string) string {
	names := make([]string, 0, len(attrs))
	for name := range attrs {
		names = append(names, name)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString(testAccProviderConfig(env))
	fmt.Fprintf(&b, "\nresource %q \"test\" {\n", typeName)
	for _, name := range names {
		fmt.Fprintf(&b, "  %s = %s\n", name, attrs[name])
	}
	b.WriteString("}\n")
	return b.String()
}

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

// captureID stores the resource's id from state into *id.
func captureID(name string, id *int64) resource.TestCheckFunc {
	return resource.TestCheckResourceAttrWith(name, "id", func(v string) error {
		n, err := strconv.ParseInt(v, 10, 64)
		*id = n
		return err
	})
}

// checkStoragesDestroyed asserts that every storage of the type in state is
// gone from the server.
func checkStoragesDestroyed(t *testing.T, c *client.Client, kind string, dir client.Direction, typeName string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		for _, rs := range s.RootModule().Resources {
			if rs.Type != typeName {
				continue
			}
			id, err := strconv.ParseInt(rs.Primary.ID, 10, 64)
			if err != nil {
				return fmt.Errorf("id %q: %w", rs.Primary.ID, err)
			}
			_, err = c.GetStorage(t.Context(), client.StorageRef{Kind: kind, Direction: dir, ID: id})
			if !errors.Is(err, client.ErrNotFound) {
				return fmt.Errorf("storage %d still exists after destroy (GET: %v)", id, err)
			}
		}
		return nil
	}
}

// secretFieldNames are the stateful secret attributes of a kind.
func secretFieldNames(kind string, dir client.Direction) []string {
	var names []string
	for _, f := range kindByTypeName(kind).fieldsFor(dir) {
		if f.secret {
			names = append(names, f.name)
		}
	}
	return names
}

// importIgnores lists what ImportStateVerify cannot compare: secrets, their
// write-only versions and hidden fields are never read back, sync
// bookkeeping moves on by itself (an export storage syncs right after
// create), and a local path is read back normalised.
func importIgnores(kind string, dir client.Direction) []string {
	out := []string{attrStatus, attrLastSync, attrLastSyncCount, attrLastSyncJob, attrTraceback, attrMeta}
	if kind == "local" {
		out = append(out, "path")
	}
	for _, k := range storageKinds {
		if k.typeName != kind {
			continue
		}
		for _, f := range k.fieldsFor(dir) {
			switch {
			case f.secret:
				out = append(out, f.name, versionName(f.name))
			case f.hidden:
				out = append(out, f.name)
			}
		}
	}
	return out
}

// TestAccStorageLifecycle runs every storage resource through create,
// import, in-place update, an empty plan, drift repaired in place, deletion
// outside Terraform and destroy, against the stand-in (or a real Label
// Studio) and the storage servers of scripts/services.sh.
func TestAccStorageLifecycle(t *testing.T) {
	for _, tc := range storageAccCases() {
		t.Run(tc.kind+"_"+string(tc.dir), func(t *testing.T) {
			testAccStorageLifecycle(t, tc)
		})
	}
}

func testAccStorageLifecycle(t *testing.T, tc storageAccCase) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1")
	}
	env := testenv.Start(t, tc.options)
	c := testClient(t, env)
	skipUnlessServerOffers(t, env, c, tc.apiKind(), tc.dir)
	project := testProject(t, c)
	fx := tc.setup(t, env, project)
	projectAttr := map[string]string{"project": strconv.FormatInt(project, 10)}
	createCfg := storageConfig(env, tc.typeName(), withAttrs(projectAttr, fx.create))
	updateCfg := storageConfig(env, tc.typeName(), withAttrs(projectAttr, fx.update))
	name := tc.typeName() + ".test"
	ref := client.StorageRef{Kind: tc.apiKind(), Direction: tc.dir}
	sameID := statecheck.CompareValue(compare.ValuesSame())

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkStoragesDestroyed(t, c, tc.apiKind(), tc.dir, tc.typeName()),
		Steps: []resource.TestStep{
			{
				Config: createCfg,
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(name, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(name, tfjsonpath.New("type"), knownvalue.StringExact(tc.apiKind())),
					statecheck.ExpectKnownValue(name, tfjsonpath.New("title"), knownvalue.StringExact("created by terraform")),
					statecheck.ExpectKnownValue(name, tfjsonpath.New("synchronizable"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(name, tfjsonpath.New("use_blob_urls"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(name, tfjsonpath.New("created_at"), knownvalue.NotNull()),
					statecheck.ExpectKnownValue(name, tfjsonpath.New("status"), knownvalue.NotNull()),
					statecheck.ExpectKnownValue(name, tfjsonpath.New("meta"), knownvalue.NotNull()),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					captureID(name, &ref.ID),
					// The create configures the stateful secret attributes:
					// they, and nothing else, may hold the secrets.
					checkNoSecretInState(fx.secrets, secretFieldNames(tc.kind, tc.dir)...),
					func(*terraform.State) error {
						st, err := c.GetStorage(t.Context(), ref)
						if err != nil {
							return err
						}
						if st.Title == nil || *st.Title != "created by terraform" {
							return fmt.Errorf("server title = %v", st.Title)
						}
						return nil
					},
				),
			},
			{
				ResourceName:            name,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: importIgnores(tc.kind, tc.dir),
				ImportStateCheck:        checkNoSecretInImportedState(fx.secrets),
			},
			{
				ResourceName:    name,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				Config:          storageConfig(env, tc.typeName(), withAttrs(projectAttr, fx.imported)),
			},
			{
				Config: updateCfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(name, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(name, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(name, tfjsonpath.New("title"), knownvalue.StringExact("updated by terraform")),
				},
				Check: checkNoSecretInState(fx.secrets),
			},
			{
				Config:   updateCfg,
				PlanOnly: true,
			},
			{
				// Changed outside Terraform: the plan repairs it in place.
				PreConfig: func() {
					body := map[string]any{"title": "changed outside"}
					for k, v := range fx.patchBase {
						body[k] = v
					}
					if _, err := c.UpdateStorage(t.Context(), ref, body); err != nil {
						t.Fatalf("change outside terraform: %v", err)
					}
				},
				Config: updateCfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(name, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(name, tfjsonpath.New("title"), knownvalue.StringExact("updated by terraform")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(name, tfjsonpath.New("id")),
				},
				Check: checkNoSecretInState(fx.secrets),
			},
			{
				// Deleted outside Terraform: the plan creates it again.
				PreConfig: func() {
					if err := c.DeleteStorage(t.Context(), ref); err != nil {
						t.Fatalf("delete outside terraform: %v", err)
					}
				},
				Config: updateCfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(name, plancheck.ResourceActionCreate),
				}},
				Check: checkNoSecretInState(fx.secrets),
			},
		},
	})
}

// storageAccCases is the lifecycle table: every kind in both directions.
func storageAccCases() []storageAccCase {
	var cases []storageAccCase
	for _, dir := range []client.Direction{client.Import, client.Export} {
		cases = append(cases,
			storageAccCase{kind: "s3", dir: dir, setup: s3Fixture(dir, false)},
			storageAccCase{kind: "s3s", dir: dir, setup: s3Fixture(dir, true), options: testenv.Options{Edition: "enterprise"}},
			storageAccCase{kind: "gcs", dir: dir, setup: gcsFixture(dir)},
			storageAccCase{kind: "azure_blob", dir: dir, setup: azureFixture(dir)},
			storageAccCase{kind: "local", dir: dir, setup: localFixture(dir)},
			storageAccCase{kind: "redis", dir: dir, setup: redisFixture(dir)},
		)
	}
	return cases
}

func localFixture(dir client.Direction) func(t *testing.T, env *testenv.Env, project int64) storageFixture {
	return func(t *testing.T, env *testenv.Env, project int64) storageFixture {
		path := testenv.LocalDir(t, env, fmt.Sprintf("acc-%d-%s", project, dir))
		testenv.WriteFile(t, path, "task.json", []byte(`{"text": "hello"}`))
		create := map[string]string{
			"title": hclString("created by terraform"),
			// Label Studio drops the trailing slash; it must never diff.
			"path": hclString(path + "/"),
		}
		update := map[string]string{
			"title":        hclString("updated by terraform"),
			"description":  hclString("managed by terraform"),
			"path":         hclString(path + "/"),
			"regex_filter": hclString(`.*\.json`),
			"timeouts":     `{ create = "2m", update = "2m", delete = "1m" }`,
		}
		if dir == client.Import {
			update["recursive_scan"] = "true"
		} else {
			update["can_delete_objects"] = "true"
		}
		imported := withAttrs(create, map[string]string{"path": hclString(path)})
		return storageFixture{create: create, update: update, patchBase: map[string]any{"path": path}, imported: imported}
	}
}

func redisFixture(dir client.Direction) func(t *testing.T, env *testenv.Env, project int64) storageFixture {
	return func(t *testing.T, _ *testenv.Env, _ int64) storageFixture {
		srv := testenv.Redis(t)
		create := map[string]string{
			"title": hclString("created by terraform"),
			"host":  hclString(srv.Host),
			"port":  hclString(srv.Port),
		}
		update := map[string]string{
			"title": hclString("updated by terraform"),
			"host":  hclString(srv.Host),
			"port":  hclString(srv.Port),
			"db":    "3",
			"path":  hclString(testenv.UniqueName(t, "acc:")),
		}
		patchBase := map[string]any{"host": srv.Host, "port": srv.Port, "db": 3}
		imported := withAttrs(create, nil)
		var secrets []string
		if srv.Password != "" {
			// The update moves the password to the write-only attribute:
			// from then on no secret may be left in state.
			create["password"] = hclString(srv.Password)
			update["password_wo"] = hclString(srv.Password)
			update["password_wo_version"] = "1"
			patchBase["password"] = srv.Password
			secrets = append(secrets, srv.Password)
		}
		return storageFixture{create: create, update: update, secrets: secrets, patchBase: patchBase, imported: imported}
	}
}

// objectStoreAttrs are the attributes S3, GCS and Azure share: a prefix
// holding one task file, and in the update the import options changed.
func objectStoreAttrs(dir client.Direction, update bool) map[string]string {
	if !update {
		return map[string]string{
			"title":  hclString("created by terraform"),
			"prefix": hclString("tasks"),
		}
	}
	attrs := map[string]string{
		"title":          hclString("updated by terraform"),
		"description":    hclString("managed by terraform"),
		"prefix":         hclString("tasks"),
		"regex_filter":   hclString(`.*\.json`),
		"use_blob_urls":  "false",
		"synchronizable": "true",
	}
	if dir == client.Import {
		attrs["presign"] = "false"
		attrs["presign_ttl"] = "15"
		attrs["recursive_scan"] = "true"
	} else {
		attrs["can_delete_objects"] = "true"
	}
	return attrs
}

const accTaskJSON = `{"text": "hello"}`

func s3Fixture(dir client.Direction, withRole bool) func(t *testing.T, env *testenv.Env, project int64) storageFixture {
	return func(t *testing.T, _ *testenv.Env, _ int64) storageFixture {
		srv := testenv.S3(t)
		bucket := srv.NewBucket(t)
		srv.Put(t, bucket, "tasks/one.json", []byte(accTaskJSON))
		location := map[string]string{
			"bucket":      hclString(bucket),
			"s3_endpoint": hclString(srv.Endpoint),
			"region_name": hclString(srv.Region),
		}
		if withRole {
			location["role_arn"] = hclString("arn:aws:iam::123456789012:role/label-studio")
			location["external_id"] = hclString("acc-external-id")
		}
		create := withAttrs(withAttrs(location, objectStoreAttrs(dir, false)), map[string]string{
			"aws_access_key_id":     hclString(srv.AccessKey),
			"aws_secret_access_key": hclString(srv.SecretKey),
		})
		// The update moves both keys to the write-only attributes.
		update := withAttrs(withAttrs(location, objectStoreAttrs(dir, true)), map[string]string{
			"aws_access_key_id_wo":             hclString(srv.AccessKey),
			"aws_access_key_id_wo_version":     "1",
			"aws_secret_access_key_wo":         hclString(srv.SecretKey),
			"aws_secret_access_key_wo_version": "1",
		})
		return storageFixture{create: create, update: update, secrets: []string{srv.AccessKey, srv.SecretKey},
			imported: withAttrs(location, objectStoreAttrs(dir, false))}
	}
}

func gcsFixture(dir client.Direction) func(t *testing.T, env *testenv.Env, project int64) storageFixture {
	return func(t *testing.T, _ *testenv.Env, _ int64) storageFixture {
		srv := testenv.GCS(t)
		bucket := srv.NewBucket(t)
		srv.Put(t, bucket, "tasks/one.json", []byte(accTaskJSON))
		// The emulator checks no credentials; Label Studio only needs JSON.
		// The document holds a key, so that the scan of state looks for it.
		credentials := testCredentials
		location := map[string]string{
			"bucket":            hclString(bucket),
			"google_project_id": hclString("acc-test"),
		}
		create := withAttrs(withAttrs(location, objectStoreAttrs(dir, false)), map[string]string{
			"google_application_credentials": hclString(credentials),
		})
		update := withAttrs(withAttrs(location, objectStoreAttrs(dir, true)), map[string]string{
			"google_application_credentials_wo":         hclString(credentials),
			"google_application_credentials_wo_version": "1",
		})
		return storageFixture{create: create, update: update, secrets: []string{credentials},
			imported: withAttrs(location, objectStoreAttrs(dir, false))}
	}
}

func azureFixture(dir client.Direction) func(t *testing.T, env *testenv.Env, project int64) storageFixture {
	return func(t *testing.T, _ *testenv.Env, _ int64) storageFixture {
		srv := testenv.Azure(t)
		container := srv.NewContainer(t)
		srv.Put(t, container, "tasks/one.json", []byte(accTaskJSON))
		location := map[string]string{
			"container":    hclString(container),
			"account_name": hclString(srv.AccountName),
		}
		create := withAttrs(withAttrs(location, objectStoreAttrs(dir, false)), map[string]string{
			"account_key": hclString(srv.AccountKey),
		})
		update := withAttrs(withAttrs(location, objectStoreAttrs(dir, true)), map[string]string{
			"account_key_wo":         hclString(srv.AccountKey),
			"account_key_wo_version": "1",
		})
		return storageFixture{create: create, update: update, secrets: []string{srv.AccountKey},
			imported: withAttrs(map[string]string{"container": location["container"]}, objectStoreAttrs(dir, false))}
	}
}
