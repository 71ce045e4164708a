package client

import (
	"context"
	"fmt"
	"maps"
	"sync"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// Reads served from their group's list.
//
// Some of Label Studio's list endpoints answer each item with the detail
// view's serializer and no pagination, so one list request per group can
// answer every read of that group:
//   - storages, grouped by (kind, direction, project):
//     GET /api/storages/<kind>/?project=N and /api/storages/export/<kind>?project=N
//     (io_storages/<kind>/api.py: one serializer for list and detail,
//     secrets removed the same way);
//   - webhooks, grouped by project: GET /api/webhooks/?project=N
//     (webhooks/api.py: WebhookListAPI and WebhookAPI both render
//     WebhookSerializer, headers included);
//   - data-manager views, grouped by project: GET /api/dm/views/?project=N
//     (data_manager/api.py: ViewAPI is one ModelViewSet whose list and
//     retrieve share get_queryset and ViewSerializer).
//
// A refresh of 1000 storages in 10 projects then costs 10 requests instead
// of 1000.
//
// Why a list result cannot outlive the operation: the lists live in the
// Client, and the provider makes a new Client in every ConfigureProvider
// call. Terraform starts a provider process (and configures it) for each
// graph walk (the refresh-and-plan walk, the apply walk, an import), so a
// list is shared only by the reads of one walk, which Terraform treats as
// one snapshot anyway. Within the process, every write through this Client
// that may change a group (create, update, delete, and for storages
// validate and sync) drops the lists it may have made stale, and a project
// delete drops its project's lists, so a read never sees a list older than
// a write this process made.
//
// The list is only a way to answer reads faster; it never decides that an
// object is gone. An object missing from its group's list, and any failure
// of the list request, falls back to the GET by id: a storage moved to
// another project outside Terraform is found there, and only the detail
// view's 404 means deleted.

// listItem is an object a group list holds.
type listItem[T any] interface {
	// listID is the object's id.
	listID() int64
	// readerCopy is a copy for one reader: the list is shared.
	readerCopy() *T
}

// groupLists holds the list of every group of one object type read in this
// Client's life. K names a group; the zero groupLists is ready to use.
type groupLists[K comparable, T listItem[T]] struct {
	mu     sync.Mutex
	groups map[K]*listAnswer[T]
}

// read answers the read of object id in group from the group's list, making
// the list request (fetch) when no read of the group has yet: concurrent
// reads of a group share one request in flight. When the list cannot answer
// (the object is not in it, or the list failed) it returns get's answer,
// the GET by id.
func (l *groupLists[K, T]) read(ctx context.Context, group K, id int64,
	fetch func(context.Context) ([]T, error), get func(context.Context) (*T, error),
) (*T, error) {
	l.mu.Lock()
	if l.groups == nil {
		l.groups = make(map[K]*listAnswer[T])
	}
	list, found := l.groups[group]
	if !found {
		list = newListAnswer[T]()
		l.groups[group] = list
	}
	l.mu.Unlock()

	if !found {
		go list.fill(context.WithoutCancel(ctx), fetch, map[string]any{"group": fmt.Sprintf("%+v", group)})
	}
	return list.answer(ctx, id, get)
}

// readProjectListed reads object id, believed to be in project, from that
// project's list in lists (list makes the request); an object the list
// lacks, and every object when project is 0, is read by id (get), so that
// only the detail view's 404 says it is gone.
func readProjectListed(ctx context.Context, lists *groupLists[int64, Object], id, project int64,
	list func(context.Context, int64) ([]Object, error), get func(context.Context, int64) (*Object, error),
) (*Object, error) {
	byID := func(ctx context.Context) (*Object, error) { return get(ctx, id) }
	if project == 0 {
		return byID(ctx)
	}
	return lists.read(ctx, project, id, func(ctx context.Context) ([]Object, error) { return list(ctx, project) }, byID)
}

// listAnswer is one list request, in flight or answered, that reads wait
// for.
type listAnswer[T listItem[T]] struct {
	done chan struct{} // closed once byID is set
	// byID is every object of the answer; nil when the request failed.
	byID map[int64]*T
}

func newListAnswer[T listItem[T]]() *listAnswer[T] {
	return &listAnswer[T]{done: make(chan struct{})}
}

// fill makes the request. It runs without the readers' cancellation (they
// all wait on it) but is bounded by the request timeout and retries;
// logFields say which request it was when it fails.
func (a *listAnswer[T]) fill(ctx context.Context, fetch func(context.Context) ([]T, error), logFields map[string]any) {
	defer close(a.done)
	objects, err := fetch(ctx)
	if err != nil {
		// The request's own log line has its status; errors may quote bodies.
		tflog.Debug(ctx, "list failed; its reads go by id", logFields)
		return
	}
	byID := make(map[int64]*T, len(objects))
	for i := range objects {
		byID[objects[i].listID()] = &objects[i]
	}
	a.byID = byID
}

// answer waits for the request and answers the read of object id from it,
// or from get, the GET by id, when it cannot (the object is not in it, or
// the request failed). A caller whose context ends stops waiting.
func (a *listAnswer[T]) answer(ctx context.Context, id int64, get func(context.Context) (*T, error)) (*T, error) {
	select {
	case <-a.done:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if obj, ok := a.byID[id]; ok { // a failed request holds nothing
		return (*obj).readerCopy(), nil
	}
	return get(ctx)
}

// forgetProjectLists drops a project's lists of every object type: its
// delete removes its storages, webhooks and views on the server.
func (c *Client) forgetProjectLists(project int64) {
	c.storageLists.forget(func(g storageGroup) bool { return g.project == project })
	c.webhookLists.forget(func(g int64) bool { return g == project })
	c.viewLists.forget(func(g int64) bool { return g == project })
}

// forget drops the lists a write may have made stale. A request in flight
// still answers the reads already waiting for it, which began before the
// write ended; later reads make a new request.
func (l *groupLists[K, T]) forget(stale func(K) bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	maps.DeleteFunc(l.groups, func(g K, _ *listAnswer[T]) bool { return stale(g) })
}
