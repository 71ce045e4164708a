package storagepreview_test

import (
	"context"
	"errors"
	"net"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/storagepreview"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv"
)

func backendFor(t *testing.T, srv *testenv.S3Server, bucket string) *storagepreview.S3 {
	t.Helper()
	return backendWith(t, storagepreview.S3Config{Bucket: bucket, Endpoint: srv.Endpoint, Region: srv.Region, AccessKeyID: srv.AccessKey, SecretAccessKey: srv.SecretKey})
}

func backendWith(t *testing.T, cfg storagepreview.S3Config) *storagepreview.S3 {
	t.Helper()
	b, err := storagepreview.NewS3(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func run(t *testing.T, b storagepreview.Backend, o storagepreview.Options) *storagepreview.Report {
	t.Helper()
	r, err := storagepreview.Run(t.Context(), b, o)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return r
}

// seedNested is a bucket with root keys, a prefix holding direct children,
// folder markers and sub-folders, and a sibling that shares the prefix's
// spelling but not its folder.
func seedNested(t *testing.T, srv *testenv.S3Server) string {
	t.Helper()
	bucket := srv.NewBucket(t)
	for _, key := range []string{
		"root.jpg",
		"tasks/", "tasks/a.jpg", "tasks/b.jpg", "tasks/c.png", "tasks/notes.txt",
		"tasks/sub/", "tasks/sub/d.jpg", "tasks/sub/f.png", "tasks/sub/deep/e.jpg",
		"tasksextra/x.jpg", "other/y.jpg",
	} {
		srv.Put(t, bucket, key, nil)
	}
	return bucket
}

func TestS3ListingRules(t *testing.T) {
	srv := testenv.S3(t)
	bucket := seedNested(t, srv)
	b := backendFor(t, srv, bucket)

	cases := []struct {
		name string
		o    storagepreview.Options
		keys []string
	}{
		{"prefix, direct children", storagepreview.Options{Prefix: "tasks", RegexFilter: `.*\.jpg`, UseBlobURLs: true},
			[]string{"tasks/a.jpg", "tasks/b.jpg"}},
		{"prefix with slashes, recursive", storagepreview.Options{Prefix: "tasks//", RegexFilter: `.*\.jpg`, UseBlobURLs: true, RecursiveScan: true},
			[]string{"tasks/a.jpg", "tasks/b.jpg", "tasks/sub/d.jpg", "tasks/sub/deep/e.jpg"}},
		{"no prefix: root level only", storagepreview.Options{UseBlobURLs: true}, []string{"root.jpg"}},
		{"no prefix, recursive, anchored regex", storagepreview.Options{RegexFilter: `tasks.*\.png`, UseBlobURLs: true, RecursiveScan: true},
			[]string{"tasks/c.png", "tasks/sub/f.png"}},
		{"regex not anchored at the key's start matches nothing", storagepreview.Options{Prefix: "tasks", RegexFilter: `a\.jpg`, UseBlobURLs: true}, []string{}},
	}
	for _, c := range cases {
		r := run(t, b, c.o)
		if r.ObjectCount == nil || *r.ObjectCount != len(c.keys) || !reflect.DeepEqual(append([]string{}, r.Keys...), c.keys) || r.Truncated {
			t.Errorf("%s: count %v, keys %q, truncated %v; want %d %q", c.name, deref(r.ObjectCount), r.Keys, r.Truncated, len(c.keys), c.keys)
		}
	}

	// Python-only syntax: no count, and a warning that says why.
	r := run(t, b, storagepreview.Options{Prefix: "tasks", RegexFilter: `(?!.*notes).*`, UseBlobURLs: true})
	if r.ObjectCount != nil || len(r.Keys) != 0 || len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0], "left unknown") {
		t.Errorf("lookahead: count %v, keys %q, warnings %q", deref(r.ObjectCount), r.Keys, r.Warnings)
	}
}

func deref(n *int) any {
	if n == nil {
		return nil
	}
	return *n
}

