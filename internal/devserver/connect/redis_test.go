package connect_test

import (
	"context"
	"net"
	"slices"
	"strings"
	"testing"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/devserver/connect"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv"
)

// redisDB is the database these tests use; keys carry a unique prefix so
// they never meet another test's.
const redisDB = 5

func redisSettings(srv *testenv.RedisServer, path any) connect.Settings {
	return connect.Settings{"host": srv.Host, "port": srv.Port, "password": srv.Password, "db": float64(redisDB), "path": path}
}

// closedPort returns a loopback port nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(l.Addr().String())
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return port
}

func TestRedisValidate(t *testing.T) {
	srv := testenv.Redis(t)
	c := connector(t, "redis", connect.Env{})
	ctx := context.Background()

	if err := c.Validate(ctx, redisSettings(srv, "tasks:"), connect.Import); err != nil {
		t.Errorf("good connection: %v", err)
	}
	t.Run("unreachable server", func(t *testing.T) {
		s := redisSettings(srv, nil)
		s["host"], s["port"] = "127.0.0.1", closedPort(t)
		wantError(t, c.Validate(ctx, s, connect.Export), "Error 111 connecting to 127.0.0.1:"+s.String("port")+". Connection refused.", false)
	})
	t.Run("wrong password", func(t *testing.T) {
		s := redisSettings(srv, nil)
		s["password"] = "wrong"
		if err := c.Validate(ctx, s, connect.Import); err == nil || strings.Contains(err.Error(), "wrong") {
			t.Errorf("error = %v, want a failure that does not echo the password", err)
		}
	})
	t.Run("db 0 is unusable", func(t *testing.T) {
		s := redisSettings(srv, nil)
		s["db"] = float64(0)
		if err := c.Validate(ctx, s, connect.Import); err == nil {
			t.Error("db 0 validated")
		}
	})
	t.Run("port given as a number", func(t *testing.T) {
		s := redisSettings(srv, nil)
		s["port"] = float64(s.Int("port", 0))
		if err := c.Validate(ctx, s, connect.Import); err != nil {
			t.Error(err)
		}
	})
}

func TestRedisListReadWrite(t *testing.T) {
	srv := testenv.Redis(t)
	c := connector(t, "redis", connect.Env{})
	ctx := context.Background()
	prefix := testenv.UniqueName(t, "lstest:")
	srv.Set(t, redisDB, prefix+":b", `{"n":2}`)
	srv.Set(t, redisDB, prefix+":a", `{"n":1}`)
	srv.Set(t, redisDB+1, prefix+":other-db", `{}`)

	wantKeys(t, keys(t, c, redisSettings(srv, prefix)), prefix+":a", prefix+":b")
	wantKeys(t, keys(t, c, redisSettings(srv, prefix+":b")), prefix+":b")

	// A null path lists "None*", as the Label Studio version read does.
	srv.Set(t, redisDB, "None"+prefix, `{}`)
	if got := keys(t, c, redisSettings(srv, nil)); !slices.Contains(got, "None"+prefix) || slices.Contains(got, prefix+":a") {
		t.Errorf("null path listed %q, want the None* keys only", got)
	}

	data, err := c.Read(ctx, redisSettings(srv, prefix), prefix+":a")
	if err != nil || string(data) != `{"n":1}` {
		t.Errorf("Read = %q, %v", data, err)
	}
	if _, err := c.Read(ctx, redisSettings(srv, prefix), prefix+":missing"); err == nil {
		t.Error("Read of a missing key succeeded")
	}

	// Export writes the bare key: path is not a prefix.
	key := testenv.UniqueName(t, "lstest-export-")
	if err := c.Write(ctx, redisSettings(srv, "ignored:"), key, []byte(`{"id":3}`)); err != nil {
		t.Fatal(err)
	}
	if v, ok := srv.Get(t, redisDB, key); !ok || v != `{"id":3}` {
		t.Errorf("GET %s = %q, %v", key, v, ok)
	}
	if err := c.Delete(ctx, redisSettings(srv, nil), key); err != nil {
		t.Fatal(err)
	}
	if _, ok := srv.Get(t, redisDB, key); ok {
		t.Errorf("%s still exists after Delete", key)
	}
}
