package client

import (
	"context"
	"sync"
)

// Reads of projects, coalesced into list requests by ids.
//
// Label Studio's project list filters by ids (GET /api/projects/?ids=1,2,3,
// ProjectFilterSet in projects/api.py) and renders each project with the
// fields of the detail view (ProjectSerializer in both views in Community
// Edition; in the Enterprise schema, AllRolesProjectList and
// LseProjectResponse type every field the provider reads alike). Unlike a
// storage's or a webhook's, a project's reads have no group to list, so
// they are batched instead: a read waits while a batch request is in
// flight, and every read that arrived meanwhile goes out in the next one.
// Terraform refreshes 10 resources at a time, so a refresh of many projects
// costs about one request per burst of reads rather than one per project,
// and no read waits longer than one request before its own is sent.
//
// Nothing is kept: each answer comes from a request sent after its read
// began, as fresh as a GET by id, so no write has to invalidate anything.
// A batch of one read is a GET by id, and a project missing from its
// batch's answer (deleted, or a server that does not filter) and every
// read of a failed batch are read by id: only the detail view's 404 says
// that a project is gone.

// maxBatchIDs is how many ids one batch asks for: one page (the list's
// page_size is capped at 100, ProjectListPagination).
const maxBatchIDs = pageSize

// idBatches coalesces concurrent reads of one object type; the zero value
// is ready to use.
type idBatches[T listItem[T]] struct {
	mu      sync.Mutex
	running bool          // a request is in flight
	waiting []*idBatch[T] // the batches to send after it, each full but the last
}

// idBatch is the reads of one list request.
type idBatch[T listItem[T]] struct {
	*listAnswer[T]
	ids []int64
	// ctx is the first reader's, which waits for the batch: the request
	// runs without its cancellation but logs with its loggers, which a
	// finished call's context no longer has.
	ctx context.Context
}

// read answers the read of object id from a batch request (fetch, given the
// batch's ids), or from get, the GET by id, when the batch cannot.
func (b *idBatches[T]) read(ctx context.Context, id int64,
	fetch func(context.Context, []int64) ([]T, error), get func(context.Context) (*T, error),
) (*T, error) {
	b.mu.Lock()
	if b.running {
		batch := b.join(ctx, id)
		b.mu.Unlock()
		return batch.answer(ctx, id, get)
	}
	// Nothing in flight: this read goes alone, by id, and the reads that
	// arrive meanwhile wait for the batches after it.
	b.running = true
	b.mu.Unlock()
	obj, err := get(ctx)
	go b.sendWaiting(fetch)
	return obj, err
}

// join adds id to the last waiting batch, or to a new one when that is
// full. The caller holds b.mu.
func (b *idBatches[T]) join(ctx context.Context, id int64) *idBatch[T] {
	if n := len(b.waiting); n > 0 && len(b.waiting[n-1].ids) < maxBatchIDs {
		last := b.waiting[n-1]
		last.ids = append(last.ids, id)
		return last
	}
	batch := &idBatch[T]{listAnswer: newListAnswer[T](), ids: []int64{id}, ctx: context.WithoutCancel(ctx)}
	b.waiting = append(b.waiting, batch)
	return batch
}

// sendWaiting sends the waiting batches, one request at a time, until none
// is left.
func (b *idBatches[T]) sendWaiting(fetch func(context.Context, []int64) ([]T, error)) {
	for {
		b.mu.Lock()
		if len(b.waiting) == 0 {
			b.running = false
			b.mu.Unlock()
			return
		}
		batch := b.waiting[0]
		b.waiting = b.waiting[1:]
		b.mu.Unlock()
		batch.fill(batch.ctx, func(ctx context.Context) ([]T, error) { return fetch(ctx, batch.ids) },
			map[string]any{"reads": len(batch.ids)})
	}
}
