package server

import (
	"context"
	"html/template"
	"sync"
	"time"

	"github.com/shardkeeper/shardkeeper/hub/health"
	"github.com/shardkeeper/shardkeeper/hub/store"
)

// historyDays is how far back the dashboard's history goes.
const historyDays = 365

// historyEvery is how often at most the health history is written.
const historyEvery = 10 * time.Minute

// historyClock is when the health history was last written.
type historyClock struct {
	mu sync.Mutex
	at time.Time
}

// due reports whether now is historyEvery past the last write, and if so
// takes the turn.
func (c *historyClock) due(now time.Time, take bool) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.at.IsZero() && now.Sub(c.at) < historyEvery && now.Sub(c.at) >= 0 {
		return false
	}
	if take {
		c.at = now
	}
	return true
}

// KeepHistory writes today's health point when it is due, so a day has a
// point even when nobody looks at the health page (shardhub serve calls
// it every minute).
func (s *Server) KeepHistory(ctx context.Context) {
	if !s.history.due(s.cfg.Now(), false) {
		return
	}
	if _, _, err := s.report(ctx); err != nil && ctx.Err() == nil {
		s.log.Warn("health history", "err", err)
	}
}

// recordHistory keeps today's point of every collection for the
// dashboard's history (the last one written in a day stands for the
// day), at most every historyEvery.
func (s *Server) recordHistory(r health.Report) {
	if !s.history.due(r.GeneratedAt, true) {
		return
	}
	day := store.DayOf(r.GeneratedAt)
	var points []store.HealthPoint
	for _, c := range r.Collections {
		protected := c.ByCopies[len(c.ByCopies)-1]
		points = append(points, store.HealthPoint{Day: day, Collection: c.Name, Files: c.Files, Bytes: c.Bytes,
			FilesAtRisk: c.FilesBelowTarget, BytesProtected: protected.Bytes})
	}
	if err := s.donors.RecordHealth(points); err != nil {
		s.log.Warn("record health history", "err", err)
	}
}

// dashboard is what the health page draws above its tables.
type dashboard struct {
	Files          int
	Bytes          int64
	FilesAtRisk    int   // below the target
	BytesProtected int64 // of files at the target or above
	Collections    []dashCollection
	History        template.HTML
	HistoryDays    int
	Regions        template.HTML
	TooLarge       []health.TooLarge
}

type dashCollection struct {
	health.CollectionHealth
	Bar   template.HTML
	Color []string // per bucket, for the legend
}

func (s *Server) dashboard(r health.Report) dashboard {
	top := r.Total.ByCopies[len(r.Total.ByCopies)-1]
	d := dashboard{Files: r.Total.Files, Bytes: r.Total.Bytes, FilesAtRisk: r.Total.Files - top.Files,
		BytesProtected: top.Bytes, Regions: regionBars(r.Total.CopiesByRegion), TooLarge: r.FilesTooLarge}
	for _, c := range r.Collections {
		dc := dashCollection{CollectionHealth: c, Bar: copiesBar(c.Name, c.ByCopies)}
		for i := range c.ByCopies {
			dc.Color = append(dc.Color, bucketColor(i, len(c.ByCopies)-1))
		}
		d.Collections = append(d.Collections, dc)
	}
	since := store.DayOf(r.GeneratedAt.Add(-historyDays * 24 * time.Hour))
	points, err := s.donors.HealthHistory(since)
	if err != nil {
		s.log.Warn("read health history", "err", err)
	}
	days := totals(points)
	d.History, d.HistoryDays = historyChart(days), len(days)
	return d
}

// The dashboard's part of the health page (see healthTemplate).
var _ = template.Must(healthTemplate.New("dashboard").Parse(`<style>
.cards{display:flex;gap:1rem;flex-wrap:wrap;margin:1rem 0}
.card{border:1px solid #ccc;border-radius:6px;padding:.6rem 1rem;min-width:10rem}
.card b{display:block;font-size:1.6rem}
.collection{margin:1rem 0 1.5rem}
.legend span{display:inline-block;margin-right:1rem}
.legend i{display:inline-block;width:.8rem;height:.8rem;margin-right:.3rem;vertical-align:middle}
svg text{font:13px system-ui,sans-serif}
</style>
<div class="cards">
<div class="card">Files<b id="files-total">{{comma .Files}}</b>{{bytes .Bytes}}</div>
<div class="card">Files at risk<b id="files-at-risk">{{comma .FilesAtRisk}}</b>below the target</div>
<div class="card">Bytes protected<b id="bytes-protected">{{bytes .BytesProtected}}</b>at the target or above</div>
<div class="card">Too large for every donor<b id="files-too-large">{{len .TooLarge}}</b>files</div>
</div>
<h2>Collections</h2>
{{range .Collections}}<div class="collection" data-collection="{{.Name}}" data-files="{{.Files}}" data-below-target="{{.FilesBelowTarget}}">
<h3>{{.Name}}</h3>{{if .Description}}<p>{{.Description}}</p>{{end}}
<p>{{comma .Files}} files ({{bytes .Bytes}}) in {{count .Shards "shard" "shards"}}; {{comma .FilesBelowTarget}} below the target, {{bytes .BytesLackingCopies}} of copies lacking{{if .FilesTooLarge}}, {{comma .FilesTooLarge}} too large for every donor{{end}}.</p>
{{.Bar}}
<p class="legend">{{$c := .}}{{range $i, $b := .ByCopies}}<span data-copies="{{$b.Copies}}"><i style="background:{{index $c.Color $i}}"></i>{{$b.Copies}} {{if eq $b.Copies "1"}}copy{{else}}copies{{end}}: {{comma $b.Files}}</span>{{end}}</p>
</div>
{{else}}<p>No collections yet.</p>{{end}}
<h2>History</h2>
<p>Bytes protected and files at risk, one point a day ({{.HistoryDays}} kept).</p>
{{.History}}
<h2>Copies per region</h2>
{{if .Regions}}{{.Regions}}{{end}}
<p><small>Where donors said they are, or their repository's region group; "unknown" when neither says.</small></p>
{{if .TooLarge}}<h2>Files no donor could hold</h2>
<table id="too-large">
<tr><th>Path</th><th>Shard</th><th>Size</th></tr>
{{range .TooLarge}}<tr><td>{{.Path}}</td><td>{{.Shard}}</td><td>{{bytes .Size}}</td></tr>
{{end}}</table>
<p><small>Bigger than every registered donor's free room and large-file setting. A donor who opts in to large files can take them.</small></p>{{end}}
`))
