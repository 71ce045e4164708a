package connect_test

import (
	"context"
	"testing"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/devserver/connect"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv"
)

func TestAzureValidate(t *testing.T) {
	srv := testenv.Azure(t)
	container := srv.NewContainer(t)
	srv.Put(t, container, "images/1.json", []byte(`{}`))
	ctx := context.Background()
	withFallback := connector(t, "azure", connect.Env{AzureEndpoint: srv.Endpoint, AzureAccountName: srv.AccountName, AzureAccountKey: srv.AccountKey})
	noFallback := connector(t, "azure", connect.Env{AzureEndpoint: srv.Endpoint})
	settings := func(container, prefix string) connect.Settings {
		return connect.Settings{"container": container, "prefix": prefix}
	}

	for _, s := range []connect.Settings{settings(container, ""), settings(container, "images")} {
		if err := withFallback.Validate(ctx, s, connect.Import); err != nil {
			t.Errorf("import %v with the environment's account: %v", s, err)
		}
	}
	own := settings(container, "images")
	own["account_name"], own["account_key"] = srv.AccountName, srv.AccountKey
	if err := noFallback.Validate(ctx, own, connect.Import); err != nil {
		t.Errorf("import with the storage's own account: %v", err)
	}

	wantError(t, noFallback.Validate(ctx, settings(container, ""), connect.Import),
		"Azure account name and key must be set using environment variables AZURE_BLOB_ACCOUNT_NAME and "+
			"AZURE_BLOB_ACCOUNT_KEY or account_name and account_key fields.", false)
	for _, dir := range []connect.Direction{connect.Import, connect.Export} {
		wantError(t, withFallback.Validate(ctx, settings("lstest-no-such-container", ""), dir),
			"'Container not found: lstest-no-such-container'", false)
	}
	wantError(t, withFallback.Validate(ctx, settings(container, "videos"), connect.Import),
		"'azure-blob://"+container+"/videos not found.'", false)
	if err := withFallback.Validate(ctx, settings(container, "videos"), connect.Export); err != nil {
		t.Errorf("export to an empty prefix: %v", err)
	}

	wrongKey := settings(container, "")
	wrongKey["account_name"], wrongKey["account_key"] = srv.AccountName, "d3Jvbmcta2V5"
	if err := noFallback.Validate(ctx, wrongKey, connect.Import); err == nil {
		t.Error("a wrong account key validated")
	}
}

func TestAzureList(t *testing.T) {
	srv := testenv.Azure(t)
	container := srv.NewContainer(t)
	for _, key := range []string{"root.json", "a/1.json", "a/b/2.json", "ab/3.json"} {
		srv.Put(t, container, key, []byte(`{}`))
	}
	c := connector(t, "azure", connect.Env{AzureEndpoint: srv.Endpoint, AzureAccountName: srv.AccountName, AzureAccountKey: srv.AccountKey})
	list := func(prefix string, recursive bool) []string {
		return keys(t, c, connect.Settings{"container": container, "prefix": prefix, "recursive_scan": recursive})
	}
	wantKeys(t, list("a", false), "a/1.json")
	wantKeys(t, list("a/", true), "a/1.json", "a/b/2.json")
	wantKeys(t, list("", false), "root.json")
	wantKeys(t, list("", true), "a/1.json", "a/b/2.json", "ab/3.json", "root.json")
}

func TestAzureWriteReadDelete(t *testing.T) {
	srv := testenv.Azure(t)
	container := srv.NewContainer(t)
	c := connector(t, "azure", connect.Env{AzureEndpoint: srv.Endpoint, AzureAccountName: srv.AccountName, AzureAccountKey: srv.AccountKey})
	ctx := context.Background()
	s := connect.Settings{"container": container, "prefix": "exports"}

	for _, content := range []string{`{"id":1}`, `{"id":2}`} { // the second write overwrites
		if err := c.Write(ctx, s, "5", []byte(content)); err != nil {
			t.Fatal(err)
		}
		if got := string(srv.Get(t, container, "exports/5")); got != content {
			t.Errorf("azure-blob://%s/exports/5 = %q, want %q", container, got, content)
		}
	}
	data, err := c.Read(ctx, s, "exports/5")
	if err != nil || string(data) != `{"id":2}` {
		t.Errorf("Read = %q, %v", data, err)
	}
	if err := c.Delete(ctx, s, "5"); err != nil {
		t.Fatal(err)
	}
	if _, found := srv.Lookup(t, container, "exports/5"); found {
		t.Error("blob still exists after Delete")
	}
	if got := c.BlobURL(s, "exports/5"); got != "azure-blob://"+container+"/exports/5" {
		t.Errorf("BlobURL = %s", got)
	}
}
