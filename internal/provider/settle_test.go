package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/devserver"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/redact"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv"
)

// gatedProjects serves the stand-in, answering the project creates in
// order with the given steps, and signals every project list.
type gatedProjects struct {
	standIn http.Handler
	steps   []func(w http.ResponseWriter, r *http.Request)
	posts   atomic.Int32
	listed  chan struct{}
}

func (g *gatedProjects) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/api/projects/":
		g.steps[g.posts.Add(1)-1](w, r)
	case r.Method == http.MethodGet && r.URL.Path == "/api/projects/":
		g.standIn.ServeHTTP(w, r)
		select {
		case g.listed <- struct{}{}:
		default:
		}
	default:
		g.standIn.ServeHTTP(w, r)
	}
}

// made runs the create on the stand-in and returns its answer and the id.
func (g *gatedProjects) made(t *testing.T, r *http.Request) (*httptest.ResponseRecorder, int64) {
	rec := httptest.NewRecorder()
	g.standIn.ServeHTTP(rec, r)
	var body struct{ ID int64 }
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || rec.Code != http.StatusCreated {
		t.Errorf("stand-in create: %d %s", rec.Code, rec.Body)
	}
	return rec, body.ID
}

// held makes the object, sends its id on ids, and answers only once
// release is closed: a create in flight whose object already exists.
func (g *gatedProjects) held(t *testing.T, ids chan<- int64, release <-chan struct{}) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		rec, id := g.made(t, r)
		ids <- id
		<-release
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	}
}

// proxyError answers 502 as a gateway does; made says whether the server
// made the object first (the answer was lost) or never saw the request.
func (g *gatedProjects) proxyError(t *testing.T, made bool) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		if made {
			g.made(t, r)
		}
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = w.Write([]byte("<html><body>502 Bad Gateway</body></html>"))
	}
}

func startGatedProjects(t *testing.T) (*gatedProjects, *projectResource) {
	cfg := devserver.DefaultConfig()
	cfg.LegacyTokensEnabled = true
	srv, err := devserver.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	g := &gatedProjects{standIn: srv.Handler(), listed: make(chan struct{}, 1)}
	httpServer := httptest.NewServer(g)
	t.Cleanup(func() {
		httpServer.Close()
		_ = srv.Close()
	})
	c, err := client.New(client.Config{URL: httpServer.URL, APIKey: srv.LegacyToken(), RequestTimeout: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return g, &projectResource{configuredClient: configuredClient{c}, t: &projectObject}
}

type createResult struct {
	project *client.Project
	settled bool
	err     error
}

func createAsync(ctx context.Context, r *projectResource, body map[string]any) <-chan createResult {
	out := make(chan createResult, 1)
	go func() {
		p, settled, err := r.create(ctx, body)
		out <- createResult{p, settled, err}
	}()
	return out
}

// createRace is resource B's create of body, in flight: its project bID
// exists, its answer waits until release is closed.
type createRace struct {
	body    map[string]any
	b       <-chan createResult
	bID     int64
	release chan struct{}
}

// startCreateRace starts B's create; the next create (A's) gets a 502,
// after making its project when aMade.
func startCreateRace(t *testing.T, aMade bool) (*gatedProjects, *projectResource, createRace) {
	g, r := startGatedProjects(t)
	ids, release := make(chan int64, 1), make(chan struct{})
	g.steps = append(g.steps, g.held(t, ids, release), g.proxyError(t, aMade))
	race := createRace{body: map[string]any{"title": "Same"}, release: release}
	race.b = createAsync(t.Context(), r, race.body)
	race.bID = <-ids
	return g, r, race
}

// Two resources with one configuration (count = 2): B's create is in flight
// and its project exists; A's create got a 502 from a proxy and made
// nothing. A must not adopt B's project, even when its search ends while B
// still waits: it reports the candidate and how to import it.
func TestSettleDoesNotAdoptTheObjectOfACreateInFlight(t *testing.T) {
	_, r, race := startCreateRace(t, false)
	body, b, bID, release := race.body, race.b, race.bID, race.release
	// A's search is bounded by its deadline (the window is far longer);
	// B answers only after A has given up.
	ctx, cancel := context.WithTimeout(t.Context(), 1500*time.Millisecond)
	defer cancel()
	a := <-createAsync(ctx, r, body)
	close(release)
	bResult := <-b

	if a.err == nil {
		t.Fatalf("A adopted project %d, the project of B's create in flight", a.project.ID)
	}
	for _, want := range []string{
		"another create of a project in this run was still waiting for its answer",
		fmt.Sprintf("project id %d, title \"Same\" (matches the configuration)", bID),
		fmt.Sprintf("terraform import labelstudio_project.NAME %d", bID),
	} {
		if !strings.Contains(a.err.Error(), want) {
			t.Errorf("A's error lacks %q:\n%v", want, a.err)
		}
	}
	if bResult.err != nil || bResult.project.ID != bID || bResult.settled {
		t.Fatalf("B: %+v, want project %d as answered", bResult, bID)
	}
}

// A's answer was lost after it made its project while B's create is in
// flight: A waits for B, then adopts its own project, not B's.
func TestSettleWaitsForACreateInFlightThenAdoptsItsOwn(t *testing.T) {
	g, r, race := startCreateRace(t, true)
	body, b, bID, release := race.body, race.b, race.bID, race.release
	a := createAsync(t.Context(), r, body)
	// A's second search starts only after it has weighed the first one's
	// result, made while B was in flight; an A that gives up or adopts
	// before that ends first.
	var aResult createResult
	for searches := 0; searches < 2; {
		select {
		case <-g.listed:
			searches++
			continue
		case aResult = <-a:
		}
		break
	}
	close(release)
	bResult := <-b
	if aResult == (createResult{}) {
		aResult = <-a
	}

	if bResult.err != nil || bResult.project.ID != bID {
		t.Fatalf("B: %+v, want project %d", bResult, bID)
	}
	if aResult.err != nil || !aResult.settled || aResult.project.ID == bID {
		t.Fatalf("A: %+v, want its own project (not %d) adopted", aResult, bID)
	}
}

// A create answered with a project that another resource already adopted
// is an error, not a second resource sharing it.
func TestSettleClaimedObjectOfASuccessfulCreateIsAnError(t *testing.T) {
	g, r := startGatedProjects(t)
	ids, release := make(chan int64, 1), make(chan struct{})
	g.steps = append(g.steps, g.held(t, ids, release))

	result := createAsync(t.Context(), r, map[string]any{"title": "Same"})
	id := <-ids
	claimID(r.client, "project", id) // adopted by another resource's settlement
	close(release)
	got := <-result
	if got.err == nil || !strings.Contains(got.err.Error(), fmt.Sprintf("made project %d in Label Studio for this resource, but another resource", id)) {
		t.Fatalf("create = %+v, want an error saying project %d is taken", got, id)
	}
}

func settlementForTest(t *testing.T, cause error, list func(context.Context) ([]map[string]any, error)) settlement {
	c, err := client.New(client.Config{URL: "http://127.0.0.1:1", APIKey: "key"})
	if err != nil {
		t.Fatal(err)
	}
	return settlement{client: c, resourceType: "labelstudio_project", kind: "project", claimPrefix: "project", cause: cause, list: list}
}

// Only a search that worked may say that nothing was made.
func TestSettleMessageWhenListing(t *testing.T) {
	cause := errors.New("POST /api/projects/: 502 Bad Gateway")
	for name, tc := range map[string]struct {
		list          func(context.Context) ([]map[string]any, error)
		want, notWant string
	}{
		"every list failed": {
			list: func(context.Context) ([]map[string]any, error) {
				return nil, errors.New("503 Service Unavailable")
			},
			want:    "could not list the projects, so whether the create made one is unknown",
			notWant: "none was made",
		},
		"listed, none made": {
			list: func(context.Context) ([]map[string]any, error) { return nil, nil },
			want: "most likely none was made",
		},
	} {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
			defer cancel()
			_, err := settlementForTest(t, cause, tc.list).settle(ctx)
			if err == nil {
				t.Fatal("settled without an object")
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.want) || !strings.Contains(msg, "terraform import labelstudio_project.NAME") {
				t.Errorf("message lacks %q or the import advice:\n%s", tc.want, msg)
			}
			if tc.notWant != "" && strings.Contains(msg, tc.notWant) {
				t.Errorf("message says %q:\n%s", tc.notWant, msg)
			}
		})
	}
}