func TestS3MaxObjects(t *testing.T) {
	srv := testenv.S3(t)
	bucket := srv.NewBucket(t)
	for _, key := range []string{"k1", "k2", "k3", "k4", "k5"} {
		srv.Put(t, bucket, key, nil)
	}
	b := backendFor(t, srv, bucket)
	r := run(t, b, storagepreview.Options{MaxObjects: 3, UseBlobURLs: true})
	if deref(r.ObjectCount) != 3 || !r.Truncated || len(r.Keys) != 3 {
		t.Errorf("max 3 of 5: count %v, truncated %v, keys %q", deref(r.ObjectCount), r.Truncated, r.Keys)
	}
	r = run(t, b, storagepreview.Options{MaxObjects: 5, UseBlobURLs: true})
	if deref(r.ObjectCount) != 5 || r.Truncated {
		t.Errorf("max 5 of 5: count %v, truncated %v", deref(r.ObjectCount), r.Truncated)
	}
}

func TestS3TaskFiles(t *testing.T) {
	srv := testenv.S3(t)
	bucket := srv.NewBucket(t)
	files := map[string]string{
		"tasks/1-one.json":    `{"data": {"text": "one"}}`,
		"tasks/2-array.json":  `[{"data": {"text": "a"}}, {"text": "b"}, "c"]`,
		"tasks/3-lines.jsonl": "{\"text\": \"a\"}\n{\"text\": \"b\"}\n",
		"tasks/4-broken.json": `{"data": {"text": "oops"}`,
		"tasks/5-image.jpg":   "\xff\xd8\xff\xe0\x00\x10JFIF\x00",
		"tasks/6-unread.json": `not read: only the first five matching objects are`,
	}
	for key, content := range files {
		srv.Put(t, bucket, key, []byte(content))
	}
	r := run(t, backendFor(t, srv, bucket), storagepreview.Options{Prefix: "tasks"})
	got := map[string]string{}
	for _, e := range r.TaskFileErrors {
		got[e.Key] += e.Message
	}
	want := map[string]string{
		"tasks/2-array.json":  "task 2: not a JSON object",
		"tasks/4-broken.json": "not JSON",
		"tasks/5-image.jpg":   "not UTF-8",
	}
	if len(got) != len(want) {
		t.Errorf("task file errors %q, want keys of %q", got, want)
	}
	for key, says := range want {
		if !strings.Contains(got[key], says) {
			t.Errorf("%s: %q does not say %q", key, got[key], says)
		}
	}
	if r := run(t, backendFor(t, srv, bucket), storagepreview.Options{Prefix: "tasks", UseBlobURLs: true}); len(r.TaskFileErrors) != 0 {
		t.Errorf("use_blob_urls reads no task files: %q", r.TaskFileErrors)
	}
}

func TestS3WriteProbe(t *testing.T) {
	srv := testenv.S3(t)
	bucket := srv.NewBucket(t)
	srv.Put(t, bucket, "exports/existing.json", []byte(`{}`))

	r := run(t, backendFor(t, srv, bucket), storagepreview.Options{Direction: storagepreview.Export, Prefix: "exports", CheckWrite: true})
	if r.Write.Status != storagepreview.WriteOK || !strings.Contains(r.Write.Message, "exports/"+storagepreview.ProbePrefix) {
		t.Errorf("write: %+v", r.Write)
	}
	if keys := srv.Keys(t, bucket, ""); !reflect.DeepEqual(keys, []string{"exports/existing.json"}) {
		t.Errorf("the probe left objects behind: %q", keys)
	}
	if r.ObjectCount != nil || r.CORS.Status != storagepreview.CORSNotNeeded {
		t.Errorf("export reports no count and needs no CORS: %v, %+v", deref(r.ObjectCount), r.CORS)
	}

	r = run(t, backendFor(t, srv, bucket), storagepreview.Options{Direction: storagepreview.Export, Prefix: "exports"})
	if r.Write.Status != storagepreview.WriteNotChecked {
		t.Errorf("without check_write: %+v", r.Write)
	}

	// Credentials that may list but not write.
	readOnly := restrictedCredentials(t, srv, bucket, "s3:ListBucket", "s3:GetObject")
	r = run(t, backendWith(t, readOnly), storagepreview.Options{Direction: storagepreview.Export, Prefix: "exports", CheckWrite: true})
	if r.Write.Status != storagepreview.WriteDenied || !strings.Contains(r.Write.Message, "s3:PutObject") {
		t.Errorf("read-only credentials: %+v", r.Write)
	}

	// Credentials that may write but not delete: the probe stays, and the
	// message names it.
	noDelete := restrictedCredentials(t, srv, bucket, "s3:ListBucket", "s3:PutObject")
	r = run(t, backendWith(t, noDelete), storagepreview.Options{Direction: storagepreview.Export, Prefix: "exports", CheckWrite: true})
	keys := srv.Keys(t, bucket, "exports/"+storagepreview.ProbePrefix)
	if r.Write.Status != storagepreview.WriteOK || len(keys) != 1 || !strings.Contains(r.Write.Message, keys[0]+", but cannot delete it") {
		t.Errorf("no delete permission: %+v, left %q", r.Write, keys)
	}
}

