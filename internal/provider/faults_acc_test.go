package provider

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv/mlbackend"
)

// The fault matrix: every operation (create, read, update, delete, sync) of
// a storage and of a project, driven through every fault a proxy or a slow
// server produces. After each step what Label Studio holds must be what
// state holds (no orphan, no duplicate), and the re-plan that
// terraform-plugin-testing runs after every apply must be empty.

// faultRequestTimeout is the provider's request_timeout in these tests; the
// "slow" fault takes longer than that.
const faultRequestTimeout = "1s"

// matrixFault is one kind of failure, injected once into the request of
// the operation under test.
type matrixFault struct {
	name  string
	fault testenv.Fault // Method and Path are the operation's
	// createFails: a create under this fault cannot be settled (nothing was
	// made), so the apply fails and the next one creates the object.
	createFails bool
	// syncFails: a sync request under this fault started no sync.
	syncFails bool
}

func matrixFaults() []matrixFault {
	return []matrixFault{
		{name: "500", fault: testenv.Fault{Mode: "fail"}, createFails: true, syncFails: true},
		{name: "429", fault: testenv.Fault{Mode: "throttle", RetryAfter: 1}},
		{name: "drop", fault: testenv.Fault{Mode: "drop"}, createFails: true, syncFails: true},
		{name: "lost response", fault: testenv.Fault{Mode: "lose"}},
		{name: "slower than request_timeout", fault: testenv.Fault{Mode: "slow", DelayMS: 2500}},
	}
}

// faultOn is f aimed at one request, once.
func faultOn(f matrixFault, method, path string) testenv.Fault {
	out := f.fault
	out.Method, out.Path, out.Count = method, path, 1
	return out
}

// expectErrorIf is re when fails, else nil (the step must succeed).
func expectErrorIf(fails bool, re string) *regexp.Regexp {
	if !fails {
		return nil
	}
	return regexp.MustCompile(re)
}

// stateIDs are the ids in state of the resources of one type.
func stateIDs(s *terraform.State, typeName string) []int64 {
	var ids []int64
	for _, rs := range s.RootModule().Resources {
		if rs.Type != typeName {
			continue
		}
		if id, err := strconv.ParseInt(rs.Primary.ID, 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}

// checkServerMatchesState compares the ids Label Studio holds with the ids
// state holds.
func checkServerMatchesState(typeName string, held func() ([]int64, error)) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		onServer, err := held()
		if err != nil {
			return err
		}
		sort.Slice(onServer, func(i, j int) bool { return onServer[i] < onServer[j] })
		inState := stateIDs(s, typeName)
		if fmt.Sprint(onServer) != fmt.Sprint(inState) {
			return fmt.Errorf("Label Studio holds %s %v, state holds %v", typeName, onServer, inState)
		}
		return nil
	}
}

// runFaultMatrix runs one test per fault, in parallel (each has its own
// stand-in).
func runFaultMatrix(t *testing.T, test func(*testing.T, matrixFault)) {
	skipUnlessAcc(t)
	for _, f := range matrixFaults() {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			test(t, f)
		})
	}
}

// injector returns PreConfig functions that leave only f, aimed at one
// request, in place.
func injector(t *testing.T, dev *testenv.DevClient, f matrixFault) func(method, path string) func() {
	return func(method, path string) func() {
		return func() {
			dev.ClearFaults(t)
			dev.AddFault(t, faultOn(f, method, path))
		}
	}
}

func TestAccFaultMatrixStorage(t *testing.T) { runFaultMatrix(t, testFaultMatrixStorage) }

