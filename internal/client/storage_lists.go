package client

import (
	"context"
	"maps"
	"net/http"
)

// Storage reads served from their group's list (group_lists.go): one list
// request per (kind, direction, project).

// storageGroup is the unit one storage list request answers.
type storageGroup struct {
	kind      string
	direction Direction
	project   int64
}

func (s Storage) listID() int64 { return s.ID }

func (s Storage) readerCopy() *Storage {
	s.Fields = maps.Clone(s.Fields)
	return &s
}

// readStorageFromList answers a read from the group of ref.Project, or by
// id (path) when the list cannot.
func (c *Client) readStorageFromList(ctx context.Context, ref StorageRef, path string) (*Storage, error) {
	group := storageGroup{kind: ref.Kind, direction: ref.Direction, project: ref.Project}
	return c.storageLists.read(ctx, group, ref.ID, func(ctx context.Context) ([]Storage, error) {
		return c.ListStorages(ctx, group.kind, group.direction, group.project)
	}, func(ctx context.Context) (*Storage, error) {
		return callFor(ctx, c, call{method: http.MethodGet, path: path, retryable: true}, decodeStorage)
	})
}

// forgetStorageLists drops the lists a write of a storage of this kind and
// direction may have made stale: every project's (a PATCH may move a
// storage to another project, and a create's project is in its body).
func (c *Client) forgetStorageLists(kind string, dir Direction) {
	c.storageLists.forget(func(g storageGroup) bool { return g.kind == kind && g.direction == dir })
}
