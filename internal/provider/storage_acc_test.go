package provider

import (
	"errors"
	"fmt"
	"strconv"
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
// write-only versions and hidden fields are never read back, an export
// storage's sync bookkeeping moves on by itself (it syncs right after
// create), and a local path is read back normalised.
func importIgnores(kind string, dir client.Direction) []string {
	var out []string
	if dir == client.Export {
		out = append(out, attrStatus, attrLastSync, attrLastSyncCount, attrLastSyncJob, attrTraceback, attrMeta)
	}
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
	skipUnlessAcc(t)
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
				// A refresh reads the storage from its project's list, and the
				// import below (a GET by id) must write the same state.
				RefreshState: true,
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
