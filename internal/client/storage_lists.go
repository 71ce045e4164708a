package client

import (
	"context"
	"maps"
	"sync"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// Reads of storages served from their group's list.
//
// Label Studio's storage list (GET /api/storages/<kind>/?project=N and
// /api/storages/export/<kind>?project=N, io_storages/<kind>/api.py) answers
// each item with the detail view's serializer, secrets removed the same way,
// unpaginated. So one list request per (kind, direction, project) can answer
// every read of that group: a refresh of 1000 storages in 10 projects costs
// 10 requests instead of 1000.
//
// Why a list result cannot outlive the operation: the lists live in the
// Client, and the provider makes a new Client in every ConfigureProvider
// call. Terraform starts a provider process (and configures it) for each
// graph walk (the refresh-and-plan walk, the apply walk, an import), so a
// list is shared only by the reads of one walk, which Terraform treats as
// one snapshot anyway. Within the process, every storage write through this
// Client (create, update, delete, validate, sync) drops the lists of its
// kind and direction, and a project delete drops its project's lists, so a
// read never sees a list older than a write this process made.
//
// The list is only a way to answer reads faster; it never decides that a
// storage is gone. A storage missing from its group's list, and any failure
// of the list request, falls back to the GET by id: a storage moved to
// another project outside Terraform is found there, and only the detail
// view's 404 means deleted.

// storageGroup is the unit one list request answers.
type storageGroup struct {
	kind      string
	direction Direction
	project   int64
}

// storageList is one list request of a group, in flight or answered.
type storageList struct {
	done chan struct{} // closed once byID is set
	// byID is every storage of the group; nil when the list request failed.
	byID map[int64]*Storage
}

// storageLists holds the list of every group read in this Client's life.
type storageLists struct {
	mu     sync.Mutex
	groups map[storageGroup]*storageList
}

// listed returns the group's list, making the request when no read of the
// group has yet: concurrent reads of a group share one request in flight.
// The request runs without the caller's cancellation (the other readers
// wait on it too) but is bounded by the request timeout and retries; a
// caller whose context ends stops waiting.
func (c *Client) listed(ctx context.Context, group storageGroup) (*storageList, error) {
	lists := &c.storageLists
	lists.mu.Lock()
	if lists.groups == nil {
		lists.groups = make(map[storageGroup]*storageList)
	}
	list, found := lists.groups[group]
	if !found {
		list = &storageList{done: make(chan struct{})}
		lists.groups[group] = list
	}
	lists.mu.Unlock()

	if !found {
		go c.fetchStorageList(context.WithoutCancel(ctx), group, list)
	}
	select {
	case <-list.done:
		return list, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (c *Client) fetchStorageList(ctx context.Context, group storageGroup, list *storageList) {
	defer close(list.done)
	storages, err := c.ListStorages(ctx, group.kind, group.direction, group.project)
	if err != nil {
		// The request's own log line has its status; errors may quote bodies.
		tflog.Debug(ctx, "storage list failed; its reads go by id", map[string]any{
			"kind": group.kind, "direction": string(group.direction), "project": group.project,
		})
		return
	}
	list.byID = make(map[int64]*Storage, len(storages))
	for i := range storages {
		list.byID[storages[i].ID] = &storages[i]
	}
}

// storageFromList answers a read from the group's list; ok is false when
// the list cannot answer it (the storage is not in it, or the list failed)
// and the caller must GET the storage by id.
func (c *Client) storageFromList(ctx context.Context, ref StorageRef) (_ *Storage, ok bool, _ error) {
	list, err := c.listed(ctx, storageGroup{kind: ref.Kind, direction: ref.Direction, project: ref.Project})
	if err != nil {
		return nil, false, err
	}
	st, found := list.byID[ref.ID] // a failed list holds nothing
	if !found {
		return nil, false, nil
	}
	// Each reader gets its own copy: the list is shared.
	clone := *st
	clone.Fields = maps.Clone(st.Fields)
	return &clone, true, nil
}

// forgetStorageLists drops the lists a write may have made stale: every
// group of the kind and direction (a PATCH may move a storage to another
// project, and a create's project is in its body). A request in flight
// still answers the reads already waiting for it, which began before the
// write ended; later reads make a new request.
func (c *Client) forgetStorageLists(kind string, dir Direction) {
	c.forgetStorageListsWhere(func(g storageGroup) bool { return g.kind == kind && g.direction == dir })
}

// forgetProjectStorageLists drops a project's lists (its delete removes its
// storages on the server).
func (c *Client) forgetProjectStorageLists(project int64) {
	c.forgetStorageListsWhere(func(g storageGroup) bool { return g.project == project })
}

func (c *Client) forgetStorageListsWhere(stale func(storageGroup) bool) {
	lists := &c.storageLists
	lists.mu.Lock()
	defer lists.mu.Unlock()
	maps.DeleteFunc(lists.groups, func(g storageGroup, _ *storageList) bool { return stale(g) })
}