func testFaultMatrixStorage(t *testing.T, f matrixFault) {
	env := testenv.Start(t, testenv.Options{})
	dev := env.Dev(t)
	c := testClient(t, env)
	project := testProject(t, c)
	dir := testenv.LocalDir(t, env, "matrix")
	for i := range 3 {
		testenv.WriteFile(t, dir, fmt.Sprintf("task%d.json", i), []byte(fmt.Sprintf(`{"text":"t%d"}`, i)))
	}
	const typeName = "labelstudio_local_import_storage"
	const item = `^/api/storages/localfiles/[0-9]+$`
	config := func(title string, withSync, withStorage bool) string {
		var b strings.Builder
		b.WriteString(testAccProviderConfig(env, "request_timeout = "+hclString(faultRequestTimeout), "max_retries = 3"))
		if withStorage {
			fmt.Fprintf(&b, `
resource "labelstudio_local_import_storage" "test" {
  project = %d
  title   = %s
  path    = %s
}
`, project, hclString(title), hclString(dir))
		}
		if withSync {
			b.WriteString(`
resource "labelstudio_storage_sync" "test" {
  storages = [{ kind = "local", direction = "import", id = labelstudio_local_import_storage.test.id }]
}
`)
		}
		return b.String()
	}
	held := checkServerMatchesState(typeName, func() ([]int64, error) {
		list, err := c.ListStorages(t.Context(), "localfiles", client.Import, project)
		ids := make([]int64, 0, len(list))
		for _, st := range list {
			ids = append(ids, st.ID)
		}
		return ids, err
	})
	tasks := func(want int) resource.TestCheckFunc {
		return func(*terraform.State) error {
			list, err := testenv.ListTasks(t.Context(), c, project)
			if err != nil {
				return err
			}
			if len(list) != want {
				return fmt.Errorf("the project holds %d tasks, want %d (one per file, none twice)", len(list), want)
			}
			return nil
		}
	}
	inject := injector(t, dev, f)

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				PreConfig:   inject("POST", `^/api/storages/localfiles/$`),
				Config:      config("matrix", false, true),
				ExpectError: expectErrorIf(f.createFails, `(?s)no\s+matching\s+object\s+appeared.*terraform\s+import\s+labelstudio_local_import_storage\.NAME`),
				Check:       held,
			},
			{
				// After a failed create nothing is left behind, so this apply
				// creates the storage once; after a settled one it is a no-op.
				PreConfig: func() { dev.ClearFaults(t) },
				Config:    config("matrix", false, true),
				Check:     held,
			},
			{
				PreConfig: inject("PATCH", item),
				Config:    config("matrix renamed", false, true),
				Check: resource.ComposeTestCheckFunc(held,
					resource.TestCheckResourceAttr(typeName+".test", "title", "matrix renamed")),
			},
			{
				// A refresh reads the project's list, and by id if it fails.
				PreConfig: inject("GET", `^/api/storages/localfiles/[0-9]*$`),
				Config:    config("matrix renamed", false, true),
				Check:     held,
			},
			{
				PreConfig:   inject("POST", `^/api/storages/localfiles/[0-9]+/sync$`),
				Config:      config("matrix renamed", true, true),
				ExpectError: expectErrorIf(f.syncFails, `(?s)Storage sync failed.*no\s+new\s+sync\s+started`),
			},
			{
				// A failed sync leaves its resource tainted: this apply syncs
				// again, and the incremental import adds nothing twice.
				PreConfig: func() { dev.ClearFaults(t) },
				Config:    config("matrix renamed", true, true),
				Check:     resource.ComposeTestCheckFunc(held, tasks(3)),
			},
			{
				PreConfig: inject("DELETE", item),
				Config:    config("", false, false),
				Check:     held,
			},
		},
	})
}

// objectFaultRow is one object type of the object fault matrix: the
// create, update, refresh and delete of one object, each under the fault.
type objectFaultRow struct {
	typeName string
	// collection, item and read are the routes (as a fault's path) of the
	// create, of the object (update, delete), and of a refresh's reads.
	collection, item, read string
	// The update changes attribute from first to second.
	attribute, first, second string
	// configure prepares what the configuration needs.
	configure func(t *testing.T, env *testenv.Env, c *client.Client) objectFaultConfig
	// held lists the ids Label Studio holds in project.
	held func(ctx context.Context, c *client.Client, project int64) ([]int64, error)
}

// objectFaultConfig is a row's configuration: base goes beside the
// provider block, object(value) is the object's block for a value of the
// updated attribute, and project finds the object's project in a state.
type objectFaultConfig struct {
	base    string
	object  func(value string) string
	project func(*terraform.State) (int64, error)
}

