package syncengine

import (
	"context"
	"sync"
	"time"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
)

// Status reads shared by the storages of one group.
//
// Label Studio lists a project's storages of one kind and direction with
// the detail view's fields (io_storages/<kind>/api.py), and the list runs
// the health check that marks dead jobs failed. So while several storages
// of one (kind, direction, project) are synced, one list answers all their
// status reads: a list that started no longer than maxAge before a read is
// shared by it, and the waiter sleeps maxAge less, so that the status it
// sees is never older than today's interval allows (the latency promise).

// groupKey is the unit one list answers.
type groupKey struct {
	kind      string
	direction client.Direction
	project   int64
}

// groupList is one list call, in flight or answered.
type groupList struct {
	started time.Time
	done    chan struct{} // closed once byID is set
	// byID is the group's storages; nil when the list failed.
	byID map[int64]*client.Storage
}

// groupReads tracks which storages of each group are being synced and the
// latest list of each group.
type groupReads struct {
	mu      sync.Mutex
	syncing map[groupKey]int
	latest  map[groupKey]*groupList
}

// enter records a storage of the group being synced; the returned func
// records its end.
func (g *groupReads) enter(key groupKey) (leave func()) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.syncing == nil {
		g.syncing = make(map[groupKey]int)
		g.latest = make(map[groupKey]*groupList)
	}
	g.syncing[key]++
	return func() {
		g.mu.Lock()
		defer g.mu.Unlock()
		g.syncing[key]--
		if g.syncing[key] == 0 {
			delete(g.syncing, key)
			delete(g.latest, key)
		}
	}
}

// shared reports whether other storages of the group are being synced.
func (g *groupReads) shared(key groupKey) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.syncing[key] > 1
}

// read returns storage id from a list of its group that started at most
// maxAge ago, making the call when there is none. It returns nil when the
// list cannot answer (it failed, or the storage is not in it): the caller
// then reads by id. The call runs without the caller's cancellation, as
// other waiters may share it; a caller whose context ends stops waiting.
func (g *groupReads) read(ctx context.Context, e *Engine, key groupKey, id int64, maxAge time.Duration) (*client.Storage, error) {
	now := e.opts.Clock.Now()
	g.mu.Lock()
	list := g.latest[key]
	if list == nil || now.Sub(list.started) > maxAge {
		list = &groupList{started: now, done: make(chan struct{})}
		if g.latest != nil && g.syncing[key] > 0 {
			g.latest[key] = list
		}
		go func() {
			defer close(list.done)
			storages, err := e.api.ListStorages(context.WithoutCancel(ctx), key.kind, key.direction, key.project)
			if err != nil {
				return
			}
			byID := make(map[int64]*client.Storage, len(storages))
			for i := range storages {
				byID[storages[i].ID] = &storages[i]
			}
			list.byID = byID
		}()
	}
	g.mu.Unlock()
	select {
	case <-list.done:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	st, ok := list.byID[id]
	if !ok {
		return nil, nil
	}
	clone := *st
	return &clone, nil
}