func TestS3CORS(t *testing.T) {
	const origin = "https://label-studio.example.com"

	srv := testenv.S3WithCORS(t)
	bucket := srv.NewBucket(t)
	srv.Put(t, bucket, "a.jpg", nil)
	b := backendFor(t, srv, bucket)

	r := run(t, b, storagepreview.Options{UseBlobURLs: true, CheckCORS: true, Origin: origin})
	if r.CORS.Status != storagepreview.CORSDenied || !strings.Contains(r.CORS.Message, "no CORS rules") {
		t.Errorf("no configuration: %+v", r.CORS)
	}
	srv.PutCORS(t, bucket, []types.CORSRule{{AllowedOrigins: []string{"https://*.example.com"}, AllowedMethods: []string{"PUT"}, AllowedHeaders: []string{"*"}}})
	r = run(t, b, storagepreview.Options{UseBlobURLs: true, CheckCORS: true, Origin: origin})
	if r.CORS.Status != storagepreview.CORSDenied || !strings.Contains(r.CORS.Message, `add "GET" to its AllowedMethods`) {
		t.Errorf("PUT only: %+v", r.CORS)
	}
	srv.PutCORS(t, bucket, []types.CORSRule{{AllowedOrigins: []string{"https://*.example.com"}, AllowedMethods: []string{"GET", "HEAD"}}})
	r = run(t, b, storagepreview.Options{UseBlobURLs: true, CheckCORS: true, Origin: origin})
	if r.CORS.Status != storagepreview.CORSAllowed {
		t.Errorf("GET for the origin: %+v", r.CORS)
	}
	r = run(t, b, storagepreview.Options{UseBlobURLs: true, CheckCORS: true, Origin: "http://localhost:8080"})
	if r.CORS.Status != storagepreview.CORSDenied || !strings.Contains(r.CORS.Message, `"AllowedOrigins":["http://localhost:8080"]`) {
		t.Errorf("another origin: %+v", r.CORS)
	}

	// MinIO has no bucket CORS API: the preview says it cannot check.
	minio := testenv.S3(t)
	minioBucket := minio.NewBucket(t)
	r = run(t, backendFor(t, minio, minioBucket), storagepreview.Options{UseBlobURLs: true, CheckCORS: true, Origin: origin})
	if r.CORS.Status != storagepreview.CORSCannotCheck || !strings.Contains(r.CORS.Message, "MinIO") {
		t.Errorf("MinIO: %+v", r.CORS)
	}
}

