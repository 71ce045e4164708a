package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv/mlbackend"
)

// interruptedType is one object type of TestCLIInterruptedApply.
type interruptedType struct {
	resourceType string
	// createPath matches the path of the type's create (a POST).
	createPath string
	// attrs are the attributes (HCL expressions) of the instances in
	// project, each named interruptName (its title, or in its URL).
	attrs func(t *testing.T, env *testenv.Env, project int64) map[string]string
	// onServer is every object of the type the test may have made (in
	// project, or for projects every one but project): id → name.
	onServer func(t *testing.T, c *client.Client, project int64) map[int64]string
}

// interruptCount is how many instances of the type the test declares.
const interruptCount = 12

// interruptName is the name of the instance count.index, an HCL template.
const interruptName = "interrupt-${count.index}"

// interruptedTypes: adding an object type to the Ctrl-C test is one row.
var interruptedTypes = []interruptedType{
	{
		resourceType: "labelstudio_project",
		createPath:   `^/api/projects/$`,
		attrs: func(*testing.T, *testenv.Env, int64) map[string]string {
			return map[string]string{"title": `"` + interruptName + `"`}
		},
		onServer: listedNames(func(c *client.Client, ctx context.Context, project int64) ([]client.Project, error) {
			all, err := c.ListProjects(ctx, client.ProjectFilter{})
			return slices.DeleteFunc(all, func(p client.Project) bool { return p.ID == project }), err
		}, func(p *client.Project) (int64, string) { return p.ID, p.Title }),
	},
	{
		resourceType: "labelstudio_local_import_storage",
		createPath:   `^/api/storages/localfiles/$`,
		attrs: func(t *testing.T, env *testenv.Env, project int64) map[string]string {
			root := testenv.LocalDir(t, env, "interrupt")
			for i := range interruptCount {
				testenv.LocalDir(t, env, fmt.Sprintf("interrupt/d%d", i))
			}
			return map[string]string{
				"project": fmt.Sprint(project),
				"title":   `"` + interruptName + `"`,
				"path":    `"` + filepath.ToSlash(root) + `/d${count.index}"`,
			}
		},
		onServer: listedNames(func(c *client.Client, ctx context.Context, project int64) ([]client.Storage, error) {
			return c.ListStorages(ctx, "localfiles", client.Import, project)
		}, func(st *client.Storage) (int64, string) {
			if st.Title == nil {
				return st.ID, ""
			}
			return st.ID, *st.Title
		}),
	},
	{
		// Label Studio has nothing unique about a webhook: only the
		// provider's finished create keeps a second one from appearing.
		resourceType: "labelstudio_webhook",
		createPath:   `^/api/webhooks/$`,
		attrs: func(_ *testing.T, _ *testenv.Env, project int64) map[string]string {
			return map[string]string{"project": fmt.Sprint(project), "url": `"https://hooks.example.com/` + interruptName + `"`}
		},
		onServer: listedNames((*client.Client).ListWebhooks, func(hook *client.Webhook) (int64, string) {
			u, _ := hook.Fields["url"].(string)
			return hook.ID, u
		}),
	},
	{
		resourceType: "labelstudio_view",
		createPath:   `^/api/dm/views/$`,
		attrs: func(_ *testing.T, _ *testenv.Env, project int64) map[string]string {
			return map[string]string{"project": fmt.Sprint(project), "title": `"` + interruptName + `"`}
		},
		onServer: listedNames((*client.Client).ListViews, func(view *client.View) (int64, string) {
			data, _ := view.Fields["data"].(map[string]any)
			title, _ := data["title"].(string)
			return view.ID, title
		}),
	},
	{
		// The stand-in calls the model server's /health and /setup in
		// the create, as Label Studio does: a real one answers them.
		resourceType: "labelstudio_ml_backend",
		createPath:   `^/api/ml/$`,
		attrs: func(t *testing.T, _ *testenv.Env, project int64) map[string]string {
			model := testenv.MLBackend(t, mlbackend.Config{})
			return map[string]string{"project": fmt.Sprint(project), "url": hclString(model.URL()), "title": `"` + interruptName + `"`}
		},
		onServer: listedNames((*client.Client).ListMLBackends, func(backend *client.MLBackend) (int64, string) {
			title, _ := backend.Fields["title"].(string)
			return backend.ID, title
		}),
	},
}

