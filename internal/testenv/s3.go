package testenv

import (
	"bytes"
	"context"
	"errors"
	"io"
	"sort"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// S3Server is the S3-compatible server (MinIO) from LSTEST_S3_*.
type S3Server struct {
	Endpoint  string
	AccessKey string
	SecretKey string
	Region    string
	client    *s3.Client
}

// S3 returns the S3 server; it skips (or fails, under
// LSTEST_REQUIRE_SERVICES=1) when none is configured.
func S3(t testing.TB) *S3Server {
	t.Helper()
	v := require(t, "S3 server", "LSTEST_S3_ENDPOINT", "LSTEST_S3_ACCESS_KEY", "LSTEST_S3_SECRET_KEY")
	return newS3Server(v["LSTEST_S3_ENDPOINT"], v["LSTEST_S3_ACCESS_KEY"], v["LSTEST_S3_SECRET_KEY"])
}

// S3WithCORS returns the S3 server that implements the bucket CORS API
// (versitygw, from LSTEST_S3CORS_*); MinIO answers PutBucketCors with 501.
func S3WithCORS(t testing.TB) *S3Server {
	t.Helper()
	v := require(t, "S3 server with bucket CORS", "LSTEST_S3CORS_ENDPOINT", "LSTEST_S3CORS_ACCESS_KEY", "LSTEST_S3CORS_SECRET_KEY")
	return newS3Server(v["LSTEST_S3CORS_ENDPOINT"], v["LSTEST_S3CORS_ACCESS_KEY"], v["LSTEST_S3CORS_SECRET_KEY"])
}

func newS3Server(endpoint, accessKey, secretKey string) *S3Server {
	srv := &S3Server{Endpoint: endpoint, AccessKey: accessKey, SecretKey: secretKey, Region: "us-east-1"}
	srv.client = s3.New(s3.Options{
		BaseEndpoint: aws.String(srv.Endpoint),
		UsePathStyle: true,
		Region:       srv.Region,
		Credentials:  credentials.NewStaticCredentialsProvider(srv.AccessKey, srv.SecretKey, ""),
	})
	return srv
}

// NewBucket creates a bucket with a unique name, emptied and removed when
// the test ends.
func (s *S3Server) NewBucket(t testing.TB) string {
	t.Helper()
	bucket := UniqueName(t, "lstest-")
	if _, err := s.client.CreateBucket(t.Context(), &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatalf("testenv: create S3 bucket %s: %v", bucket, err)
	}
	t.Cleanup(func() {
		ctx := context.WithoutCancel(t.Context())
		for _, key := range s.list(ctx, t, bucket, "") {
			if _, err := s.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}); err != nil {
				t.Errorf("testenv: delete s3://%s/%s: %v", bucket, key, err)
			}
		}
		if _, err := s.client.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(bucket)}); err != nil {
			t.Errorf("testenv: delete S3 bucket %s: %v", bucket, err)
		}
	})
	return bucket
}

// PutCORS sets the bucket's CORS rules.
func (s *S3Server) PutCORS(t testing.TB, bucket string, rules []types.CORSRule) {
	t.Helper()
	_, err := s.client.PutBucketCors(t.Context(), &s3.PutBucketCorsInput{Bucket: aws.String(bucket), CORSConfiguration: &types.CORSConfiguration{CORSRules: rules}})
	if err != nil {
		t.Fatalf("testenv: put the CORS rules of %s: %v", bucket, err)
	}
}

// Put stores data under key.
func (s *S3Server) Put(t testing.TB, bucket, key string, data []byte) {
	t.Helper()
	_, err := s.client.PutObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(data)})
	if err != nil {
		t.Fatalf("testenv: put s3://%s/%s: %v", bucket, key, err)
	}
}

// Keys lists every key under prefix (recursively), sorted.
func (s *S3Server) Keys(t testing.TB, bucket, prefix string) []string {
	t.Helper()
	return s.list(t.Context(), t, bucket, prefix)
}

func (s *S3Server) list(ctx context.Context, t testing.TB, bucket, prefix string) []string {
	t.Helper()
	keys := []string{}
	pages := s3.NewListObjectsV2Paginator(s.client, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			t.Fatalf("testenv: list s3://%s/%s: %v", bucket, prefix, err)
		}
		for _, obj := range page.Contents {
			keys = append(keys, aws.ToString(obj.Key))
		}
	}
	sort.Strings(keys)
	return keys
}

// Get returns the object's content, failing the test when it is missing.
func (s *S3Server) Get(t testing.TB, bucket, key string) []byte {
	t.Helper()
	data, found := s.Lookup(t, bucket, key)
	if !found {
		t.Fatalf("testenv: s3://%s/%s does not exist", bucket, key)
	}
	return data
}

// Lookup returns the object's content and whether it exists.
func (s *S3Server) Lookup(t testing.TB, bucket, key string) ([]byte, bool) {
	t.Helper()
	out, err := s.client.GetObject(t.Context(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	var noKey *types.NoSuchKey
	if errors.As(err, &noKey) {
		return nil, false
	}
	if err != nil {
		t.Fatalf("testenv: get s3://%s/%s: %v", bucket, key, err)
	}
	defer func() { _ = out.Body.Close() }()
	data, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatalf("testenv: read s3://%s/%s: %v", bucket, key, err)
	}
	return data, true
}
