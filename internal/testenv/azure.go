package testenv

import (
	"bytes"
	"context"
	"io"
	"sort"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
)

// AzureServer is the Azure Blob emulator (Azurite) from LSTEST_AZURE_*.
type AzureServer struct {
	// Endpoint is the URL template with "{account}" for the account name,
	// as the stand-in's AzureEndpoint takes it.
	Endpoint    string
	AccountName string
	AccountKey  string
	client      *azblob.Client
}

// Azure returns the Azure Blob emulator; it skips (or fails, under
// LSTEST_REQUIRE_SERVICES=1) when none is configured.
func Azure(t testing.TB) *AzureServer {
	t.Helper()
	v := require(t, "Azure Blob emulator", "LSTEST_AZURE_ENDPOINT", "LSTEST_AZURE_ACCOUNT_NAME", "LSTEST_AZURE_ACCOUNT_KEY")
	a := &AzureServer{
		Endpoint:    v["LSTEST_AZURE_ENDPOINT"],
		AccountName: v["LSTEST_AZURE_ACCOUNT_NAME"],
		AccountKey:  v["LSTEST_AZURE_ACCOUNT_KEY"],
	}
	cred, err := azblob.NewSharedKeyCredential(a.AccountName, a.AccountKey)
	if err != nil {
		t.Fatalf("testenv: Azure credential: %v", err)
	}
	if a.client, err = azblob.NewClientWithSharedKeyCredential(a.URL(a.AccountName), cred, nil); err != nil {
		t.Fatalf("testenv: Azure client: %v", err)
	}
	return a
}

// URL is the blob service URL of an account.
func (a *AzureServer) URL(account string) string {
	return strings.ReplaceAll(a.Endpoint, "{account}", account)
}

// NewContainer creates a container with a unique name, removed when the
// test ends.
func (a *AzureServer) NewContainer(t testing.TB) string {
	t.Helper()
	name := UniqueName(t, "lstest-")
	if _, err := a.client.CreateContainer(t.Context(), name, nil); err != nil {
		t.Fatalf("testenv: create Azure container %s: %v", name, err)
	}
	t.Cleanup(func() {
		if _, err := a.client.DeleteContainer(context.WithoutCancel(t.Context()), name, nil); err != nil {
			t.Errorf("testenv: delete Azure container %s: %v", name, err)
		}
	})
	return name
}

// Put stores data as blob key.
func (a *AzureServer) Put(t testing.TB, containerName, key string, data []byte) {
	t.Helper()
	if _, err := a.client.UploadBuffer(t.Context(), containerName, key, data, nil); err != nil {
		t.Fatalf("testenv: put azure-blob://%s/%s: %v", containerName, key, err)
	}
}

// Keys lists every blob name under prefix (recursively), sorted.
func (a *AzureServer) Keys(t testing.TB, containerName, prefix string) []string {
	t.Helper()
	names := []string{}
	pages := a.client.NewListBlobsFlatPager(containerName, &container.ListBlobsFlatOptions{Prefix: &prefix})
	for pages.More() {
		page, err := pages.NextPage(t.Context())
		if err != nil {
			t.Fatalf("testenv: list azure-blob://%s/%s: %v", containerName, prefix, err)
		}
		for _, item := range page.Segment.BlobItems {
			names = append(names, *item.Name)
		}
	}
	sort.Strings(names)
	return names
}

// Get returns the blob's content, failing the test when it is missing.
func (a *AzureServer) Get(t testing.TB, containerName, key string) []byte {
	t.Helper()
	data, found := a.Lookup(t, containerName, key)
	if !found {
		t.Fatalf("testenv: azure-blob://%s/%s does not exist", containerName, key)
	}
	return data
}

// Lookup returns the blob's content and whether it exists.
func (a *AzureServer) Lookup(t testing.TB, containerName, key string) ([]byte, bool) {
	t.Helper()
	resp, err := a.client.DownloadStream(t.Context(), containerName, key, nil)
	if bloberror.HasCode(err, bloberror.BlobNotFound) {
		return nil, false
	}
	if err != nil {
		t.Fatalf("testenv: get azure-blob://%s/%s: %v", containerName, key, err)
	}
	defer func() { _ = resp.Body.Close() }()
	var buf bytes.Buffer
	if _, err := io.Copy(&buf, resp.Body); err != nil {
		t.Fatalf("testenv: read azure-blob://%s/%s: %v", containerName, key, err)
	}
	return buf.Bytes(), true
}
