package provider

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv"
)

// TestCLIInterruptedApply: Ctrl-C (one SIGINT) while the real terraform
// CLI creates many storages and projects whose creates take 300 ms. Every
// object Label Studio made must be in state (no orphan); the re-plan
// creates only the rest, and the re-apply leaves each object once (no
// duplicate).
func TestCLIInterruptedApply(t *testing.T) {
	terraformPath, cliConfig := cliPrerequisites(t)
	env := testenv.Start(t, testenv.Options{})
	dev := env.Dev(t)
	c := testClient(t, env)
	project := testProject(t, c)
	const storages, projects = 100, 20
	root := testenv.LocalDir(t, env, "interrupt")
	for i := range storages {
		testenv.LocalDir(t, env, fmt.Sprintf("interrupt/d%d", i))
	}

	w := newCLIWorkdir(t, terraformPath, cliConfig, env)
	w.writeFile("main.tf", cliTerraformBlock+fmt.Sprintf(`
resource "labelstudio_local_import_storage" "s" {
  count   = %d
  project = %d
  title   = "interrupt-${count.index}"
  path    = "%s/d${count.index}"
}

resource "labelstudio_project" "p" {
  count = %d
  title = "interrupt-${count.index}"
}
`, storages, project, filepath.ToSlash(root), projects))
	dev.AddFault(t, testenv.Fault{Method: "POST", Path: `^/api/storages/localfiles/$`, Mode: "slow", DelayMS: 300})
	dev.AddFault(t, testenv.Fault{Method: "POST", Path: `^/api/projects/$`, Mode: "slow", DelayMS: 300})
	heldProjects := func() []int64 {
		list, err := c.ListProjects(t.Context(), client.ProjectFilter{})
		if err != nil {
			t.Fatalf("list projects: %v", err)
		}
		ids := []int64{}
		titles := map[string]int{}
		for _, p := range list {
			if p.ID == project {
				continue
			}
			ids = append(ids, p.ID)
			titles[p.Title]++
			if titles[p.Title] > 1 {
				t.Errorf("duplicate: %d projects titled %q", titles[p.Title], p.Title)
			}
		}
		sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
		return ids
	}

	held := func() []int64 {
		list, err := c.ListStorages(t.Context(), "localfiles", client.Import, project)
		if err != nil {
			t.Fatalf("list storages: %v", err)
		}
		ids := make([]int64, 0, len(list))
		titles := map[string]int{}
		for _, st := range list {
			ids = append(ids, st.ID)
			if st.Title != nil {
				titles[*st.Title]++
				if titles[*st.Title] > 1 {
					t.Errorf("duplicate: %d storages titled %q", titles[*st.Title], *st.Title)
				}
			}
		}
		sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
		return ids
	}

	// The interrupted apply.
	cmd := exec.Command(terraformPath, "apply", "-auto-approve", "-no-color", "-input=false")
	cmd.Dir = w.dir
	cmd.Env = w.env
	var output bytes.Buffer
	cmd.Stdout = &output
	cmd.Stderr = &output
	if err := cmd.Start(); err != nil {
		t.Fatalf("start terraform apply: %v", err)
	}
	interrupted := false
	for range 600 {
		if n := len(held()); n >= 10 {
			// The next creates are now inside their 300 ms.
			time.Sleep(150 * time.Millisecond)
			if err := cmd.Process.Signal(os.Interrupt); err != nil {
				t.Fatalf("SIGINT: %v", err)
			}
			interrupted = true
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	waitErr := cmd.Wait()
	if !interrupted {
		t.Fatalf("no storage was created before the apply ended: %v\n%s", waitErr, output.String())
	}
	if waitErr == nil {
		t.Fatalf("the interrupted apply exited 0; it should have stopped early:\n%s", output.String())
	}
	onServer, inState := held(), stateIDsOf(t, w, "labelstudio_local_import_storage")
	projectsOnServer, projectsInState := heldProjects(), stateIDsOf(t, w, "labelstudio_project")
	t.Logf("after the interrupt: Label Studio holds %d storages and %d projects, state %d and %d",
		len(onServer), len(projectsOnServer), len(inState), len(projectsInState))
	if fmt.Sprint(onServer) != fmt.Sprint(inState) || fmt.Sprint(projectsOnServer) != fmt.Sprint(projectsInState) {
		t.Fatalf("after the interrupt Label Studio holds storages %v and projects %v, state %v and %v (orphans are in the first only):\n%s",
			onServer, projectsOnServer, inState, projectsInState, output.String())
	}
	if len(onServer)+len(projectsOnServer) == storages+projects {
		t.Fatalf("the interrupt came too late: every object was created")
	}
	if strings.Contains(output.String(), "context canceled") {
		t.Errorf("a create was cut short by the interrupt:\n%s", output.String())
	}

	// The re-plan creates exactly the rest; the re-apply leaves each once.
	plan := w.run(planChanges, "plan", "-detailed-exitcode")
	if want := fmt.Sprintf("Plan: %d to add, 0 to change, 0 to destroy.", storages+projects-len(inState)-len(projectsInState)); !strings.Contains(plan, want) {
		t.Errorf("re-plan lacks %q:\n%s", want, plan)
	}
	dev.ClearFaults(t)
	w.run(0, "apply", "-auto-approve")
	onServer, inState = held(), stateIDsOf(t, w, "labelstudio_local_import_storage")
	if len(onServer) != storages || fmt.Sprint(onServer) != fmt.Sprint(inState) {
		t.Fatalf("after the re-apply Label Studio holds %d storages %v, state %v; want %d, the same", len(onServer), onServer, inState, storages)
	}
	projectsOnServer, projectsInState = heldProjects(), stateIDsOf(t, w, "labelstudio_project")
	if len(projectsOnServer) != projects || fmt.Sprint(projectsOnServer) != fmt.Sprint(projectsInState) {
		t.Fatalf("after the re-apply Label Studio holds %d projects %v, state %v; want %d, the same", len(projectsOnServer), projectsOnServer, projectsInState, projects)
	}
	w.run(planNoChanges, "plan", "-detailed-exitcode")
	w.run(0, "destroy", "-auto-approve")
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
