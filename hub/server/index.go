package server

import (
	"html/template"
	"net/http"

	"github.com/dustin/go-humanize"
	"github.com/shardkeeper/shardkeeper/hub/shard"
)

// indexPage is a plain placeholder until the real page comes.
var indexPage = template.Must(template.New("index").Funcs(template.FuncMap{
	"bytes": func(n int64) string { return humanize.Bytes(uint64(n)) },
}).Parse(`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>shardhub</title></head>
<body>
<h1>shardhub</h1>
{{if .Shards}}<table>
<tr><th>Shard</th><th>Files</th><th>Size</th><th>Clone URL</th></tr>
{{range .Shards}}<tr><td>{{.Name}}</td><td>{{.Files}}</td><td>{{bytes .Bytes}}</td><td><code>{{index $.URLs .Name}}</code></td></tr>
{{end}}</table>
{{else}}<p>No shards yet.</p>
{{end}}<p><a href="/api/v1/health">Health (JSON)</a></p>
</body>
</html>
`))

func (s *Server) index(w http.ResponseWriter, r *http.Request) {
	urls := map[string]string{}
	order := s.catalog().order
	for _, info := range order {
		urls[info.Name] = s.cloneURL(r, info.Name)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	err := indexPage.Execute(w, struct {
		Shards []shard.Info
		URLs   map[string]string
	}{order, urls})
	if err != nil {
		s.log.Error("index page", "err", err)
	}
}
