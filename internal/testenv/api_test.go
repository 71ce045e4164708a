package testenv

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
)

// fakeServerClient is a client of a server that answers with handler.
func fakeServerClient(t *testing.T, handler http.HandlerFunc) *client.Client {
	t.Helper()
	srv := httptest.NewServer(handler)
	t.Cleanup(srv.Close)
	c, err := client.New(client.Config{URL: srv.URL, APIKey: "key"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

func TestListTasksShapes(t *testing.T) {
	taskJSON := func(id int) string {
		return fmt.Sprintf(`{"id":%d,"data":{"image":"s3://b/%d.jpg","score":%d},"annotations":[]}`, id, id, id)
	}
	pageOf := func(from, to int) string {
		var items []string
		for id := from; id <= to; id++ {
			items = append(items, taskJSON(id))
		}
		return "[" + strings.Join(items, ",") + "]"
	}
	for _, tc := range []struct {
		name    string
		handler func(page int) (int, string)
		want    int
	}{
		{"tasks and total", func(page int) (int, string) {
			if page == 1 {
				return 200, `{"tasks":` + pageOf(1, 100) + `,"total":130,"total_annotations":0,"total_predictions":0}`
			}
			return 200, `{"tasks":` + pageOf(101, 130) + `,"total":130,"total_annotations":0,"total_predictions":0}`
		}, 130},
		{"unpaginated bare array", func(page int) (int, string) {
			if page == 1 {
				return 200, pageOf(1, 105)
			}
			return 200, pageOf(1, 105) // a server that ignores page would repeat itself
		}, 105},
		{"404 past the last full page", func(page int) (int, string) {
			if page == 1 {
				return 200, `{"results":` + pageOf(1, 100) + `}`
			}
			return 404, `{"status_code":404,"detail":"Invalid page."}`
		}, 100},
		{"empty project", func(int) (int, string) { return 200, `{"tasks":[],"total":0}` }, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			handler := func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Query().Get("project") != "5" || r.URL.Query().Get("page_size") != "100" {
					writeJSON(w, 400, `{"status_code":400,"detail":"Validation error","validation_errors":{"project":["required"]}}`)
					return
				}
				pageNumber, _ := strconv.Atoi(r.URL.Query().Get("page"))
				code, body := tc.handler(pageNumber)
				writeJSON(w, code, body)
			}
			c := fakeServerClient(t, handler)
			tasks, err := ListTasks(t.Context(), c, 5)
			if err != nil {
				t.Fatal(err)
			}
			if len(tasks) != tc.want {
				t.Fatalf("%d tasks, want %d", len(tasks), tc.want)
			}
			for i, task := range tasks {
				if task.ID != int64(i+1) || task.Data["image"] != fmt.Sprintf("s3://b/%d.jpg", i+1) ||
					task.Data["score"] != json.Number(strconv.Itoa(i+1)) {
					t.Fatalf("task %d = %+v", i, task)
				}
			}
		})
	}
}

func TestListTasksReportsFirstPageErrors(t *testing.T) {
	c := fakeServerClient(t, func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusNotFound, `{"status_code":404,"detail":"No Project matches the given query."}`)
	})
	if _, err := ListTasks(t.Context(), c, 5); !errors.Is(err, client.ErrNotFound) {
		t.Errorf("error = %v, want client.ErrNotFound for an unknown project", err)
	}
}

func TestStorageTypes(t *testing.T) {
	env := Start(t, Options{})
	c, err := client.New(client.Config{URL: env.URL, APIKey: env.APIKey})
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range []client.Direction{client.Import, client.Export} {
		types, err := StorageTypes(t.Context(), c, dir)
		if err != nil {
			t.Fatalf("%s: %v", dir, err)
		}
		var names []string
		for _, st := range types {
			names = append(names, st.Name)
		}
		if got := strings.Join(names, " "); !strings.Contains(got, "s3") || !strings.Contains(got, "localfiles") {
			t.Errorf("%s types = %q, want s3 and localfiles among them", dir, got)
		}
	}
}
