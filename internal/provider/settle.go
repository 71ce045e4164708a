package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/redact"
)

// Settling a create whose outcome is unknown: the request may have reached
// Label Studio, but no answer came back. Sending it again could make a
// second object, so the provider looks for the one it asked for instead.

const (
	// createdAtSlack allows for the server's clock being estimated from a
	// Date header (whole seconds) and for the time the request took to leave.
	createdAtSlack  = 3 * time.Second
	settlePollFirst = 200 * time.Millisecond
	settlePollMax   = 2 * time.Second
	// A server that got the request may still be working on it after the
	// client stopped waiting: look for settleWindowFactor request timeouts
	// more (at least settleWindowFloor), within the operation's deadline.
	settleWindowFactor = 2
	settleWindowFloor  = 5 * time.Second
)

// settlement describes one create to settle.
type settlement struct {
	client *client.Client
	// resourceType is the Terraform type, e.g. labelstudio_project.
	resourceType string
	// kind names the object for people, e.g. "local import storage".
	kind string
	// claimPrefix scopes the ids in the claims registry, e.g. "localfiles/import".
	claimPrefix string
	// asked is the create's request body: every configured field.
	asked map[string]any
	// started is the server's time when the request was sent.
	started time.Time
	// list returns the objects a create could have made.
	list func(ctx context.Context) ([]map[string]any, error)
	// sameField overrides the comparison of one field (nil: JSON equality).
	sameField func(name string, asked, got any) (same, handled bool)
	// cause is the create's error.
	cause error
	// secrets are the create's secret values, kept out of logs and messages.
	secrets []string
	// existing are the ids listed just before the create, for objects with
	// no creation time (views): any other was made after the request
	// started. Nil: each object's created_at tells.
	existing map[int64]bool
}

// settledCandidate is an object that was made after the request started.
type settledCandidate struct {
	id      int64
	title   string
	matches bool
}

// settle looks for the object the create asked for, for as long as the
// server could still be working on the request (settleWindowFactor request
// timeouts, within the operation's deadline), and returns its id. It goes on after
// ctx is cancelled, within that bound: an interrupt must not leave behind an
// object that state does not know. When no single object matches it
// returns an error that lists what was found and how to import it.
func (s settlement) settle(ctx context.Context) (int64, error) {
	window := max(settleWindowFactor*s.client.RequestTimeout(), settleWindowFloor)
	deadline := time.Now().Add(window)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) && ctx.Err() == nil {
		deadline = d
		window = time.Until(d)
	}
	settleCtx, cancel := context.WithDeadline(context.WithoutCancel(ctx), deadline)
	defer cancel()
	tflog.Info(ctx, "the create's outcome is unknown; looking for the object it asked for", map[string]any{
		"resource_type": s.resourceType, "error": redact.Secrets(s.cause.Error(), s.secrets),
	})

	var candidates []settledCandidate
	var listErr error
	pending := false
	wait := settlePollFirst
	for {
		objects, err := s.list(settleCtx)
		if err == nil {
			listErr = nil
			candidates = s.candidates(objects)
			var matching []settledCandidate
			for _, c := range candidates {
				if c.matches {
					matching = append(matching, c)
				}
			}
			// Another create of this kind still waiting for its answer may
			// have made a matching object: adopting it now would let two
			// resources share it. It claims its object before it stops
			// counting as in flight, so checking after the list is enough.
			pending = createsInFlight(s.client, s.claimPrefix) > 0
			switch {
			case pending:
			case len(matching) == 1 && claimID(s.client, s.claimPrefix, matching[0].id):
				tflog.Info(ctx, "found the object the create made; adopting it", map[string]any{"id": matching[0].id})
				return matching[0].id, nil
			case len(matching) > 1:
				return 0, s.unsettled(candidates, nil, "more than one object matches the configuration")
			}
		} else {
			listErr = err
		}
		if time.Now().Add(wait).After(deadline) {
			why := fmt.Sprintf("no matching object appeared within %s", window.Round(time.Second/10))
			if pending {
				why = fmt.Sprintf("after %s another create of a %s in this run was still waiting for its answer, so an object found may be that one's", window.Round(time.Second/10), s.kind)
			}
			return 0, s.unsettled(candidates, listErr, why)
		}
		if sleepContext(settleCtx, wait) != nil {
			return 0, s.unsettled(candidates, listErr, "the search was cut short")
		}
		wait = min(wait*2, settlePollMax)
	}
}

