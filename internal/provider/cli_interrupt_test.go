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
// CLI creates many storages, projects and webhooks whose creates take
// 300 ms. Every object Label Studio made must be in state (no orphan); the
// re-plan creates only the rest, and the re-apply leaves each object once
// (no duplicate). Webhooks matter most: Label Studio has nothing unique
// about them, so only the provider's finished create keeps a second one
// from appearing.
func TestCLIInterruptedApply(t *testing.T) {
	terraformPath, cliConfig := cliPrerequisites(t)
	env := testenv.Start(t, testenv.Options{})
	dev := env.Dev(t)
	c := testClient(t, env)
	project := testProject(t, c)
	const storages, projects, webhooks = 100, 20, 40
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

resource "labelstudio_webhook" "w" {
  count   = %d
  project = %d
  url     = "https://hooks.example.com/interrupt-${count.index}"
}
`, storages, project, filepath.ToSlash(root), projects, webhooks, project))
	dev.AddFault(t, testenv.Fault{Method: "POST", Path: `^/api/storages/localfiles/$`, Mode: "slow", DelayMS: 300})
	dev.AddFault(t, testenv.Fault{Method: "POST", Path: `^/api/projects/$`, Mode: "slow", DelayMS: 300})
	dev.AddFault(t, testenv.Fault{Method: "POST", Path: `^/api/webhooks/$`, Mode: "slow", DelayMS: 300})
	heldProjects := func() []int64 {
		list, err := c.ListProjects(t.Context(), client.ProjectFilter{})
		if err != nil {
			t.Fatalf("list projects: %v", err)
		}
		titles := map[int64]string{}
		for _, p := range list {
			if p.ID != project {
				titles[p.ID] = p.Title
			}
		}
		return uniquelyNamedIDs(t, "projects titled", titles)
	}

	held := func() []int64 {
		list, err := c.ListStorages(t.Context(), "localfiles", client.Import, project)
		if err != nil {
			t.Fatalf("list storages: %v", err)
		}
		titles := map[int64]string{}
		for _, st := range list {
			titles[st.ID] = ""
			if st.Title != nil {
				titles[st.ID] = *st.Title
			}
		}
		return uniquelyNamedIDs(t, "storages titled", titles)
	}

	// Webhooks have no title; the URL tells them apart.
	heldWebhooks := func() []int64 {
		list, err := c.ListWebhooks(t.Context(), project)
		if err != nil {
			t.Fatalf("list webhooks: %v", err)
		}
		urls := map[int64]string{}
		for _, hook := range list {
			urls[hook.ID], _ = hook.Fields["url"].(string)
		}
		return uniquelyNamedIDs(t, "webhooks with url", urls)
	}

	// A create is in flight while the stand-in has counted its request
	// but does not list its object yet. The counts are read before the
	// lists, so a create counted and not listed is still in flight when
	// the lists are read.
	inFlight := func() (webhooks, storages int) {
		counts := dev.RequestCounts(t)
		webhooks = counts["POST /api/webhooks/"] - len(heldWebhooks())
		storages = counts["POST /api/storages/localfiles/"] - len(held())
		return webhooks, storages
	}

	// The interrupted apply.
	dev.ResetRequestCounts(t)
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
		// Terraform's order among the three resources varies from run
		// to run: wait until creates of several webhooks and storages
		// are in flight, then interrupt them.
		if webhooks, storages := inFlight(); webhooks >= 3 && storages >= 3 {
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
		t.Fatalf("the apply never had 3 webhook creates in flight together with 3 storage creates: %v\n%s", waitErr, output.String())
	}
	if waitErr == nil {
		t.Fatalf("the interrupted apply exited 0; it should have stopped early:\n%s", output.String())
	}
	onServer, inState := held(), stateIDsOf(t, w, "labelstudio_local_import_storage")
	projectsOnServer, projectsInState := heldProjects(), stateIDsOf(t, w, "labelstudio_project")
	webhooksOnServer, webhooksInState := heldWebhooks(), stateIDsOf(t, w, "labelstudio_webhook")
	t.Logf("after the interrupt: Label Studio holds %d storages, %d projects and %d webhooks, state %d, %d and %d",
		len(onServer), len(projectsOnServer), len(webhooksOnServer), len(inState), len(projectsInState), len(webhooksInState))
	if fmt.Sprint(onServer) != fmt.Sprint(inState) || fmt.Sprint(projectsOnServer) != fmt.Sprint(projectsInState) ||
		fmt.Sprint(webhooksOnServer) != fmt.Sprint(webhooksInState) {
		t.Fatalf("after the interrupt Label Studio holds storages %v, projects %v and webhooks %v; state %v, %v and %v (orphans are on the server only):\n%s",
			onServer, projectsOnServer, webhooksOnServer, inState, projectsInState, webhooksInState, output.String())
	}
	if len(onServer)+len(projectsOnServer) == storages+projects || len(webhooksOnServer) == webhooks {
		t.Fatalf("the interrupt came too late: every storage and project, or every webhook, was created")
	}
	if strings.Contains(output.String(), "context canceled") {
		t.Errorf("a create was cut short by the interrupt:\n%s", output.String())
	}

	// The re-plan creates exactly the rest; the re-apply leaves each once.
	plan := w.run(planChanges, "plan", "-detailed-exitcode")
	if want := fmt.Sprintf("Plan: %d to add, 0 to change, 0 to destroy.", storages+projects+webhooks-len(inState)-len(projectsInState)-len(webhooksInState)); !strings.Contains(plan, want) {
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
	webhooksOnServer, webhooksInState = heldWebhooks(), stateIDsOf(t, w, "labelstudio_webhook")
	if len(webhooksOnServer) != webhooks || fmt.Sprint(webhooksOnServer) != fmt.Sprint(webhooksInState) {
		t.Fatalf("after the re-apply Label Studio holds %d webhooks %v, state %v; want %d, the same", len(webhooksOnServer), webhooksOnServer, webhooksInState, webhooks)
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

// uniquelyNamedIDs are the ids of names, sorted; two ids with one name
// (the test names every object differently) are a duplicate create.
func uniquelyNamedIDs(t *testing.T, what string, names map[int64]string) []int64 {
	t.Helper()
	ids := make([]int64, 0, len(names))
	seen := map[string]int{}
	for id, name := range names {
		ids = append(ids, id)
		seen[name]++
		if seen[name] == 2 {
			t.Errorf("duplicate: several %s %q", what, name)
		}
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}