// objectIDs is the ids of objects listed by list.
func objectIDs(list func(*client.Client, context.Context, int64) ([]client.Object, error)) func(context.Context, *client.Client, int64) ([]int64, error) {
	return func(ctx context.Context, c *client.Client, project int64) ([]int64, error) {
		objects, err := list(c, ctx, project)
		ids := make([]int64, 0, len(objects))
		for _, o := range objects {
			ids = append(ids, o.ID)
		}
		return ids, err
	}
}

// projectInState is the id of labelstudio_project.test.
func projectInState(s *terraform.State) (int64, error) {
	return strconv.ParseInt(s.RootModule().Resources["labelstudio_project.test"].Primary.ID, 10, 64)
}

var (
	projectFaultRow = objectFaultRow{
		typeName: "labelstudio_project", collection: `^/api/projects/$`, item: `^/api/projects/[0-9]+/$`,
		// A refresh reads a project by id, or with others from a list.
		read:      `^/api/projects/([0-9]+/)?$`,
		attribute: "title", first: "matrix", second: "matrix renamed",
		configure: func(*testing.T, *testenv.Env, *client.Client) objectFaultConfig {
			return objectFaultConfig{
				object: func(title string) string {
					return fmt.Sprintf(`
resource "labelstudio_project" "test" {
  title                 = %s
  maximum_annotations   = 2
  label_config          = "<View><Text name=\"text\" value=\"$text\"/><Choices name=\"c\" toName=\"text\"><Choice value=\"a\"/></Choices></View>"
}
`, hclString(title))
				},
				project: func(*terraform.State) (int64, error) { return 0, nil },
			}
		},
		held: func(ctx context.Context, c *client.Client, _ int64) ([]int64, error) {
			list, err := c.ListProjects(ctx, client.ProjectFilter{})
			ids := make([]int64, 0, len(list))
			for _, p := range list {
				ids = append(ids, p.ID)
			}
			return ids, err
		},
	}

	// Label Studio has nothing unique about a webhook, so a create whose
	// answer is lost must be settled by looking, and never leave a second
	// webhook.
	webhookFaultRow = objectFaultRow{
		typeName: "labelstudio_webhook", collection: `^/api/webhooks/$`, item: `^/api/webhooks/[0-9]+/$`,
		// A refresh reads the project's list, and by id if it fails.
		read:      `^/api/webhooks/([0-9]+/)?$`,
		attribute: "url", first: "https://hooks.example.com/matrix", second: "https://hooks.example.com/renamed",
		configure: func(*testing.T, *testenv.Env, *client.Client) objectFaultConfig {
			return objectFaultConfig{
				base: `
resource "labelstudio_project" "test" {
  title = "Webhook faults"
}
`,
				object: func(url string) string {
					return fmt.Sprintf(`
resource "labelstudio_webhook" "test" {
  project              = labelstudio_project.test.id
  url                  = %s
  send_for_all_actions = false
  actions              = ["TASKS_CREATED", "ANNOTATION_CREATED"]
  headers              = { Authorization = "Bearer matrix" }
}
`, hclString(url))
				},
				project: projectInState,
			}
		},
		held: objectIDs((*client.Client).ListWebhooks),
	}

	// Label Studio has nothing unique about a view and no creation time, so
	// a create whose answer is lost is settled against the views listed
	// before it, and never leaves a second view.
	viewFaultRow = objectFaultRow{
		typeName: "labelstudio_view", collection: `^/api/dm/views/$`, item: `^/api/dm/views/[0-9]+/$`,
		read:      `^/api/dm/views/([0-9]+/)?$`,
		attribute: "title", first: "matrix", second: "matrix renamed",
		configure: func(t *testing.T, _ *testenv.Env, c *client.Client) objectFaultConfig {
			project := testProject(t, c)
			return objectFaultConfig{
				object: func(title string) string {
					return fmt.Sprintf(`
resource "labelstudio_view" "test" {
  project = %d
  title   = %s
  filters = {
    conjunction = "and"
    items       = [{ filter = "filter:tasks:data.image", operator = "contains", type = "String", value = jsonencode("cat") }]
  }
  ordering = ["-tasks:id"]
}
`, project, hclString(title))
				},
				project: func(*terraform.State) (int64, error) { return project, nil },
			}
		},
		held: objectIDs((*client.Client).ListViews),
	}

	// Label Studio has nothing unique about an ML backend, and its create
	// calls the model (a real one here) twice, so a create whose answer is
	// lost is settled against the project's backends and never leaves a
	// second one; its webhook is Label Studio's, not state's.
	mlBackendFaultRow = objectFaultRow{
		typeName: "labelstudio_ml_backend", collection: `^/api/ml/$`, item: `^/api/ml/[0-9]+$`,
		read:      `^/api/ml/[0-9]+$`,
		attribute: "title", first: "yolo", second: "yolo-v2",
		configure: func(t *testing.T, _ *testenv.Env, _ *client.Client) objectFaultConfig {
			model := testenv.MLBackend(t, mlbackend.Config{})
			return objectFaultConfig{
				base: fmt.Sprintf(`
resource "labelstudio_project" "test" {
  title        = "ML backend faults"
  label_config = %s
}
`, hclString(mlLabelConfig)),
				object: func(title string) string {
					return fmt.Sprintf(`
resource "labelstudio_ml_backend" "test" {
  project      = labelstudio_project.test.id
  url          = %s
  title        = %s
  extra_params = jsonencode({ threshold = 0.5 })
}
`, hclString(model.URL()), hclString(title))
				},
				project: projectInState,
			}
		},
		held: objectIDs((*client.Client).ListMLBackends),
	}
)