// The create's error, logged when settling starts, may quote a secret.
func TestSettleLogRedactsSecrets(t *testing.T) {
	const secret = "wJalrXUtnFEMI-settle-secret"
	var logged bytes.Buffer
	ctx, cancel := context.WithTimeout(tflogtest.RootLogger(t.Context(), &logged), 300*time.Millisecond)
	defer cancel()
	s := settlementForTest(t, fmt.Errorf("POST /api/storages/s3: 502: secret_access_key=%s", secret),
		func(context.Context) ([]map[string]any, error) { return nil, nil })
	s.secrets = []string{secret}
	_, err := s.settle(ctx)
	if strings.Contains(logged.String(), secret) || !strings.Contains(logged.String(), redact.Placeholder) {
		t.Errorf("log does not redact the secret:\n%s", logged.String())
	}
	if err == nil || strings.Contains(err.Error(), secret) {
		t.Errorf("error: %v", err)
	}
}

// A create whose answer was lost settles on the project even when Label
// Studio stores its text in another form (trimmed title and description,
// sanitised instructions): nothing is left behind, and the next plan is
// empty.
func TestAccProjectSettleStoredForms(t *testing.T) {
	skipUnlessAcc(t)
	env := testenv.Start(t, testenv.Options{})
	dev := env.Dev(t)
	c := testClient(t, env)
	held := checkServerMatchesState("labelstudio_project", func() ([]int64, error) {
		list, err := c.ListProjects(t.Context(), client.ProjectFilter{})
		ids := make([]int64, 0, len(list))
		for _, p := range list {
			ids = append(ids, p.ID)
		}
		return ids, err
	})
	config := testAccProviderConfig(env, "request_timeout = \"1s\"") + `
resource "labelstudio_project" "test" {
  title              = "Same "
  description        = " described "
  expert_instruction = "<p onclick=\"steal()\">Label carefully</p>"
}
`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			PreConfig: func() {
				dev.AddFault(t, testenv.Fault{Method: "POST", Path: `^/api/projects/$`, Mode: "lose", Count: 1})
			},
			Config: config,
			Check: resource.ComposeTestCheckFunc(held,
				resource.TestCheckResourceAttr("labelstudio_project.test", "title", "Same "),
				resource.TestCheckResourceAttr("labelstudio_project.test", "description", " described ")),
		}},
	})
}
