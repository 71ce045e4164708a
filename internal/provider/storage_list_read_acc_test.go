package provider

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/devserver"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv"
)

// listReadConfig is two projects' local-files storages: three imports and
// one export in each.
func listReadConfig(env *testenv.Env, projects [2]int64, dir string) string {
	var b strings.Builder
	b.WriteString(testAccProviderConfig(env))
	for i, project := range projects {
		for j := range 3 {
			fmt.Fprintf(&b, `
resource "labelstudio_local_import_storage" "p%[1]d_%[4]d" {
  project = %[2]d
  title   = "import %[4]d"
  path    = %[3]s
}
`, i, project, hclString(dir), j)
		}
		fmt.Fprintf(&b, `
resource "labelstudio_local_export_storage" "p%[1]d" {
  project = %[2]d
  title   = "export"
  path    = %[3]s
}
`, i, project, hclString(dir))
	}
	return b.String()
}

// TestAccStorageReadsFromProjectLists: a refresh reads every storage from
// its project's list (one request per kind, direction and project, no GET
// by id), the state it writes equals an import's (a GET by id) field by
// field, and drift made outside Terraform is planned as before: an edit and
// a storage switched off are updated, a deleted one created, one moved to
// another project is replaced there (not created again beside it), and
// neither a stored null recursive_scan (io_storages migration 0021) nor the
// list's health check turning a dead run failed (io_storages/base_models.py)
// shows a change.
func TestAccStorageReadsFromProjectLists(t *testing.T) {
	skipUnlessAcc(t)
	// Queued syncs, slow per object, so that a run can be lost midway.
	env := testenv.Start(t, testenv.Options{SyncMode: devserver.SyncQueued, SyncObjectDelay: time.Minute})
	if env.Real {
		t.Skip("counts requests and loses a sync job through the stand-in's /_dev hooks")
	}
	dev := env.Dev(t)
	c := testClient(t, env)
	projects := [2]int64{testProject(t, c), testProject(t, c)}
	dir := testenv.LocalDir(t, env, "list-reads")
	testenv.WriteFile(t, dir, "task.json", []byte(`{"text": "hello"}`))
	cfg := listReadConfig(env, projects, dir)
	refs := make(map[string]*client.StorageRef)
	ref := func(name string) *client.StorageRef {
		if refs[name] == nil {
			dirn := client.Import
			if strings.Contains(name, "export") {
				dirn = client.Export
			}
			refs[name] = &client.StorageRef{Kind: "localfiles", Direction: dirn}
		}
		return refs[name]
	}
	patch := func(name string, body map[string]any) {
		body["path"] = dir // Label Studio checks local files from the PATCH body alone
		if _, err := c.UpdateStorage(t.Context(), *ref(name), body); err != nil {
			t.Fatalf("change %s outside terraform: %v", name, err)
		}
	}
	const (
		edited   = "labelstudio_local_import_storage.p0_0"
		off      = "labelstudio_local_import_storage.p0_1"
		moved    = "labelstudio_local_import_storage.p0_2"
		deleted  = "labelstudio_local_export_storage.p0"
		nullScan = "labelstudio_local_import_storage.p1_0"
		lostRun  = "labelstudio_local_import_storage.p1_1"
	)

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				Check: resource.ComposeAggregateTestCheckFunc(
					captureID((edited), &ref(edited).ID), captureID((off), &ref(off).ID), captureID((moved), &ref(moved).ID),
					captureID((deleted), &ref(deleted).ID), captureID((nullScan), &ref(nullScan).ID), captureID((lostRun), &ref(lostRun).ID),
				),
			},
			{
				PreConfig:    func() { dev.ResetRequestCounts(t) },
				RefreshState: true,
				Check:        checkReadsServedByLists(t, dev, localStorageReads, 4),
			},
			{
				// An import reads by id; its state equals the refreshed one.
				ResourceName:            edited,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"path"}, // normalised by Label Studio; compared by meaning
			},
			{
				PreConfig: func() {
					patch(edited, map[string]any{"title": "changed outside"})
					patch(off, map[string]any{"synchronizable": false})
					patch(moved, map[string]any{"project": projects[1]})
					if err := c.DeleteStorage(t.Context(), *ref(deleted)); err != nil {
						t.Fatal(err)
					}
					patch(nullScan, map[string]any{"recursive_scan": nil})
					loseRunningSync(t, c, dev, *ref(lostRun))
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(edited, plancheck.ResourceActionUpdate),
					plancheck.ExpectResourceAction(off, plancheck.ResourceActionUpdate),
					plancheck.ExpectResourceAction(moved, plancheck.ResourceActionDestroyBeforeCreate),
					plancheck.ExpectResourceAction(deleted, plancheck.ResourceActionCreate),
					plancheck.ExpectResourceAction(nullScan, plancheck.ResourceActionNoop),
					plancheck.ExpectResourceAction(lostRun, plancheck.ResourceActionNoop),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(nullScan, tfjsonpath.New("recursive_scan"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(lostRun, tfjsonpath.New("status"), knownvalue.StringExact("failed")),
				},
				Check: checkStorageCounts(t, c, projects, 4, 4),
			},
			{Config: cfg, PlanOnly: true},
		},
	})
}