// listedNames is an onServer that lists the objects of a project with list
// and names each with name.
func listedNames[T any](list func(*client.Client, context.Context, int64) ([]T, error), name func(*T) (int64, string)) func(*testing.T, *client.Client, int64) map[int64]string {
	return func(t *testing.T, c *client.Client, project int64) map[int64]string {
		objects, err := list(c, t.Context(), project)
		if err != nil {
			t.Fatalf("list: %v", err)
		}
		names := make(map[int64]string, len(objects))
		for i := range objects {
			id, n := name(&objects[i])
			names[id] = n
		}
		return names
	}
}

// TestCLIInterruptedApply: Ctrl-C (one SIGINT) to the real terraform CLI
// while it creates objects of one type, for each type. The stand-in makes
// each object at once and holds the answers, so the interrupt comes while
// `parallelism` creates are provably in flight, whatever order Terraform
// walks in; the answers are released once the provider has been told to
// stop. Every object Label Studio made must then be in state (no orphan),
// the re-plan creates only the rest, and the re-apply leaves each object
// once (no duplicate).
func TestCLIInterruptedApply(t *testing.T) {
	terraformPath, cliConfig := cliPrerequisites(t)
	for _, typ := range interruptedTypes {
		t.Run(strings.TrimPrefix(typ.resourceType, "labelstudio_"), func(t *testing.T) {
			testInterruptedCreates(t, terraformPath, cliConfig, typ)
		})
	}
}

