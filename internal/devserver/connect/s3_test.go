package connect_test

import (
	"context"
	"errors"
	"testing"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/devserver/connect"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv"
)

// trustLoopback makes MinIO on 127.0.0.1 a trusted S3 domain, so Label
// Studio's own messages show instead of the "Debugging info" 500.
var trustLoopback = connect.Env{S3TrustedDomains: []string{"127.0.0.1"}}

func s3Settings(srv *testenv.S3Server, bucket, prefix string) connect.Settings {
	return connect.Settings{
		"bucket": bucket, "prefix": prefix, "region_name": srv.Region, "s3_endpoint": srv.Endpoint,
		"aws_access_key_id": srv.AccessKey, "aws_secret_access_key": srv.SecretKey,
	}
}

func TestS3Validate(t *testing.T) {
	srv := testenv.S3(t)
	bucket := srv.NewBucket(t)
	srv.Put(t, bucket, "images/1.json", []byte(`{}`))
	c := connector(t, "s3", trustLoopback)
	ctx := context.Background()

	t.Run("bucket", func(t *testing.T) {
		for _, dir := range []connect.Direction{connect.Import, connect.Export} {
			if err := c.Validate(ctx, s3Settings(srv, bucket, ""), dir); err != nil {
				t.Errorf("%s: %v", dir, err)
			}
		}
	})
	t.Run("prefix with objects", func(t *testing.T) {
		if err := c.Validate(ctx, s3Settings(srv, bucket, "images"), connect.Import); err != nil {
			t.Error(err)
		}
	})
	t.Run("import prefix without objects", func(t *testing.T) {
		err := c.Validate(ctx, s3Settings(srv, bucket, "videos"), connect.Import)
		wantError(t, err, "s3://"+bucket+"/videos not found.", false)
	})
	t.Run("export prefix without objects", func(t *testing.T) {
		if err := c.Validate(ctx, s3Settings(srv, bucket, "videos"), connect.Export); err != nil {
			t.Error(err)
		}
	})
	t.Run("missing bucket", func(t *testing.T) {
		raised := map[string]string{
			"":       "An error occurred (404) when calling the HeadBucket operation: Not Found",
			"images": "An error occurred (NoSuchBucket) when calling the ListObjectsV2 operation: The specified bucket does not exist",
		}
		for prefix, want := range raised {
			err := c.Validate(ctx, s3Settings(srv, "lstest-no-such-bucket", prefix), connect.Import)
			wantError(t, err, "Cannot find bucket lstest-no-such-bucket in S3", false)
			var ce *connect.Error
			if errors.As(err, &ce) && ce.RaisedText() != want {
				t.Errorf("prefix %q: raised %q, want %q", prefix, ce.RaisedText(), want)
			}
		}
	})
	t.Run("wrong secret key", func(t *testing.T) {
		s := s3Settings(srv, bucket, "")
		s["aws_secret_access_key"] = "not-the-secret"
		wantError(t, c.Validate(ctx, s, connect.Import), "Cannot connect to S3 "+bucket+" with specified AWS credentials", false)
	})
	t.Run("unknown access key", func(t *testing.T) {
		s := s3Settings(srv, bucket, "images")
		s["aws_access_key_id"] = "nobody"
		wantError(t, c.Validate(ctx, s, connect.Export), "Cannot connect to S3 "+bucket+" with specified AWS credentials", false)
	})
	t.Run("untrusted endpoint hides every error", func(t *testing.T) {
		untrusted := connector(t, "s3", connect.Env{})
		err := untrusted.Validate(ctx, s3Settings(srv, "lstest-no-such-bucket", ""), connect.Import)
		wantError(t, err, "Debugging info is not available for s3 endpoints on domain: 127.0.0.1", true)
		err = untrusted.Validate(ctx, s3Settings(srv, bucket, "videos"), connect.Import)
		wantError(t, err, "Debugging info is not available for s3 endpoints on domain: 127.0.0.1", true)
		if err := untrusted.Validate(ctx, s3Settings(srv, bucket, "images"), connect.Import); err != nil {
			t.Errorf("a good connection on an untrusted endpoint: %v", err)
		}
	})
	t.Run("s3s connects with the access keys", func(t *testing.T) {
		s := s3Settings(srv, bucket, "images")
		s["role_arn"] = "arn:aws:iam::123456789012:role/labelstudio"
		if err := connector(t, "s3s", trustLoopback).Validate(ctx, s, connect.Import); err != nil {
			t.Error(err)
		}
	})
}

func TestS3List(t *testing.T) {
	srv := testenv.S3(t)
	bucket := srv.NewBucket(t)
	for _, key := range []string{"root.json", "a/1.json", "a/2.jpg", "a/b/3.json", "a/folder/", "ab/4.json"} {
		srv.Put(t, bucket, key, []byte(`{}`))
	}
	c := connector(t, "s3", trustLoopback)

	tests := []struct {
		name      string
		prefix    string
		recursive bool
		want      []string
	}{
		{"prefix, direct children only", "a", false, []string{"a/1.json", "a/2.jpg"}},
		{"prefix with a trailing slash", "a/", false, []string{"a/1.json", "a/2.jpg"}},
		{"prefix, recursive", "a", true, []string{"a/1.json", "a/2.jpg", "a/b/3.json"}},
		// label_studio/io_storages/s3/models.py iter_objects: without
		// recursive_scan the Delimiter '/' applies even with no prefix.
		{"no prefix, root level only", "", false, []string{"root.json"}},
		{"no prefix, recursive", "", true, []string{"a/1.json", "a/2.jpg", "a/b/3.json", "ab/4.json", "root.json"}},
		{"prefix without objects", "zzz", true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := s3Settings(srv, bucket, tt.prefix)
			s["recursive_scan"] = tt.recursive
			wantKeys(t, keys(t, c, s), tt.want...)
		})
	}
}

func TestS3WriteReadDelete(t *testing.T) {
	srv := testenv.S3(t)
	bucket := srv.NewBucket(t)
	c := connector(t, "s3", trustLoopback)
	ctx := context.Background()

	for _, tt := range []struct{ prefix, key, wantKey string }{
		{"exports", "17", "exports/17"},
		{"", "18", "18"},
	} {
		s := s3Settings(srv, bucket, tt.prefix)
		if err := c.Write(ctx, s, tt.key, []byte(`{"id":1}`)); err != nil {
			t.Fatalf("Write(%s): %v", tt.key, err)
		}
		if got := string(srv.Get(t, bucket, tt.wantKey)); got != `{"id":1}` {
			t.Errorf("s3://%s/%s = %q", bucket, tt.wantKey, got)
		}
		data, err := c.Read(ctx, s, tt.wantKey)
		if err != nil || string(data) != `{"id":1}` {
			t.Errorf("Read(%s) = %q, %v", tt.wantKey, data, err)
		}
		if err := c.Delete(ctx, s, tt.key); err != nil {
			t.Fatalf("Delete(%s): %v", tt.key, err)
		}
		if _, found := srv.Lookup(t, bucket, tt.wantKey); found {
			t.Errorf("s3://%s/%s still exists after Delete", bucket, tt.wantKey)
		}
	}

	_, err := c.Read(ctx, s3Settings(srv, bucket, ""), "missing.json")
	if err == nil || err.Error() != "An error occurred (NoSuchKey) when calling the GetObject operation: The specified key does not exist." {
		t.Errorf("Read(missing) error = %v", err)
	}
	if got := c.BlobURL(s3Settings(srv, bucket, "x"), "x/1.jpg"); got != "s3://"+bucket+"/x/1.jpg" {
		t.Errorf("BlobURL = %s", got)
	}
}