// candidates are the objects created after the request started that no
// other create of this provider run has claimed, marked whether they match.
func (s settlement) candidates(objects []map[string]any) []settledCandidate {
	var out []settledCandidate
	for _, fields := range objects {
		id, err := fieldID(fields)
		if err != nil || isClaimed(s.client, s.claimPrefix, id) {
			continue
		}
		if !s.madeAfterStart(id, fields) {
			continue
		}
		title, _ := fields["title"].(string)
		out = append(out, settledCandidate{id: id, title: title, matches: s.matches(fields)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}

// madeAfterStart reports whether the object was made after the create's
// request started.
func (s settlement) madeAfterStart(id int64, fields map[string]any) bool {
	if s.existing != nil {
		return !s.existing[id]
	}
	createdAt, _ := fields["created_at"].(string)
	created, err := time.Parse(time.RFC3339Nano, createdAt)
	return err == nil && !created.Before(s.started.Add(-createdAtSlack))
}

// matches reports whether an object has every field the create asked for.
// Fields the server never returns (secrets) cannot be compared.
func (s settlement) matches(fields map[string]any) bool {
	for name, asked := range s.asked {
		got, present := fields[name]
		if asked == nil || !present {
			continue
		}
		if s.sameField != nil {
			if same, handled := s.sameField(name, asked, got); handled {
				if !same {
					return false
				}
				continue
			}
		}
		if !sameJSON(asked, got) {
			return false
		}
	}
	return true
}

// unsettled is the error when the create could not be settled: what
// happened, what was found, and how to adopt an object by hand.
func (s settlement) unsettled(candidates []settledCandidate, listErr error, why string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "The create request ended without an answer from Label Studio (%v), so it may or may not have made the %s. ", s.cause, s.kind)
	fmt.Fprintf(&b, "The provider did not send it again, to avoid a duplicate, and looked for it instead: %s.", why)
	if listErr != nil {
		fmt.Fprintf(&b, " Listing failed: %v.", listErr)
	}
	switch {
	case len(candidates) == 0 && listErr == nil:
		fmt.Fprintf(&b, "\n\nNo %s was created after the request started, so most likely none was made; the next apply creates it. If one shows up in Label Studio later, import it instead (see below).", s.kind)
	case len(candidates) == 0:
		fmt.Fprintf(&b, "\n\nThe provider could not list the %ss, so whether the create made one is unknown. Before the next apply (which would create another), look in Label Studio for a %s made just now with this configuration and import it (see below); if there is none, the next apply creates it.", s.kind, s.kind)
	default:
		fmt.Fprintf(&b, "\n\nMade after the request started:\n")
		for _, c := range candidates {
			match := "differs from the configuration"
			if c.matches {
				match = "matches the configuration"
			}
			fmt.Fprintf(&b, "  - %s id %d, title %q (%s)\n", s.kind, c.id, c.title, match)
		}
	}
	id := "ID"
	if len(candidates) > 0 {
		id = strconv.FormatInt(candidates[0].id, 10)
	}
	fmt.Fprintf(&b, "\nTo adopt one into state rather than create another, run (with NAME the resource's name in your configuration)\n\n  terraform import %s.NAME %s\n\nor add\n\n  import {\n    to = %s.NAME\n    id = \"%s\"\n  }\n",
		s.resourceType, id, s.resourceType, id)
	return fmt.Errorf("%s", redact.Secrets(b.String(), s.secrets))
}

// sameJSON compares a request value with a decoded response value (see
// client.Storage.Fields) as JSON: the request value goes through JSON too.
func sameJSON(asked, got any) bool {
	want, err := json.Marshal(asked)
	if err != nil {
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(want))
	dec.UseNumber()
	var decoded any
	return dec.Decode(&decoded) == nil && sameJSONValue(decoded, got)
}

// claims records, per client (one provider configuration, so one server),
// the ids this provider run created or adopted, so that two resources with
// the same configuration never adopt the same object.
var claims sync.Map // *client.Client → *sync.Map of "prefix/id" → struct{}

func claimSet(c *client.Client) *sync.Map {
	set, _ := claims.LoadOrStore(c, &sync.Map{})
	return set.(*sync.Map)
}

// claimID records id as taken; it reports false when it already was.
func claimID(c *client.Client, prefix string, id int64) bool {
	_, taken := claimSet(c).LoadOrStore(prefix+"/"+strconv.FormatInt(id, 10), struct{}{})
	return !taken
}

func isClaimed(c *client.Client, prefix string, id int64) bool {
	_, taken := claimSet(c).Load(prefix + "/" + strconv.FormatInt(id, 10))
	return taken
}

// inFlight counts, per client and claim prefix, the creates sent whose
// answer has not arrived (and whose object is not claimed) yet.
var inFlight sync.Map // inFlightKey → *atomic.Int64

type inFlightKey struct {
	client *client.Client
	prefix string
}

func inFlightCount(c *client.Client, prefix string) *atomic.Int64 {
	n, _ := inFlight.LoadOrStore(inFlightKey{c, prefix}, new(atomic.Int64))
	return n.(*atomic.Int64)
}

func createsInFlight(c *client.Client, prefix string) int64 {
	return inFlightCount(c, prefix).Load()
}

// sleepContext waits d or until ctx ends.
func sleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// createOrSettle sends a create with create and claims the object it made.
// When the create's outcome is unknown it settles it instead: it lists the
// objects with list (fields gives each one's JSON), looks for the one asked
// for and returns it, settled. Any other error, or one that could not be
// settled, is returned. s.started and s.cause are filled in here.
func createOrSettle[T any](ctx context.Context, s settlement, create func(context.Context) (*T, error),
	list func(context.Context) ([]T, error), fields func(*T) map[string]any,
) (*T, bool, error) {
	s.started = s.client.ServerTime()
	count := inFlightCount(s.client, s.claimPrefix)
	count.Add(1)
	made, err := create(ctx)
	if err == nil {
		id, idErr := fieldID(fields(made))
		claimed := idErr == nil && claimID(s.client, s.claimPrefix, id)
		count.Add(-1)
		if !claimed {
			return nil, false, fmt.Errorf("the create made %s %d in Label Studio for this resource, but another resource of this run had already adopted it "+
				"while settling a create whose answer was lost; two resources must not share one object, so this one is not recorded. "+
				"The next apply creates it", s.kind, id)
		}
		return made, false, nil
	}
	count.Add(-1)
	if !client.UnknownOutcome(err) {
		return nil, false, err
	}
	var listed []T
	s.cause = err
	s.list = func(ctx context.Context) ([]map[string]any, error) {
		var err error
		if listed, err = list(ctx); err != nil {
			return nil, err
		}
		objects := make([]map[string]any, len(listed))
		for i := range listed {
			objects[i] = fields(&listed[i])
		}
		return objects, nil
	}
	id, settleErr := s.settle(ctx)
	if settleErr != nil {
		return nil, false, settleErr
	}
	for i := range listed {
		if got, err := fieldID(fields(&listed[i])); err == nil && got == id {
			return &listed[i], true, nil
		}
	}
	return nil, false, fmt.Errorf("%s %d vanished while it was being adopted", s.kind, id)
}

// fieldID is the id in an object's decoded fields.
func fieldID(fields map[string]any) (int64, error) {
	id, ok := fields["id"].(json.Number)
	if !ok {
		return 0, fmt.Errorf("the object has no numeric id")
	}
	return id.Int64()
}
