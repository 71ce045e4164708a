package devserver

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
)

// state is everything the server knows; it is what DataDir persists.
type state struct {
	// NextID holds the last id handed out per table, so ids keep
	// increasing across restarts.
	NextID map[string]int64 `json:"next_id"`
	// JWTSecret signs personal access tokens and access tokens.
	JWTSecret []byte `json:"jwt_secret"`
	// LegacyToken is the bootstrap user's legacy API token.
	LegacyToken string `json:"legacy_token"`
	// Tokens are the personal access tokens issued, by JWT id.
	Tokens map[string]*patRecord `json:"tokens"`

	Projects    map[int64]*project    `json:"projects"`
	Storages    map[string]*storage   `json:"storages"`
	Tasks       map[int64]*task       `json:"tasks"`
	Annotations map[int64]*annotation `json:"annotations"`
	MLBackends  map[int64]*mlBackend  `json:"ml_backends"`
	Views       map[int64]*dmView     `json:"views"`
	Webhooks    map[int64]*webhook    `json:"webhooks"`
}

type patRecord struct {
	Token     string `json:"token"`
	CreatedAt string `json:"created_at"`
	ExpiresAt string `json:"expires_at"`
}

// storage is one import or export storage. Fields holds every serialized
// field, secrets included; responses leave the secrets out.
type storage struct {
	Kind   string         `json:"kind"`
	Dir    string         `json:"dir"`
	ID     int64          `json:"id"`
	Fields map[string]any `json:"fields"`
	// Links maps an object key to the task created from it, so a re-sync
	// imports new objects only.
	Links map[string]int64 `json:"links"`
}

func storageKey(kind, dir string, id int64) string {
	return kind + "/" + dir + "/" + strconv.FormatInt(id, 10)
}

func newState() *state {
	return &state{
		NextID:      map[string]int64{},
		Tokens:      map[string]*patRecord{},
		Projects:    map[int64]*project{},
		Storages:    map[string]*storage{},
		Tasks:       map[int64]*task{},
		Annotations: map[int64]*annotation{},
		MLBackends:  map[int64]*mlBackend{},
		Views:       map[int64]*dmView{},
		Webhooks:    map[int64]*webhook{},
	}
}

// nextID hands out the next id of a table.
func (st *state) nextID(table string) int64 {
	st.NextID[table]++
	return st.NextID[table]
}

// storagesOf lists a project's storages of one kind and direction ("" = any
// kind), in id order.
func (st *state) storagesOf(project int64, kind, dir string) []*storage {
	var out []*storage
	for _, sg := range st.Storages {
		if sg.Dir == dir && (kind == "" || sg.Kind == kind) && sg.project() == project {
			out = append(out, sg)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].ID != out[j].ID {
			return out[i].ID < out[j].ID
		}
		return out[i].Kind < out[j].Kind
	})
	return out
}

func (sg *storage) project() int64 {
	f, _ := sg.Fields["project"].(float64)
	return int64(f)
}

const snapshotName = "state.json"

// loadState reads the snapshot in dir; a missing file is an empty state.
func loadState(dir string) (*state, error) {
	data, err := os.ReadFile(filepath.Join(dir, snapshotName))
	if errors.Is(err, os.ErrNotExist) {
		return newState(), nil
	}
	if err != nil {
		return nil, fmt.Errorf("devserver: read state: %w", err)
	}
	st := newState()
	if err := json.Unmarshal(data, st); err != nil {
		return nil, fmt.Errorf("devserver: decode state %s: %w", filepath.Join(dir, snapshotName), err)
	}
	return st, nil
}

// saveState writes the snapshot atomically: a temporary file is written and
// synced, then renamed over the old one, so a crash leaves either the old or
// the new state and never a torn file.
func saveState(dir string, st *state) error {
	data, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("devserver: encode state: %w", err)
	}
	tmp, err := os.CreateTemp(dir, snapshotName+".tmp-*")
	if err != nil {
		return fmt.Errorf("devserver: write state: %w", err)
	}
	tmpName := tmp.Name()
	defer func() { _ = os.Remove(tmpName) }() // no-op after a successful rename
	if _, err := tmp.Write(data); err != nil {
		_ = tmp.Close()
		return fmt.Errorf("devserver: write state: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		_ = tmp.Close()
		return fmt.Errorf("devserver: sync state: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("devserver: write state: %w", err)
	}
	if err := os.Rename(tmpName, filepath.Join(dir, snapshotName)); err != nil {
		return fmt.Errorf("devserver: replace state: %w", err)
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync() // make the rename itself durable where the OS allows it
		_ = d.Close()
	}
	return nil
}

// deleteProjectObjects removes what a project's deletion cascades to among
// the objects beyond storages and tasks (on_delete=CASCADE on their
// project foreign keys).
func (st *state) deleteProjectObjects(projectID int64) {
	for id, b := range st.MLBackends {
		if b.Project == projectID {
			delete(st.MLBackends, id)
		}
	}
	for id, v := range st.Views {
		if v.Project == projectID {
			delete(st.Views, id)
		}
	}
	for id, wh := range st.Webhooks {
		if wh.Project == projectID {
			delete(st.Webhooks, id)
		}
	}
}
