package provider

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// NewProtocol6Server returns the provider's protocol server: the framework's,
// with every per-resource call given a context that lets go of its request
// once the call returns.
//
// Why: the framework keeps the cancel function of every call's context until
// StopProvider (terraform-plugin-framework v1.19.0,
// internal/proto6server/serve.go, registerContext), and through it the
// request's whole context: its loggers, its gRPC stream and their buffers,
// about 60 KiB a call. A plan of 1000 resources made 3000 calls and ended
// with 70 MiB that every garbage collection had to scan: a third of the
// provider's CPU time, and a peak RSS growing with the number of resources.
// With requestScoped contexts the framework holds a few hundred bytes a call.
func NewProtocol6Server(version string) func() (tfprotov6.ProviderServer, error) {
	return func() (tfprotov6.ProviderServer, error) {
		server := providerserver.NewProtocol6(New(version)())()
		full, ok := server.(fullProtocolServer)
		if !ok { // a framework without the optional calls: nothing to wrap them with
			return server, nil
		}
		return requestScopedServer{full}, nil
	}
}

// fullProtocolServer is the framework server's set of calls: the required
// ones and the optional ones tf6server looks for.
type fullProtocolServer interface {
	tfprotov6.ProviderServer
	tfprotov6.ListResourceServer
	tfprotov6.ActionServer
	tfprotov6.StateStoreServer
}

// requestScopedServer gives the calls made once per resource (many in a plan
// or apply) a requestScoped context. Calls that return a stream (list
// resources, actions, state bytes) use their context after they return and
// keep the request's own; calls made once per run do not add up.
type requestScopedServer struct{ fullProtocolServer }

func (s requestScopedServer) ValidateResourceConfig(ctx context.Context, req *tfprotov6.ValidateResourceConfigRequest) (*tfprotov6.ValidateResourceConfigResponse, error) {
	return serveScoped(ctx, req, s.fullProtocolServer.ValidateResourceConfig)
}

func (s requestScopedServer) UpgradeResourceState(ctx context.Context, req *tfprotov6.UpgradeResourceStateRequest) (*tfprotov6.UpgradeResourceStateResponse, error) {
	return serveScoped(ctx, req, s.fullProtocolServer.UpgradeResourceState)
}

func (s requestScopedServer) UpgradeResourceIdentity(ctx context.Context, req *tfprotov6.UpgradeResourceIdentityRequest) (*tfprotov6.UpgradeResourceIdentityResponse, error) {
	return serveScoped(ctx, req, s.fullProtocolServer.UpgradeResourceIdentity)
}

func (s requestScopedServer) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	return serveScoped(ctx, req, s.fullProtocolServer.ReadResource)
}

func (s requestScopedServer) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	return serveScoped(ctx, req, s.fullProtocolServer.PlanResourceChange)
}

func (s requestScopedServer) ApplyResourceChange(ctx context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	return serveScoped(ctx, req, s.fullProtocolServer.ApplyResourceChange)
}

func (s requestScopedServer) ImportResourceState(ctx context.Context, req *tfprotov6.ImportResourceStateRequest) (*tfprotov6.ImportResourceStateResponse, error) {
	return serveScoped(ctx, req, s.fullProtocolServer.ImportResourceState)
}

func (s requestScopedServer) ValidateDataResourceConfig(ctx context.Context, req *tfprotov6.ValidateDataResourceConfigRequest) (*tfprotov6.ValidateDataResourceConfigResponse, error) {
	return serveScoped(ctx, req, s.fullProtocolServer.ValidateDataResourceConfig)
}

func (s requestScopedServer) ReadDataSource(ctx context.Context, req *tfprotov6.ReadDataSourceRequest) (*tfprotov6.ReadDataSourceResponse, error) {
	return serveScoped(ctx, req, s.fullProtocolServer.ReadDataSource)
}

// serveScoped makes call with a requestScoped context that ends with it.
func serveScoped[Req, Resp any](ctx context.Context, req Req, call func(context.Context, Req) (Resp, error)) (Resp, error) {
	scoped := newRequestScoped(ctx)
	defer scoped.end()
	return call(scoped, req)
}

// requestScoped is a call's context until the call returns, and after that
// an ended context holding nothing: what still refers to it (the
// framework's list of cancel functions) no longer keeps the request alive.
// Work a call leaves running past its return sees a canceled context
// without values (its log lines are dropped).
type requestScoped struct {
	request atomic.Pointer[requestContext]
}

type requestContext struct{ context.Context }

// endedDone is the Done channel of every ended requestScoped.
var endedDone = func() chan struct{} {
	done := make(chan struct{})
	close(done)
	return done
}()

func newRequestScoped(ctx context.Context) *requestScoped {
	scoped := &requestScoped{}
	scoped.request.Store(&requestContext{ctx})
	return scoped
}

func (c *requestScoped) end() { c.request.Store(nil) }

func (c *requestScoped) Deadline() (time.Time, bool) {
	if request := c.request.Load(); request != nil {
		return request.Deadline()
	}
	return time.Time{}, false
}

func (c *requestScoped) Done() <-chan struct{} {
	if request := c.request.Load(); request != nil {
		return request.Done()
	}
	return endedDone
}

func (c *requestScoped) Err() error {
	if request := c.request.Load(); request != nil {
		return request.Err()
	}
	return context.Canceled
}

func (c *requestScoped) Value(key any) any {
	if request := c.request.Load(); request != nil {
		return request.Value(key)
	}
	return nil
}
