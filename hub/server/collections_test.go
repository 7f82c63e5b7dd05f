package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/shardkeeper/shardkeeper/hub/health"
	"github.com/shardkeeper/shardkeeper/hub/manifest"
	"github.com/shardkeeper/shardkeeper/hub/shard"
)

// startCollectionsHub serves two collections: "books" (two small files)
// and "music" (a small file and one of 4000 bytes).
func startCollectionsHub(t *testing.T) hub { return startCollectionsHubWith(t, nil) }

func startCollectionsHubWith(t *testing.T, change func(*Config)) hub {
	files := map[string]string{"books/1.txt": "one", "books/2.txt": "two",
		"music/small.txt": "small", "music/big.bin": strings.Repeat("x", 4000)}
	return startHubBuilt(t, files, func(data string, entries []manifest.Entry) error {
		byColl := map[string][]manifest.Entry{}
		for _, e := range entries {
			c := strings.Split(e.Path, "/")[0]
			byColl[c] = append(byColl[c], e)
		}
		for _, c := range []string{"books", "music"} {
			opts := shard.Options{DataDir: data, Collection: c}
			if c == "books" {
				opts.Description = "Old books"
			}
			if _, err := shard.Build(t.Context(), byColl[c], opts); err != nil {
				return err
			}
		}
		return nil
	}, change)
}

// registerWith registers with a JSON body and decodes the answer.
func (h hub) registerWith(t *testing.T, body string) (int, RegisterResponse, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", h.url+"/api/v1/donors", strings.NewReader(body))
	code, data := send(t, req, "")
	var reg RegisterResponse
	json.Unmarshal(data, &reg)
	return code, reg, string(data)
}

func (h hub) healthReport(t *testing.T) health.Report {
	t.Helper()
	var r health.Report
	if err := json.NewDecoder(h.get(t, "/api/v1/health").Body).Decode(&r); err != nil {
		t.Fatal(err)
	}
	return r
}

// TestCollectionsAndFilesTooLarge: the collections are listed by need; a
// donor joins the one it names (an unknown one is refused with the list),
// or the neediest; a file bigger than every donor's room is listed until
// a donor opts in to large files; a donor takes a shard of another
// collection and gives it back.
func TestCollectionsAndFilesTooLarge(t *testing.T) {
	h := startCollectionsHub(t)
	var cols CollectionsResponse
	json.NewDecoder(h.get(t, "/api/v1/collections").Body).Decode(&cols)
	if len(cols.Collections) != 2 || cols.TargetCopies != 3 {
		t.Fatalf("collections: %+v", cols)
	}
	music, books := cols.Collections[0], cols.Collections[1]
	if music.Name != "music" || books.Name != "books" || books.Description != "Old books" || books.Files != 2 ||
		books.FilesBelowTarget != 2 || books.BytesLackingCopies != 18 || music.Shards != 1 {
		t.Fatalf("collections by need: %+v", cols.Collections)
	}
	code, _, body := h.registerWith(t, `{"collection":"films"}`)
	if code != 404 || !strings.Contains(body, `no collection \"films\"; the hub has: music, books`) {
		t.Fatalf("unknown collection: %d %s", code, body)
	}
	if code, _, body = h.registerWith(t, `{"region":"mars"}`); code != 400 {
		t.Fatalf("unknown region: %d %s", code, body)
	}
	code, reader, body := h.registerWith(t, `{"name":"reader","collection":"books","region":"europe","budget_bytes":1000}`)
	if code != 201 || reader.Shard.Collection != "books" {
		t.Fatalf("join books: %d %s", code, body)
	}
	code, anyone, body := h.registerWith(t, `{"budget_bytes":100}`)
	if code != 201 || anyone.Shard.Collection != "music" {
		t.Fatalf("join where needed most: %d %s", code, body)
	}
	path := "/api/v1/donors/" + reader.UUID
	code, rec := h.call(t, "GET", path, reader.Token, "")
	if code != 200 || rec["region"] != "europe" || rec["budget_bytes"] != 1000.0 || rec["max_file_bytes"] != 0.0 {
		t.Fatalf("donor record: %d %v", code, rec)
	}
	r := h.healthReport(t)
	if len(r.FilesTooLarge) != 1 || r.FilesTooLarge[0].Path != "music/big.bin" || r.FilesTooLarge[0].Size != 4000 {
		t.Fatalf("files too large: %+v", r.FilesTooLarge)
	}
	if r.Collections[0].Name != "music" || r.Collections[0].FilesTooLarge != 1 {
		t.Fatalf("collections in health: %+v", r.Collections)
	}
	if code, rec = h.call(t, "PATCH", path, reader.Token, `{"max_file_bytes":5000,"region":"asia"}`); code != 200 || rec["region"] != "asia" || rec["budget_bytes"] != 1000.0 {
		t.Fatalf("patch: %d %v", code, rec)
	}
	if r = h.healthReport(t); len(r.FilesTooLarge) != 0 {
		t.Fatalf("a donor opted in, still too large: %+v", r.FilesTooLarge)
	}
	code, rec = h.call(t, "POST", path+"/shards", reader.Token, `{"collection":"music"}`)
	second := fmt.Sprint(rec["shard"].(map[string]any)["name"])
	if code != 201 || rec["shard"].(map[string]any)["collection"] != "music" {
		t.Fatalf("add a music shard: %d %v", code, rec)
	}
	if code, rec = h.call(t, "POST", path+"/shards", reader.Token, `{"collection":"books"}`); code != 409 || !strings.Contains(fmt.Sprint(rec), `no shard of collection "books"`) {
		t.Fatalf("add a books shard when it holds the only one: %d %v", code, rec)
	}
	if code, rec = h.call(t, "POST", path+"/shards/"+second+"/leave", reader.Token, ""); code != 200 || rec["leaving"] != true {
		t.Fatalf("give a shard back: %d %v", code, rec)
	}
	if _, rec = h.call(t, "GET", path, reader.Token, ""); fmt.Sprint(rec["leaving_shards"]) != "["+second+"]" || rec["leaving"] != false {
		t.Fatalf("after leaving a shard: %v", rec)
	}
	if code, _ = h.call(t, "DELETE", path+"/shards/"+second, reader.Token, ""); code != 204 {
		t.Fatalf("remove a shard: %d", code)
	}
	if _, rec = h.call(t, "GET", path, reader.Token, ""); fmt.Sprint(rec["shards"]) != "["+reader.Shard.Name+"]" {
		t.Fatalf("after removing a shard: %v", rec)
	}
	if code, _ = h.call(t, "DELETE", path+"/shards/"+second, reader.Token, ""); code != 404 {
		t.Fatalf("remove a shard it does not hold: %d", code)
	}
}
