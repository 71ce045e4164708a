package provider

import (
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv"
)

// storageFixture is what one kind and direction needs for the lifecycle
// test: the attributes (HCL expressions) of the first and of the updated
// configuration, the secret values they carry, and the fields every PATCH
// made outside Terraform must repeat (Label Studio re-checks Redis and
// local-files storages from the PATCH body alone).
type storageFixture struct {
	create, update map[string]string
	secrets        []string
	patchBase      map[string]any
	// imported are the attributes of a configuration that an import block
	// must plan without changes: what the server returns, so no secrets,
	// no hidden fields and the local path as Label Studio stores it.
	imported map[string]string
}

func localFixture(dir client.Direction) func(t *testing.T, env *testenv.Env, project int64) storageFixture {
	return func(t *testing.T, env *testenv.Env, project int64) storageFixture {
		path := testenv.LocalDir(t, env, fmt.Sprintf("acc-%d-%s", project, dir))
		testenv.WriteFile(t, path, "task.json", []byte(`{"text": "hello"}`))
		create := map[string]string{
			"title": hclString("created by terraform"),
			// Label Studio drops the trailing slash; it must never diff.
			"path": hclString(path + "/"),
		}
		update := map[string]string{
			"title":        hclString("updated by terraform"),
			"description":  hclString("managed by terraform"),
			"path":         hclString(path + "/"),
			"regex_filter": hclString(`.*\.json`),
			"timeouts":     `{ create = "2m", update = "2m", delete = "1m" }`,
		}
		if dir == client.Import {
			update["recursive_scan"] = "true"
		} else {
			update["can_delete_objects"] = "true"
		}
		imported := withAttrs(create, map[string]string{"path": hclString(path)})
		return storageFixture{create: create, update: update, patchBase: map[string]any{"path": path}, imported: imported}
	}
}

func redisFixture(dir client.Direction) func(t *testing.T, env *testenv.Env, project int64) storageFixture {
	return func(t *testing.T, _ *testenv.Env, _ int64) storageFixture {
		srv := testenv.Redis(t)
		create := map[string]string{
			"title": hclString("created by terraform"),
			"host":  hclString(srv.Host),
			"port":  hclString(srv.Port),
		}
		update := map[string]string{
			"title": hclString("updated by terraform"),
			"host":  hclString(srv.Host),
			"port":  hclString(srv.Port),
			"db":    "3",
			"path":  hclString(testenv.UniqueName(t, "acc:")),
		}
		patchBase := map[string]any{"host": srv.Host, "port": srv.Port, "db": 3}
		imported := withAttrs(create, nil)
		var secrets []string
		if srv.Password != "" {
			// The update moves the password to the write-only attribute:
			// from then on no secret may be left in state.
			create["password"] = hclString(srv.Password)
			update["password_wo"] = hclString(srv.Password)
			update["password_wo_version"] = "1"
			patchBase["password"] = srv.Password
			secrets = append(secrets, srv.Password)
		}
		return storageFixture{create: create, update: update, secrets: secrets, patchBase: patchBase, imported: imported}
	}
}

// objectStoreAttrs are the attributes S3, GCS and Azure share: a prefix
// holding one task file, and in the update the import options changed.
func objectStoreAttrs(dir client.Direction, update bool) map[string]string {
	if !update {
		return map[string]string{
			"title":  hclString("created by terraform"),
			"prefix": hclString("tasks"),
		}
	}
	attrs := map[string]string{
		"title":          hclString("updated by terraform"),
		"description":    hclString("managed by terraform"),
		"prefix":         hclString("tasks"),
		"regex_filter":   hclString(`.*\.json`),
		"use_blob_urls":  "false",
		"synchronizable": "true",
	}
	if dir == client.Import {
		attrs["presign"] = "false"
		attrs["presign_ttl"] = "15"
		attrs["recursive_scan"] = "true"
	} else {
		attrs["can_delete_objects"] = "true"
	}
	return attrs
}

const accTaskJSON = `{"text": "hello"}`

func s3Fixture(dir client.Direction, withRole bool) func(t *testing.T, env *testenv.Env, project int64) storageFixture {
	return func(t *testing.T, _ *testenv.Env, _ int64) storageFixture {
		srv := testenv.S3(t)
		bucket := srv.NewBucket(t)
		srv.Put(t, bucket, "tasks/one.json", []byte(accTaskJSON))
		location := map[string]string{
			"bucket":      hclString(bucket),
			"s3_endpoint": hclString(srv.Endpoint),
			"region_name": hclString(srv.Region),
		}
		if withRole {
			location["role_arn"] = hclString("arn:aws:iam::123456789012:role/label-studio")
			location["external_id"] = hclString("acc-external-id")
		}
		return objectStoreFixture(dir, location, map[string]string{
			"aws_access_key_id": srv.AccessKey, "aws_secret_access_key": srv.SecretKey,
		})
	}
}

func gcsFixture(dir client.Direction) func(t *testing.T, env *testenv.Env, project int64) storageFixture {
	return func(t *testing.T, _ *testenv.Env, _ int64) storageFixture {
		srv := testenv.GCS(t)
		bucket := srv.NewBucket(t)
		srv.Put(t, bucket, "tasks/one.json", []byte(accTaskJSON))
		// The emulator checks no credentials; Label Studio only needs JSON.
		// The document holds a key, so that the scan of state looks for it.
		credentials := testCredentials
		location := map[string]string{
			"bucket":            hclString(bucket),
			"google_project_id": hclString("acc-test"),
		}
		return objectStoreFixture(dir, location, map[string]string{"google_application_credentials": credentials})
	}
}

func azureFixture(dir client.Direction) func(t *testing.T, env *testenv.Env, project int64) storageFixture {
	return func(t *testing.T, _ *testenv.Env, _ int64) storageFixture {
		srv := testenv.Azure(t)
		container := srv.NewContainer(t)
		srv.Put(t, container, "tasks/one.json", []byte(accTaskJSON))
		location := map[string]string{
			"container":    hclString(container),
			"account_name": hclString(srv.AccountName),
		}
		fx := objectStoreFixture(dir, location, map[string]string{"account_key": srv.AccountKey})
		fx.imported = withAttrs(map[string]string{"container": location["container"]}, objectStoreAttrs(dir, false))
		return fx
	}
}

// objectStoreFixture is the fixture of a bucket at location whose secrets
// (attribute: value) the create sets plainly and the update moves to their
// write-only attributes.
func objectStoreFixture(dir client.Direction, location, secrets map[string]string) storageFixture {
	fx := storageFixture{
		create:   withAttrs(location, objectStoreAttrs(dir, false)),
		update:   withAttrs(location, objectStoreAttrs(dir, true)),
		imported: withAttrs(location, objectStoreAttrs(dir, false)),
	}
	for _, name := range slices.Sorted(maps.Keys(secrets)) {
		fx.create[name] = hclString(secrets[name])
		fx.update[writeOnlyName(name)] = hclString(secrets[name])
		fx.update[versionName(name)] = "1"
		fx.secrets = append(fx.secrets, secrets[name])
	}
	return fx
}
