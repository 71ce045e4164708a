package provider

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv"
)

// batchedProjectsConfig is twelve projects with settings of their own.
func batchedProjectsConfig(env *testenv.Env) string {
	var b strings.Builder
	b.WriteString(testAccProviderConfig(env))
	for i := range 12 {
		fmt.Fprintf(&b, `
resource "labelstudio_project" "p%[1]d" {
  title               = "Batched %[1]d"
  description         = "read with the others"
  expert_instruction  = "<b>label</b> carefully"
  maximum_annotations = %[2]d
  sampling            = "Uniform sampling"
  color               = "#00AA%02[1]d"
  label_config        = "<View><Text name=\"t\" value=\"$text\"/><Choices name=\"c\" toName=\"t\"><Choice value=\"yes\"/></Choices></View>"
}
`, i, i%3+1)
	}
	return b.String()
}

// TestAccProjectReadsBatched: project reads made while another is in flight
// go out together as GET /api/projects/?ids= (projects/api.py,
// ProjectFilterSet), and the state they write equals an import's (a GET by
// id); drift is planned as before: an edit is updated, a project deleted
// outside Terraform created again.
func TestAccProjectReadsBatched(t *testing.T) {
	skipUnlessAcc(t)
	env := testenv.Start(t, testenv.Options{})
	if env.Real {
		t.Skip("counts requests through the stand-in's /_dev hooks")
	}
	dev := env.Dev(t)
	c := testClient(t, env)
	cfg := batchedProjectsConfig(env)
	var edited, deleted int64

	// The first read of the refresh (and of the drift plan) is held at the
	// stand-in until Terraform has handed the provider as many reads as it
	// runs at once: they wait for the held one and go out together.
	reads := &readResourceGauge{}
	var held func() error
	holdFirstRead := func() { held = holdFirstProjectRead(t, dev, reads) }
	// checkBatched: some reads went out together, and (for a refresh alone)
	// the 12 reads cost fewer than 12 requests.
	checkBatched := func(refreshOnly bool) resource.TestCheckFunc {
		return func(*terraform.State) error {
			if err := held(); err != nil {
				return err
			}
			lists, gets, all := projectReads.counts(t, dev)
			t.Logf("12 project reads: %d lists by ids, %d GETs by id", lists, gets)
			if lists == 0 || refreshOnly && gets+lists >= 12 {
				return fmt.Errorf("12 project reads: %d lists by ids and %d GETs by id; want the reads batched (counts %v)", lists, gets, all)
			}
			return nil
		}
	}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: map[string]func() (tfprotov6.ProviderServer, error){
			"labelstudio": func() (tfprotov6.ProviderServer, error) {
				server, err := testAccProtoV6ProviderFactories["labelstudio"]()
				return reads.wrap(server), err
			},
		},
		Steps: []resource.TestStep{
			{
				Config: cfg,
				Check:  resource.ComposeAggregateTestCheckFunc(captureID("labelstudio_project.p4", &edited), captureID("labelstudio_project.p7", &deleted)),
			},
			{PreConfig: holdFirstRead, RefreshState: true, Check: checkBatched(true)},
			// Imports read by id alone; their state equals the refreshed
			// one. Of any two projects, at least one came from a list.
			{ResourceName: "labelstudio_project.p4", ImportState: true, ImportStateVerify: true},
			{ResourceName: "labelstudio_project.p7", ImportState: true, ImportStateVerify: true},
			{
				PreConfig: func() {
					if _, err := c.UpdateProject(t.Context(), edited, map[string]any{"title": "Edited outside"}); err != nil {
						t.Fatal(err)
					}
					if err := c.DeleteProject(t.Context(), deleted); err != nil {
						t.Fatal(err)
					}
					holdFirstRead()
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("labelstudio_project.p4", plancheck.ResourceActionUpdate),
					plancheck.ExpectResourceAction("labelstudio_project.p7", plancheck.ResourceActionCreate),
					plancheck.ExpectResourceAction("labelstudio_project.p0", plancheck.ResourceActionNoop),
				}},
				Check: checkBatched(false),
			},
			{Config: cfg, PlanOnly: true},
		},
	})
}

// cliParallelism is how many resources Terraform and OpenTofu refresh at once
// (their default -parallelism, which the tests do not change).
const cliParallelism = 10

// readResourceGauge counts the ReadResource calls of the provider it wraps:
// those running, and those answered since it was reset.
type readResourceGauge struct{ running, answered atomic.Int64 }

func (g *readResourceGauge) wrap(server tfprotov6.ProviderServer) tfprotov6.ProviderServer {
	if server == nil {
		return nil
	}
	return gaugedProvider{ProviderServer: server, gauge: g}
}

// gaugedProvider is the provider as served, with its reads counted.
type gaugedProvider struct {
	tfprotov6.ProviderServer
	gauge *readResourceGauge
}

func (p gaugedProvider) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	p.gauge.running.Add(1)
	defer func() {
		p.gauge.running.Add(-1)
		p.gauge.answered.Add(1)
	}()
	return p.ProviderServer.ReadResource(ctx, req)
}

// holdFirstProjectRead holds the answer of the next project GET by id at the
// stand-in (the first read of a walk, sent while no other is in flight) and
// releases it once the stand-in holds it and Terraform has handed the
// provider cliParallelism reads at once: the others are then waiting for it,
// and go out together after it. A read answered while it is held means reads
// do not wait for the one in flight; it is released at once. The returned
// function waits for the release and says what went wrong.
func holdFirstProjectRead(t *testing.T, dev *testenv.DevClient, reads *readResourceGauge) func() error {
	t.Helper()
	dev.ResetRequestCounts(t)
	reads.answered.Store(0)
	dev.AddFault(t, testenv.Fault{Method: http.MethodGet, Path: `^/api/projects/[0-9]+/$`, Mode: "hold", Count: 1})
	result := make(chan error, 1)
	stop := make(chan struct{})
	go func() {
		var err error
		defer func() { result <- err }() // also when a hook request ends this goroutine
		// A guard against a hang, not a timing assumption: the condition
		// holds as soon as Terraform has sent its reads, or never.
		deadline := time.Now().Add(time.Minute)
		for {
			running, answered := reads.running.Load(), reads.answered.Load()
			if answered > 0 {
				err = fmt.Errorf("%d project reads were answered while the first was held (%d running); want every read to wait for the one in flight", answered, running)
				break
			}
			if running == cliParallelism && dev.Held(t) == 1 {
				break
			}
			if time.Now().After(deadline) {
				err = fmt.Errorf("after a minute %d project reads run and the stand-in holds %d answers; want %d and 1", running, dev.Held(t), cliParallelism)
				break
			}
			select {
			case <-stop: // the test ended first; the stand-in stops with it
				err = errors.New("the test ended before the held read was released")
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
		dev.ClearFaults(t)
	}()
	var once sync.Once
	var err error
	wait := func() error {
		once.Do(func() { err = <-result })
		return err
	}
	t.Cleanup(func() {
		close(stop)
		_ = wait()
	})
	return wait
}
