package testenv

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"sort"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// RedisServer is the redis-server from LSTEST_REDIS_*. Tests share it:
// give keys a UniqueName prefix rather than flushing a database others use.
type RedisServer struct {
	Host     string
	Port     string
	Password string
}

// Redis returns the Redis server; it skips (or fails, under
// LSTEST_REQUIRE_SERVICES=1) when none is configured.
func Redis(t testing.TB) *RedisServer {
	t.Helper()
	v := require(t, "Redis server", "LSTEST_REDIS_HOST", "LSTEST_REDIS_PORT")
	r := &RedisServer{Host: v["LSTEST_REDIS_HOST"], Port: v["LSTEST_REDIS_PORT"]}
	// The password is optional: a server may run without one.
	r.Password = os.Getenv("LSTEST_REDIS_PASSWORD")
	return r
}

// client opens a connection to db, closed when the test ends.
func (r *RedisServer) client(t testing.TB, db int) *redis.Client {
	t.Helper()
	c := r.dial(db)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// dial opens a connection to db that the caller closes.
func (r *RedisServer) dial(db int) *redis.Client {
	return redis.NewClient(&redis.Options{Addr: net.JoinHostPort(r.Host, r.Port), DB: db, Password: r.Password})
}

// Set stores value under key in db.
func (r *RedisServer) Set(t testing.TB, db int, key, value string) {
	t.Helper()
	if err := r.client(t, db).Set(t.Context(), key, value, 0).Err(); err != nil {
		t.Fatalf("testenv: redis SET %s in db %d: %v", key, db, err)
	}
}

// Get returns the value of key in db and whether it exists.
func (r *RedisServer) Get(t testing.TB, db int, key string) (string, bool) {
	t.Helper()
	v, err := r.client(t, db).Get(t.Context(), key).Result()
	if errors.Is(err, redis.Nil) {
		return "", false
	}
	if err != nil {
		t.Fatalf("testenv: redis GET %s in db %d: %v", key, db, err)
	}
	return v, true
}

// Keys returns the keys of db matching pattern, sorted.
func (r *RedisServer) Keys(t testing.TB, db int, pattern string) []string {
	t.Helper()
	keys, err := r.client(t, db).Keys(t.Context(), pattern).Result()
	if err != nil {
		t.Fatalf("testenv: redis KEYS %s in db %d: %v", pattern, db, err)
	}
	sort.Strings(keys)
	return keys
}

// FlushDB empties db.
func (r *RedisServer) FlushDB(t testing.TB, db int) {
	t.Helper()
	if err := r.client(t, db).FlushDB(t.Context()).Err(); err != nil {
		t.Fatalf("testenv: redis FLUSHDB %d: %v", db, err)
	}
}

// The databases ExclusiveDB hands out, and where it records its claims.
const (
	firstExclusiveDB = 12
	lastExclusiveDB  = 15
	claimsDB         = 0
	// Longer than any test holds one; the claims of a killed run expire.
	claimLifetime = 5 * time.Minute
)

// claimKey is the key in claimsDB that holds db's claim.
func claimKey(db int) string { return fmt.Sprintf("lstest:exclusive-db:%d", db) }

// ExclusiveDB claims an empty database for this test alone, for writers that
// cannot be given a key prefix (a Redis export names its keys by annotation
// id). Test runs share the server (scripts/test.sh runs the CLIs' tests side
// by side), so the claim is a key set with NX, released when the test ends;
// when every database is claimed it waits for one.
func (r *RedisServer) ExclusiveDB(t testing.TB) int {
	t.Helper()
	claims := r.client(t, claimsDB)
	token := UniqueName(t, "")
	deadline := time.Now().Add(claimLifetime + time.Minute)
	for time.Now().Before(deadline) {
		for db := firstExclusiveDB; db <= lastExclusiveDB; db++ {
			key := claimKey(db)
			claimed, err := claims.SetNX(t.Context(), key, token, claimLifetime).Result()
			if err != nil {
				t.Fatalf("testenv: redis claim of db %d: %v", db, err)
			}
			if !claimed {
				continue
			}
			t.Cleanup(func() { r.release(key, token) })
			r.FlushDB(t, db)
			return db
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("testenv: redis databases %d-%d stayed claimed by other tests for %s", firstExclusiveDB, lastExclusiveDB, claimLifetime+time.Minute)
	return 0
}

// release drops a claim if it is still ours (it may have expired and been
// taken). It runs in a cleanup, when the test's context is already cancelled.
func (r *RedisServer) release(key, token string) {
	ctx := context.Background()
	c := r.dial(claimsDB)
	defer func() { _ = c.Close() }()
	if v, _ := c.Get(ctx, key).Result(); v == token {
		c.Del(ctx, key)
	}
}
