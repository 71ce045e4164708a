package testenv

import (
	"os"
	"testing"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv/mlbackend"
)

// MLBackend starts a model server speaking label-studio-ml-backend's
// protocol for the test. LSTEST_ML_BACKEND_ADDR sets its listen address
// when a real Label Studio (in a container, say) must reach it; the default
// is a free loopback port, which the stand-in reaches.
func MLBackend(t testing.TB, cfg mlbackend.Config) *mlbackend.Backend {
	t.Helper()
	if cfg.Addr == "" {
		cfg.Addr = os.Getenv("LSTEST_ML_BACKEND_ADDR")
	}
	return mlbackend.Start(t, cfg)
}
