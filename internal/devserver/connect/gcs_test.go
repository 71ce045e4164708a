package connect_test

import (
	"context"
	"strings"
	"testing"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/devserver/connect"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv"
)

func TestGCSValidate(t *testing.T) {
	srv := testenv.GCS(t)
	bucket := srv.NewBucket(t)
	srv.Put(t, bucket, "images/1.json", []byte(`{}`))
	c := connector(t, "gcs", connect.Env{GCSEndpoint: srv.Endpoint})
	ctx := context.Background()
	settings := func(bucket, prefix string) connect.Settings {
		return connect.Settings{"bucket": bucket, "prefix": prefix}
	}

	for _, s := range []connect.Settings{settings(bucket, ""), settings(bucket, "images")} {
		if err := c.Validate(ctx, s, connect.Import); err != nil {
			t.Errorf("import %v: %v", s, err)
		}
	}
	wantError(t, c.Validate(ctx, settings(bucket, "videos"), connect.Import),
		"No blobs found in "+bucket+"/videos or prefix doesn't exist", false)
	if err := c.Validate(ctx, settings(bucket, "videos"), connect.Export); err != nil {
		t.Errorf("export to an empty prefix: %v", err)
	}
	for _, dir := range []connect.Direction{connect.Import, connect.Export} {
		wantError(t, c.Validate(ctx, settings("lstest-no-such-bucket", ""), dir),
			"404 GET "+srv.Endpoint+"/storage/v1/b/lstest-no-such-bucket?projection=noAcl&prettyPrint=false: "+
				"The specified bucket does not exist.", false)
	}

	s := settings(bucket, "")
	s["google_application_credentials"] = "not json"
	err := c.Validate(ctx, s, connect.Import)
	if err == nil || !strings.HasPrefix(err.Error(), "Google Application Credentials must be valid JSON string. ") {
		t.Errorf("credentials that are not JSON: %v", err)
	}
	s["google_application_credentials"] = `{"type":"service_account"}`
	if err := c.Validate(ctx, s, connect.Import); err != nil {
		t.Errorf("JSON credentials against the emulator: %v", err)
	}
}

func TestGCSList(t *testing.T) {
	srv := testenv.GCS(t)
	bucket := srv.NewBucket(t)
	for _, key := range []string{"root.json", "a/1.json", "a/b/2.json", "a/folder/", "ab/3.json"} {
		srv.Put(t, bucket, key, []byte(`{}`))
	}
	c := connector(t, "gcs", connect.Env{GCSEndpoint: srv.Endpoint})
	list := func(prefix string, recursive bool) []string {
		return keys(t, c, connect.Settings{"bucket": bucket, "prefix": prefix, "recursive_scan": recursive})
	}
	wantKeys(t, list("a", false), "a/1.json")
	wantKeys(t, list("a/", true), "a/1.json", "a/b/2.json")
	wantKeys(t, list("", false), "root.json")
	wantKeys(t, list("", true), "a/1.json", "a/b/2.json", "ab/3.json", "root.json")
}

func TestGCSWriteReadDelete(t *testing.T) {
	srv := testenv.GCS(t)
	bucket := srv.NewBucket(t)
	c := connector(t, "gcs", connect.Env{GCSEndpoint: srv.Endpoint})
	ctx := context.Background()
	s := connect.Settings{"bucket": bucket, "prefix": "exports"}

	if err := c.Write(ctx, s, "9", []byte(`{"id":9}`)); err != nil {
		t.Fatal(err)
	}
	if got := string(srv.Get(t, bucket, "exports/9")); got != `{"id":9}` {
		t.Errorf("gs://%s/exports/9 = %q", bucket, got)
	}
	data, err := c.Read(ctx, s, "exports/9")
	if err != nil || string(data) != `{"id":9}` {
		t.Errorf("Read = %q, %v", data, err)
	}
	if err := c.Delete(ctx, s, "9"); err != nil {
		t.Fatal(err)
	}
	if _, found := srv.Lookup(t, bucket, "exports/9"); found {
		t.Error("object still exists after Delete")
	}
	if got := c.BlobURL(s, "exports/9"); got != "gs://"+bucket+"/exports/9" {
		t.Errorf("BlobURL = %s", got)
	}
}