func TestAccFaultMatrixProject(t *testing.T)   { runObjectFaultMatrix(t, projectFaultRow) }
func TestAccFaultMatrixWebhook(t *testing.T)   { runObjectFaultMatrix(t, webhookFaultRow) }
func TestAccFaultMatrixView(t *testing.T)      { runObjectFaultMatrix(t, viewFaultRow) }
func TestAccFaultMatrixMLBackend(t *testing.T) { runObjectFaultMatrix(t, mlBackendFaultRow) }

// runObjectFaultMatrix creates, updates, refreshes and deletes one object of
// row's type with each fault injected into that request in turn.
func runObjectFaultMatrix(t *testing.T, row objectFaultRow) {
	runFaultMatrix(t, func(t *testing.T, f matrixFault) {
		env := testenv.Start(t, testenv.Options{})
		dev := env.Dev(t)
		c := testClient(t, env)
		setup := row.configure(t, env, c)
		config := func(value string, withObject bool) string {
			out := testAccProviderConfig(env, "request_timeout = "+hclString(faultRequestTimeout), "max_retries = 3") + setup.base
			if withObject {
				out += setup.object(value)
			}
			return out
		}
		held := func(s *terraform.State) error {
			project, err := setup.project(s)
			if err != nil {
				return err
			}
			return checkServerMatchesState(row.typeName, func() ([]int64, error) { return row.held(t.Context(), c, project) })(s)
		}
		inject := injector(t, dev, f)

		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
			Steps: []resource.TestStep{
				{
					PreConfig:   inject("POST", row.collection),
					Config:      config(row.first, true),
					ExpectError: expectErrorIf(f.createFails, `(?s)no\s+matching\s+object\s+appeared.*terraform\s+import\s+`+row.typeName+`\.NAME`),
					Check:       held,
				},
				{
					PreConfig: func() { dev.ClearFaults(t) },
					Config:    config(row.first, true),
					Check:     held,
				},
				{
					PreConfig: inject("PATCH", row.item),
					Config:    config(row.second, true),
					Check: resource.ComposeTestCheckFunc(held,
						resource.TestCheckResourceAttr(row.typeName+".test", row.attribute, row.second)),
				},
				{
					PreConfig: inject("GET", row.read),
					Config:    config(row.second, true),
					Check:     held,
				},
				{
					PreConfig: inject("DELETE", row.item),
					Config:    config("", false),
					Check:     held,
				},
			},
		})
	})
}
