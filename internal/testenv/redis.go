package testenv

import (
	"errors"
	"net"
	"os"
	"sort"
	"testing"

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
	c := redis.NewClient(&redis.Options{Addr: net.JoinHostPort(r.Host, r.Port), DB: db, Password: r.Password})
	t.Cleanup(func() { _ = c.Close() })
	return c
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