func TestS3Errors(t *testing.T) {
	srv := testenv.S3(t)
	bucket := srv.NewBucket(t)
	srv.Put(t, bucket, "tasks/a.json", []byte(`{}`))
	good := storagepreview.S3Config{Bucket: bucket, Endpoint: srv.Endpoint, Region: srv.Region, AccessKeyID: srv.AccessKey, SecretAccessKey: srv.SecretKey}

	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	unreachable := "http://" + closed.Addr().String()
	_ = closed.Close()

	cases := []struct {
		name  string
		edit  func(*storagepreview.S3Config)
		field string
		says  string
	}{
		{"no such bucket", func(c *storagepreview.S3Config) { c.Bucket = bucket + "-missing" }, "bucket", "does not exist at " + srv.Endpoint},
		{"unknown key", func(c *storagepreview.S3Config) { c.AccessKeyID = "NOSUCHKEY" }, "aws_access_key_id", "does not know the access key ID set in aws_access_key_id"},
		{"wrong secret", func(c *storagepreview.S3Config) { c.SecretAccessKey += "x" }, "aws_secret_access_key", "does not belong"},
		{"unreachable", func(c *storagepreview.S3Config) { c.Endpoint = unreachable }, "s3_endpoint", "Nothing answers at " + unreachable},
	}
	for _, c := range cases {
		cfg := good
		c.edit(&cfg)
		_, err := storagepreview.Run(t.Context(), backendWith(t, cfg), storagepreview.Options{Prefix: "tasks"})
		var perr *storagepreview.Error
		if !errors.As(err, &perr) || perr.Field != c.field || !strings.Contains(perr.Detail, c.says) {
			t.Errorf("%s: %v, want an *storagepreview.Error on %s saying %q", c.name, err, c.field, c.says)
		}
		if err != nil && strings.Contains(err.Error(), srv.SecretKey) {
			t.Errorf("%s: the error shows the secret key", c.name)
		}
		if err != nil && strings.Contains(err.Error(), cfg.AccessKeyID) {
			t.Errorf("%s: the error shows the access key ID (sensitive): %v", c.name, err)
		}
	}

	// A server with a region (versitygw: us-east-1) names it when a request
	// is signed for another one.
	regional := testenv.S3WithCORS(t)
	regionalBucket := regional.NewBucket(t)
	_, err = storagepreview.Run(t.Context(), backendWith(t, storagepreview.S3Config{Bucket: regionalBucket, Endpoint: regional.Endpoint, Region: "eu-west-1",
		AccessKeyID: regional.AccessKey, SecretAccessKey: regional.SecretKey}), storagepreview.Options{})
	var regionErr *storagepreview.Error
	if !errors.As(err, &regionErr) || regionErr.Field != "region_name" || !strings.Contains(regionErr.Detail, `is in region us-east-1, not eu-west-1: set region_name = "us-east-1"`) {
		t.Errorf("wrong region: %v", err)
	}

	// Credentials that may read objects but not list the bucket.
	noList := restrictedCredentials(t, srv, bucket, "s3:GetObject")
	_, err = storagepreview.Run(t.Context(), backendWith(t, noList), storagepreview.Options{Prefix: "tasks"})
	var perr *storagepreview.Error
	if !errors.As(err, &perr) || perr.Field != "aws_access_key_id" || !strings.Contains(perr.Detail, "grant s3:ListBucket on arn:aws:s3:::"+bucket) {
		t.Errorf("no ListBucket: %v", err)
	}
	if err != nil && strings.Contains(err.Error(), noList.AccessKeyID) {
		t.Errorf("no ListBucket: the error shows the access key ID (sensitive): %v", err)
	}
}

// restrictedCredentials are temporary credentials from the server's STS
// AssumeRole, limited by a session policy to the given actions on bucket.
func restrictedCredentials(t *testing.T, srv *testenv.S3Server, bucket string, actions ...string) storagepreview.S3Config {
	t.Helper()
	client := sts.New(sts.Options{
		BaseEndpoint: aws.String(srv.Endpoint),
		Region:       srv.Region,
		Credentials:  credentials.NewStaticCredentialsProvider(srv.AccessKey, srv.SecretKey, ""),
	})
	policy := `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["` + strings.Join(actions, `", "`) +
		`"], "Resource": ["arn:aws:s3:::` + bucket + `", "arn:aws:s3:::` + bucket + `/*"]}]}`
	out, err := client.AssumeRole(context.WithoutCancel(t.Context()), &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:xxx:xxx:xxx:xxxx"), RoleSessionName: aws.String("preview-test"), Policy: aws.String(policy),
	})
	if err != nil {
		t.Fatalf("assume a restricted role: %v", err)
	}
	return storagepreview.S3Config{
		Bucket: bucket, Endpoint: srv.Endpoint, Region: srv.Region,
		AccessKeyID: aws.ToString(out.Credentials.AccessKeyId), SecretAccessKey: aws.ToString(out.Credentials.SecretAccessKey),
		SessionToken: aws.ToString(out.Credentials.SessionToken),
	}
}
