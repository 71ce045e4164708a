package provider

import (
	"cmp"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv"
)

// errorPathTarget is a resource whose every operation is made to fail once
// by a fault of the stand-in.
type errorPathTarget struct {
	address string
	// config is the provider (without retries, so that a failure is final
	// at once) and the resource with the given title.
	config func(title string) string
	// collection and item are the paths (regular expressions) of its create
	// and of its read, PATCH and DELETE; validate that of the connection
	// check run before a create or update ("" when there is none).
	collection, item, validate string
	// read is the path of its refresh when that is not item: storages are
	// read from their project's list, and by id when the list fails.
	read string
	// onServer returns the titles of the objects the server holds.
	onServer func(t *testing.T) []string
}

// errorPathSteps fails create (after a passed connection check), the first
// request of a create (transport error), a refresh (500), an update (after
// a passed connection check), a destroy (500) and an import with a bad ID,
// and checks after each that the user got the error and that state and the
// server agree: nothing created, the resource kept, the old values kept
// and planned again.
func errorPathSteps(t *testing.T, dev *testenv.DevClient, target errorPathTarget) []resource.TestStep {
	withFault := func(f testenv.Fault) func() {
		return func() {
			dev.ClearFaults(t)
			dev.AddFault(t, f)
		}
	}
	expectOnServer := func(want ...string) {
		t.Helper()
		got := target.onServer(t)
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("the server holds %q, want %q", got, want)
		}
	}
	serverHolds := func(want ...string) resource.TestCheckFunc {
		return func(*terraform.State) error {
			if got := target.onServer(t); strings.Join(got, ",") != strings.Join(want, ",") {
				return fmt.Errorf("the server holds %q, want %q", got, want)
			}
			return nil
		}
	}
	firstRequest := target.validate
	if firstRequest == "" {
		firstRequest = target.collection
	}
	return []resource.TestStep{
		{
			PreConfig:   withFault(testenv.Fault{Method: http.MethodPost, Path: target.collection, Mode: "fail"}),
			Config:      target.config("one"),
			ExpectError: regexp.MustCompile(`(?i)cannot create[\s\S]*(500|Internal Server Error)`),
		},
		{
			PreConfig: func() {
				expectOnServer() // the failed create left nothing behind
				withFault(testenv.Fault{Method: http.MethodPost, Path: firstRequest, Mode: "drop"})()
			},
			Config:      target.config("one"),
			ExpectError: regexp.MustCompile(`(?i)(cannot create|nothing was created)[\s\S]*EOF`),
		},
		{
			PreConfig: func() {
				dev.ClearFaults(t)
				expectOnServer()
			},
			Config: target.config("one"),
			Check:  serverHolds("one"),
		},
		{
			// A refresh that fails with anything but 404 is an error, and
			// the resource stays in state (the next step plans nothing).
			PreConfig:   withFault(testenv.Fault{Method: http.MethodGet, Path: cmp.Or(target.read, target.item), Mode: "fail"}),
			Config:      target.config("one"),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?i)cannot read[\s\S]*(500|Internal Server Error)`),
		},
		{
			PreConfig: func() { dev.ClearFaults(t) },
			Config:    target.config("one"),
			PlanOnly:  true,
		},
		{
			PreConfig:   withFault(testenv.Fault{Method: http.MethodPatch, Path: target.item, Mode: "fail"}),
			Config:      target.config("two"),
			ExpectError: regexp.MustCompile(`(?i)cannot update[\s\S]*(500|Internal Server Error)`),
		},
		{
			// The failed update changed nothing, and is planned again.
			PreConfig: func() {
				dev.ClearFaults(t)
				expectOnServer("one")
			},
			Config: target.config("two"),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(target.address, plancheck.ResourceActionUpdate),
			}},
			Check: serverHolds("two"),
		},
		{
			PreConfig:   withFault(testenv.Fault{Method: http.MethodDelete, Path: target.item, Mode: "fail"}),
			Config:      target.config("two"),
			Destroy:     true,
			ExpectError: regexp.MustCompile(`(?i)cannot delete[\s\S]*(500|Internal Server Error)`),
		},
		{
			// The failed destroy kept the resource, in state and on the server.
			PreConfig: func() {
				dev.ClearFaults(t)
				expectOnServer("two")
			},
			Config:   target.config("two"),
			PlanOnly: true,
		},
		{
			ResourceName:  target.address,
			ImportState:   true,
			ImportStateId: "not-a-number",
			Config:        target.config("two"),
			ExpectError:   regexp.MustCompile(`Invalid import ID[\s\S]*"not-a-number"`),
		},
	}
}

// testErrorPaths runs errorPathSteps, then checks that destroy left
// nothing on the server.
func testErrorPaths(t *testing.T, dev *testenv.DevClient, target errorPathTarget) {
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps:                    errorPathSteps(t, dev, target),
		CheckDestroy: func(*terraform.State) error {
			if left := target.onServer(t); len(left) > 0 {
				return fmt.Errorf("%s still on the server after destroy: %q", target.address, left)
			}
			return nil
		},
	})
}

func TestAccStorageErrorPaths(t *testing.T) {
	skipUnlessAcc(t)
	env := testenv.Start(t, testenv.Options{})
	dev := env.Dev(t)
	c := testClient(t, env)
	project := testProject(t, c)
	dir := testenv.LocalDir(t, env, "error-paths")
	testenv.WriteFile(t, dir, "task.json", []byte(accTaskJSON))
	target := errorPathTarget{
		address: "labelstudio_local_import_storage.test",
		config: func(title string) string {
			return storageConfig(env, "labelstudio_local_import_storage", map[string]string{
				"project": strconv.FormatInt(project, 10), "title": hclString(title), "path": hclString(dir),
			}, "max_retries = 0")
		},
		collection: `^/api/storages/localfiles/?$`,
		item:       `^/api/storages/localfiles/[0-9]+/?$`,
		read:       `^/api/storages/localfiles/([0-9]+/?)?$`,
		// No check before the create: Label Studio's local files create tests the path itself.
		onServer: func(t *testing.T) []string {
			list, err := c.ListStorages(t.Context(), "localfiles", client.Import, project)
			if err != nil {
				t.Fatalf("list storages: %v", err)
			}
			var titles []string
			for _, st := range list {
				if st.Title != nil {
					titles = append(titles, *st.Title)
				}
			}
			return titles
		},
	}
	testErrorPaths(t, dev, target)
}

func TestAccProjectErrorPaths(t *testing.T) {
	skipUnlessAcc(t)
	env := testenv.Start(t, testenv.Options{})
	dev := env.Dev(t)
	c := testClient(t, env)
	prefix := testenv.UniqueName(t, "error paths ")
	target := errorPathTarget{
		address: projectAddress,
		config: func(title string) string {
			return testAccProviderConfig(env, "max_retries = 0") + projectsConfig(prefix+title)
		},
		collection: `^/api/projects/?$`,
		item:       `^/api/projects/[0-9]+/?$`,
		onServer: func(t *testing.T) []string {
			projects, err := c.ListProjects(t.Context(), client.ProjectFilter{})
			if err != nil {
				t.Fatalf("list projects: %v", err)
			}
			var titles []string
			for _, p := range projects {
				if strings.HasPrefix(p.Title, prefix) {
					titles = append(titles, strings.TrimPrefix(p.Title, prefix))
				}
			}
			return titles
		},
	}
	testErrorPaths(t, dev, target)
}