func testInterruptedCreates(t *testing.T, terraformPath, cliConfig string, typ interruptedType) {
	const count, parallelism = interruptCount, 5
	env := testenv.Start(t, testenv.Options{})
	dev := env.Dev(t)
	c := testClient(t, env)
	project := testProject(t, c)
	onServer := func() []int64 { return idsNamedOnce(t, typ.resourceType, typ.onServer(t, c, project)) }

	w := newCLIWorkdir(t, terraformPath, cliConfig, env)
	w.writeFile("main.tf", cliTerraformBlock+resourceBlock(typ.resourceType, "each", withAttrs(typ.attrs(t, env, project), map[string]string{"count": strconv.Itoa(count)})))
	// The provider's protocol log shows when it has been told to stop.
	logPath := filepath.Join(w.dir, "terraform.log")
	dev.HoldAnswers(t, "POST", typ.createPath)
	cmd := exec.Command(terraformPath, "apply", "-auto-approve", "-no-color", "-input=false", fmt.Sprintf("-parallelism=%d", parallelism))
	cmd.Dir = w.dir
	cmd.Env = append(slices.Clone(w.env), "TF_LOG_PROVIDER=TRACE", "TF_LOG_SDK_PROTO=TRACE", "TF_LOG_PATH="+logPath)
	var output bytes.Buffer
	cmd.Stdout = &output
	cmd.Stderr = &output
	if err := cmd.Start(); err != nil {
		t.Fatalf("start terraform apply: %v", err)
	}
	exited := make(chan struct{})
	var exitErr error
	go func() { exitErr = cmd.Wait(); close(exited) }()
	t.Cleanup(func() { // a failed test leaves no terraform running
		select {
		case <-exited:
		default:
			_ = cmd.Process.Kill()
			<-exited
		}
	})
	// waitFor polls until done holds; it fails the test when terraform
	// exits first or after two minutes.
	waitFor := func(what string, done func() bool) {
		t.Helper()
		for deadline := time.Now().Add(2 * time.Minute); !done(); {
			select {
			case <-exited:
				t.Fatalf("terraform apply exited (%v) before %s:\n%s", exitErr, what, output.String())
			case <-time.After(20 * time.Millisecond):
			}
			if time.Now().After(deadline) {
				t.Fatalf("no %s after two minutes:\n%s", what, output.String())
			}
		}
	}

	// Every slot Terraform has holds a create whose object exists.
	waitFor(fmt.Sprintf("%d creates in flight", parallelism), func() bool { return dev.Held(t) >= parallelism })
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatalf("SIGINT: %v", err)
	}
	waitFor("StopProvider in the provider's log", func() bool {
		data, _ := os.ReadFile(logPath)
		return bytes.Contains(data, []byte("Closed all our contexts"))
	})
	dev.ClearFaults(t)
	<-exited
	if exitErr == nil {
		t.Fatalf("the interrupted apply exited 0; it should have stopped early:\n%s", output.String())
	}

	server, state := onServer(), stateIDsOf(t, w, typ.resourceType)
	t.Logf("after the interrupt: Label Studio holds %d of the %d, state %d", len(server), count, len(state))
	if fmt.Sprint(server) != fmt.Sprint(state) {
		t.Fatalf("after the interrupt Label Studio holds %v, state %v (orphans are on the server only):\n%s", server, state, output.String())
	}
	if len(server) < parallelism || len(server) == count {
		t.Fatalf("after the interrupt Label Studio holds %d; want the %d creates in flight and not all %d:\n%s", len(server), parallelism, count, output.String())
	}
	if strings.Contains(output.String(), "context canceled") {
		t.Errorf("a create was cut short by the interrupt:\n%s", output.String())
	}

	// The re-plan creates exactly the rest; the re-apply leaves each once.
	plan := w.run(planChanges, "plan", "-detailed-exitcode")
	if want := fmt.Sprintf("Plan: %d to add, 0 to change, 0 to destroy.", count-len(state)); !strings.Contains(plan, want) {
		t.Errorf("re-plan lacks %q:\n%s", want, plan)
	}
	w.run(0, "apply", "-auto-approve")
	server, state = onServer(), stateIDsOf(t, w, typ.resourceType)
	if len(server) != count || fmt.Sprint(server) != fmt.Sprint(state) {
		t.Fatalf("after the re-apply Label Studio holds %d: %v, state %v; want %d, the same", len(server), server, state, count)
	}
	w.run(planNoChanges, "plan", "-detailed-exitcode")
	w.run(0, "destroy", "-auto-approve")
}

// idsNamedOnce are the ids of names, sorted; two ids with one name (every
// instance is named differently) are a duplicate create.
func idsNamedOnce(t *testing.T, what string, names map[int64]string) []int64 {
	t.Helper()
	ids := make([]int64, 0, len(names))
	seen := map[string]int{}
	for id, name := range names {
		ids = append(ids, id)
		seen[name]++
		if seen[name] == 2 {
			t.Errorf("duplicate: several %s named %q", what, name)
		}
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}

// stateIDsOf are the ids of every instance of one resource type in the
// working directory's local state, sorted.
func stateIDsOf(t *testing.T, w *cliWorkdir, resourceType string) []int64 {
	t.Helper()
	var state struct {
		Resources []struct {
			Type      string `json:"type"`
			Instances []struct {
				Attributes struct {
					ID json.Number `json:"id"`
				} `json:"attributes"`
			} `json:"instances"`
		} `json:"resources"`
	}
	data, err := os.ReadFile(filepath.Join(w.dir, "terraform.tfstate"))
	if os.IsNotExist(err) {
		return []int64{}
	}
	if err != nil {
		t.Fatalf("read the state: %v", err)
	}
	if err := json.Unmarshal(data, &state); err != nil {
		t.Fatalf("decode the state: %v", err)
	}
	ids := []int64{}
	for _, r := range state.Resources {
		if r.Type != resourceType {
			continue
		}
		for _, inst := range r.Instances {
			id, err := strconv.ParseInt(inst.Attributes.ID.String(), 10, 64)
			if err != nil {
				t.Fatalf("%s id %q: %v", resourceType, inst.Attributes.ID, err)
			}
			ids = append(ids, id)
		}
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}
