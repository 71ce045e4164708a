package provider

import (
	"context"
	"errors"
	"reflect"
	"runtime"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// ballastKey marks a large value in a call's context: what the framework
// would keep of every call if it kept the call's context.
type ballastKey struct{}

// TestProtocolServerKeepsNoCallsContext makes 200 per-resource calls whose
// contexts each carry 1 MiB and checks the live heap afterwards. The
// framework keeps every call's context until StopProvider
// (terraform-plugin-framework internal/proto6server/serve.go); through the
// framework's own server the 200 MiB stay reachable, through the provider's
// they do not.
func TestProtocolServerKeepsNoCallsContext(t *testing.T) {
	const calls, ballast = 200, 1 << 20
	measure := func(server tfprotov6.ProviderServer) uint64 {
		before := liveHeap()
		for range calls {
			ctx := context.WithValue(t.Context(), ballastKey{}, make([]byte, ballast))
			_, _ = server.ValidateResourceConfig(ctx, &tfprotov6.ValidateResourceConfigRequest{TypeName: "labelstudio_project"})
			_, _ = server.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{TypeName: "labelstudio_project"})
		}
		kept := liveHeap() - min(before, liveHeap())
		runtime.KeepAlive(server)
		return kept
	}

	framework := measure(providerserver.NewProtocol6(New("test")())())
	if framework < calls*ballast/2 {
		t.Fatalf("the framework's own server kept %d MiB of %d calls' contexts, expected about %d MiB: "+
			"this test no longer shows what the provider's server guards against", framework>>20, calls, calls*ballast>>20)
	}
	server, err := NewProtocol6Server("test")()
	if err != nil {
		t.Fatal(err)
	}
	if kept := measure(server); kept > 16<<20 {
		t.Errorf("the provider's server kept %d MiB after %d calls whose contexts carry 1 MiB each; want their contexts let go", kept>>20, calls)
	}
}

func liveHeap() uint64 {
	runtime.GC()
	var stats runtime.MemStats
	runtime.ReadMemStats(&stats)
	return stats.HeapAlloc
}

// TestProtocolServerServesEveryFrameworkCall guards against a framework
// upgrade adding a call the provider's server would hide: tf6server finds
// optional calls by type assertion, so a call missing from the wrapper
// would be answered "not supported".
func TestProtocolServerServesEveryFrameworkCall(t *testing.T) {
	framework := reflect.TypeOf(providerserver.NewProtocol6(New("test")())())
	server, err := NewProtocol6Server("test")()
	if err != nil {
		t.Fatal(err)
	}
	if _, wrapped := server.(requestScopedServer); !wrapped {
		t.Fatalf("NewProtocol6Server served %T, not the request-scoped server: the framework's server lacks a call fullProtocolServer names", server)
	}
	served := reflect.TypeOf(server)
	for i := range framework.NumMethod() {
		name := framework.Method(i).Name
		if _, ok := served.MethodByName(name); !ok {
			t.Errorf("the framework's server has %s, the provider's does not: add it to fullProtocolServer", name)
		}
	}
}

// TestRequestScopedContext checks what a call sees of its context while it
// runs (the request's values, deadline and cancellation) and after it
// returns (an ended context holding nothing).
func TestRequestScopedContext(t *testing.T) {
	deadline := time.Now().Add(time.Hour)
	request, cancel := context.WithDeadline(context.WithValue(t.Context(), ballastKey{}, "value"), deadline)
	defer cancel()

	var during context.Context
	_, _ = serveScoped(request, 0, func(ctx context.Context, _ int) (int, error) {
		during = ctx
		if got := ctx.Value(ballastKey{}); got != "value" {
			t.Errorf("during the call Value = %v, want the request's", got)
		}
		if got, ok := ctx.Deadline(); !ok || !got.Equal(deadline) {
			t.Errorf("during the call Deadline = %v %v, want the request's", got, ok)
		}
		child, stop := context.WithCancel(ctx)
		defer stop()
		cancel()
		select {
		case <-child.Done():
		case <-time.After(10 * time.Second):
			t.Error("a context derived during the call was not canceled with the request")
		}
		return 0, nil
	})

	if got := during.Value(ballastKey{}); got != nil {
		t.Errorf("after the call Value = %v, want nothing kept", got)
	}
	if !errors.Is(during.Err(), context.Canceled) {
		t.Errorf("after the call Err = %v, want context.Canceled", during.Err())
	}
	select {
	case <-during.Done():
	default:
		t.Error("after the call Done is open, want it closed")
	}
	if _, ok := during.Deadline(); ok {
		t.Error("after the call the context still has the request's deadline")
	}
}
