package storagepreview_test

import (
	"bytes"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/storagepreview"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv"
)

// countingClient counts the HTTP requests the SDK sends.
type countingClient struct {
	next     aws.HTTPClient
	requests atomic.Int64
}

func (c *countingClient) Do(req *http.Request) (*http.Response, error) {
	c.requests.Add(1)
	return c.next.Do(req)
}

// BenchmarkS3Preview10000Keys previews a MinIO bucket whose prefix holds
// 10,000 keys that all match the regex, with the default max_objects: the
// time of one preview and the requests it sends (pages of 1000 keys).
func BenchmarkS3Preview10000Keys(b *testing.B) {
	const keys = 10000
	srv := testenv.S3(b)
	bucket := srv.NewBucket(b)
	seed(b, srv, bucket, keys)

	counter := &countingClient{next: awshttp.NewBuildableClient()}
	backend, err := storagepreview.NewS3(b.Context(), storagepreview.S3Config{Bucket: bucket, Endpoint: srv.Endpoint, Region: srv.Region,
		AccessKeyID: srv.AccessKey, SecretAccessKey: srv.SecretKey, HTTPClient: counter})
	if err != nil {
		b.Fatal(err)
	}
	opts := storagepreview.Options{Prefix: "images", RegexFilter: `.*\.jpg`, UseBlobURLs: true}
	runs := 0
	counter.requests.Store(0)
	for b.Loop() {
		r, err := storagepreview.Run(b.Context(), backend, opts)
		if err != nil {
			b.Fatal(err)
		}
		if deref(r.ObjectCount) != keys || r.Truncated {
			b.Fatalf("count %v, truncated %v; want %d, false", deref(r.ObjectCount), r.Truncated, keys)
		}
		runs++
	}
	b.ReportMetric(float64(counter.requests.Load())/float64(runs), "requests/op")
}

// seed writes n small objects under images/ with 16 writers.
func seed(b *testing.B, srv *testenv.S3Server, bucket string, n int) {
	b.Helper()
	client := s3.New(s3.Options{BaseEndpoint: aws.String(srv.Endpoint), UsePathStyle: true, Region: srv.Region,
		Credentials: credentials.NewStaticCredentialsProvider(srv.AccessKey, srv.SecretKey, "")})
	next := make(chan int)
	var wg sync.WaitGroup
	var failed atomic.Value
	for range 16 {
		wg.Go(func() {
			for i := range next {
				key := fmt.Sprintf("images/%05d.jpg", i)
				if _, err := client.PutObject(b.Context(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(nil)}); err != nil {
					failed.Store(err)
				}
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	if err, ok := failed.Load().(error); ok {
		b.Fatalf("seed: %v", err)
	}
}