// listedReads names the stand-in's request counts (/_dev/requests) of one
// object type's reads: its list requests and its GETs by id.
type listedReads struct {
	noun        string
	lists, gets []string
}

var (
	localStorageReads = listedReads{
		noun:  "storages",
		lists: []string{"GET /api/storages/localfiles/", "GET /api/storages/export/localfiles"},
		gets:  []string{"GET /api/storages/localfiles/{id}", "GET /api/storages/export/localfiles/{id}"},
	}
	webhookReads = listedReads{noun: "webhooks", lists: []string{"GET /api/webhooks/"}, gets: []string{"GET /api/webhooks/{id}/"}}
	viewReads    = listedReads{noun: "views", lists: []string{"GET /api/dm/views/"}, gets: []string{"GET /api/dm/views/{id}/"}}
	projectReads = listedReads{noun: "projects", lists: []string{"GET /api/projects/"}, gets: []string{"GET /api/projects/{id}/"}}
)

// counts are the list requests and GETs by id since the counts were reset.
func (r listedReads) counts(t *testing.T, dev *testenv.DevClient) (lists, gets int, all map[string]int) {
	all = dev.RequestCounts(t)
	for _, name := range r.lists {
		lists += all[name]
	}
	for _, name := range r.gets {
		gets += all[name]
	}
	return lists, gets, all
}

// checkReadsServedByLists asserts that the objects were read from lists
// alone: at most one list request per group for each walk that read them,
// and no GET by id.
func checkReadsServedByLists(t *testing.T, dev *testenv.DevClient, reads listedReads, groups int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		lists, gets, all := reads.counts(t, dev)
		if gets != 0 || lists == 0 || lists%groups != 0 {
			return fmt.Errorf("refresh of %s in %d groups: %d list requests and %d GETs by id; want a multiple of %d and none (counts %v)", reads.noun, groups, lists, gets, groups, all)
		}
		return nil
	}
}

// checkStorageCounts asserts how many local-files storages each project
// holds on the server, so that nothing was left behind or made twice.
func checkStorageCounts(t *testing.T, c *client.Client, projects [2]int64, want ...int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for i, project := range projects {
			n := 0
			for _, dirn := range []client.Direction{client.Import, client.Export} {
				list, err := c.ListStorages(t.Context(), "localfiles", dirn, project)
				if err != nil {
					return err
				}
				n += len(list)
			}
			if n != want[i] {
				return fmt.Errorf("project %d holds %d storages, want %d", project, n, want[i])
			}
		}
		return nil
	}
}

// loseRunningSync starts a sync outside Terraform and makes its job vanish
// while it runs: a GET still says in_progress, the list marks it failed.
func loseRunningSync(t *testing.T, c *client.Client, dev *testenv.DevClient, ref client.StorageRef) {
	t.Helper()
	if _, err := c.SyncStorage(t.Context(), ref); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		st, err := c.GetStorage(t.Context(), ref)
		if err != nil {
			t.Fatal(err)
		}
		if st.Status == "in_progress" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the sync never ran: %s", st.Status)
		}
		time.Sleep(20 * time.Millisecond)
	}
	dev.LoseJob(t, ref.Kind, string(ref.Direction), ref.ID)
	if st, err := c.GetStorage(t.Context(), ref); err != nil || st.Status != "in_progress" {
		t.Fatalf("after the job was lost a GET shows %v, %v; want in_progress", st, err)
	}
}
