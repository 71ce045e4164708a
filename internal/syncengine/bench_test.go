package syncengine_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/devserver"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/syncengine"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv"
)

// countingAPI counts the status reads the engine makes.
type countingAPI struct {
	*client.Client
	gets, lists atomic.Int64
}

func (c *countingAPI) GetStorage(ctx context.Context, ref client.StorageRef) (*client.Storage, error) {
	c.gets.Add(1)
	return c.Client.GetStorage(ctx, ref)
}

func (c *countingAPI) ListStorages(ctx context.Context, kind string, dir client.Direction, project int64) ([]client.Storage, error) {
	c.lists.Add(1)
	return c.Client.ListStorages(ctx, kind, dir, project)
}

// pythonTimeLayout is str(datetime) with a UTC offset, as in meta (API.md §7).
const pythonTimeLayout = "2006-01-02 15:04:05.999999-07:00"

// BenchmarkSyncWait measures, for syncs of about 0.5 s, 5 s and 60 s on a
// queued stand-in, how late the engine notices the end (from the server's
// meta.time_completed to Sync returning) and how many status requests
// (GETs and list calls, the baseline GET excluded) the wait costs. Targets:
// latency <= max(0.3 s, 10% of the sync); at most 20 status requests for
// the 60 s sync. Run: go test -run '^$' -bench SyncWait -benchtime 3x ./internal/syncengine/
func BenchmarkSyncWait(b *testing.B) {
	const objectsPerSync = 10
	for _, duration := range []time.Duration{500 * time.Millisecond, 5 * time.Second, 60 * time.Second} {
		b.Run(duration.String(), func(b *testing.B) {
			env := testenv.Start(b, testenv.Options{SyncMode: devserver.SyncQueued, SyncObjectDelay: duration / objectsPerSync})
			c := env.Client(b, client.Config{})
			api := &countingAPI{Client: c}
			project, err := c.CreateProject(b.Context(), map[string]any{"title": "sync benchmark"})
			if err != nil {
				b.Fatal(err)
			}
			engine := syncengine.New(api, syncengine.Options{})

			var totalLatency, maxLatency, totalSync time.Duration
			var totalReads int64
			for i := 0; b.Loop(); i++ {
				b.StopTimer()
				// A fresh storage per run: the stand-in's delay applies to
				// objects imported before too.
				ref := testenv.LocalImportStorage(b, env, c, project.ID, fmt.Sprintf("bench-%03d", i), testenv.TaskFiles(1, objectsPerSync))
				readsBefore := api.gets.Load() + api.lists.Load()
				b.StartTimer()

				res := engine.Sync(b.Context(), []client.StorageRef{ref}, nil)[0]
				returned := time.Now()

				b.StopTimer()
				if res.Err != nil || res.Status != syncengine.StatusCompleted || *res.LastSyncCount != objectsPerSync {
					b.Fatalf("sync %d: %+v", i, res)
				}
				queued, completed := serverTimes(b, c, ref)
				latency := returned.Sub(completed)
				totalLatency += latency
				maxLatency = max(maxLatency, latency)
				totalSync += completed.Sub(queued)
				// The baseline GET before the sync request is not a status read.
				totalReads += api.gets.Load() + api.lists.Load() - readsBefore - 1
				b.StartTimer()
			}
			n := float64(b.N)
			b.ReportMetric(totalSync.Seconds()/n, "sync-s")
			b.ReportMetric(float64(totalLatency.Milliseconds())/n, "latency-ms")
			b.ReportMetric(float64(maxLatency.Milliseconds()), "max-latency-ms")
			b.ReportMetric(float64(totalReads)/n, "status-requests")
		})
	}
}

// serverTimes reads when the last sync was queued and completed, from meta.
func serverTimes(b *testing.B, c *client.Client, ref client.StorageRef) (queued, completed time.Time) {
	b.Helper()
	st, err := c.GetStorage(b.Context(), ref)
	if err != nil {
		b.Fatal(err)
	}
	var meta struct {
		TimeQueued    string `json:"time_queued"`
		TimeCompleted string `json:"time_completed"`
	}
	if err := json.Unmarshal(st.Meta, &meta); err != nil {
		b.Fatalf("meta %s: %v", st.Meta, err)
	}
	if queued, err = time.Parse(pythonTimeLayout, meta.TimeQueued); err != nil {
		b.Fatalf("time_queued: %v", err)
	}
	if completed, err = time.Parse(pythonTimeLayout, meta.TimeCompleted); err != nil {
		b.Fatalf("time_completed: %v", err)
	}
	return queued, completed
}
