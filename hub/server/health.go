package server

import (
	"context"
	"github.com/shardkeeper/shardkeeper/internal/words"
	"html/template"
	"net/http"

	"github.com/dustin/go-humanize"
	"github.com/shardkeeper/shardkeeper/hub/health"
	"github.com/shardkeeper/shardkeeper/hub/store"
)

// atRiskOnPage is how many at-risk files the page lists; the CSV has all.
const atRiskOnPage = 50

// report is the health now, with the registry it was judged by.
func (s *Server) report(ctx context.Context) (health.Report, []store.Donor, error) {
	if err := s.fresh(ctx); err != nil {
		return health.Report{}, nil, err
	}
	donors, err := s.donors.Donors()
	if err != nil {
		return health.Report{}, nil, err
	}
	report, err := s.tracker.Health(donors)
	if err != nil {
		return report, donors, err
	}
	s.hostsReport(&report)
	s.recordHistory(report)
	return report, donors, nil
}

func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	report, _, err := s.report(r.Context())
	if err != nil {
		s.internalError(w, "compute health", err)
		return
	}
	writeJSON(w, http.StatusOK, report)
}

func (s *Server) atRiskCSV(w http.ResponseWriter, r *http.Request) {
	if err := s.fresh(r.Context()); err != nil {
		s.internalError(w, "compute health", err)
		return
	}
	donors, err := s.donors.Donors()
	if err != nil {
		s.internalError(w, "compute health", err)
		return
	}
	// Streamed as the files are found: a failure half way can only cut
	// the list short, so it is logged.
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="at-risk.csv"`)
	if err := s.tracker.StreamAtRiskCSV(r.Context(), w, donors); err != nil {
		s.log.Warn("at-risk CSV", "err", err)
	}
}

func (s *Server) healthPage(w http.ResponseWriter, r *http.Request) {
	report, donors, err := s.report(r.Context())
	if err != nil {
		s.internalError(w, "compute health", err)
		return
	}
	files, err := s.tracker.AtRisk(r.Context(), donors, atRiskOnPage)
	if err != nil {
		s.internalError(w, "list files at risk", err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := healthTemplate.Execute(w, struct {
		health.Report
		AtRisk []health.AtRiskFile
		Dash   dashboard
	}{report, files, s.dashboard(report)}); err != nil {
		s.log.Warn("health page", "err", err)
	}
}

// pageRow is one row of the page's table.
type pageRow struct {
	Name string
	health.Counts
}

var healthTemplate = template.Must(template.New("health").Funcs(template.FuncMap{
	"bytes":   func(n int64) string { return humanize.Bytes(uint64(n)) },
	"comma":   func(n int) string { return humanize.Comma(int64(n)) },
	"comma64": humanize.Comma,
	"count":   func(n int, one, many string) string { return words.Count(int64(n), one, many) },
	"rowOf":   func(name string, c health.Counts) pageRow { return pageRow{name, c} },
	"shardLabel": func(sh health.ShardHealth) string {
		if sh.Reachable != nil && !*sh.Reachable {
			return sh.Name + " (unreachable: host " + sh.Host + " is away)"
		}
		return sh.Name
	},
	"pct": func(part, whole int) string {
		if whole == 0 {
			return "–"
		}
		return humanize.FtoaWithDigits(100*float64(part)/float64(whole), 1) + " %"
	},
}).Parse(`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>shardhub health</title>
<style>
body{font-family:system-ui,sans-serif;margin:2rem;color:#222}
table{border-collapse:collapse;margin:1rem 0}
th,td{border:1px solid #ccc;padding:.3rem .6rem;text-align:right}
th:first-child,td:first-child{text-align:left}
tr.total{font-weight:bold;background:#f4f4f4}
.zero{color:#b00}
small{color:#666}
</style></head>
<body>
<h1>How well the collection is protected</h1>
<p>{{count .Total.Files "file" "files"}} ({{bytes .Total.Bytes}}) in {{count .Total.Shards "shard" "shards"}}.
Target: {{.TargetCopies}} donor copies per file (the archive's own copy not counted).
{{with .Total}}{{pct .Verified30d .Files}} of files have a copy verified in the last 30 days.{{end}}</p>
<p>Donors: {{.Total.DonorsActive}} active, {{.Total.DonorsExpired}} expired (silent for more than {{.ExpiryDays}} days; their copies do not count until they check in again){{if .Total.DonorsFailingProofs}}, {{.Total.DonorsFailingProofs}} failing proofs of storage (their copies do not count until they pass one){{end}}.</p>
{{template "dashboard" .Dash}}

<h2>Copies per shard</h2>
<table>
<tr><th>Shard</th><th>Files</th><th>Size</th>{{range .Total.ByCopies}}<th>{{.Copies}} {{if eq .Copies "1"}}copy{{else}}copies{{end}}</th>{{end}}<th>Verified ≤ 30 days</th><th>Unverified 30+ days</th><th>Copies lacking</th><th>Donors active / expired</th></tr>
{{range .Shards}}{{template "row" rowOf (shardLabel .) .Counts}}{{end}}
{{template "row" rowOf "Total" .Total.Counts}}
</table>
<p><small>Each copies cell: files (bytes). A copy is verified when its donor fetched or checked the file and said so.</small></p>
{{if .Hosts}}
<h2>Hub hosts</h2>
<table>
<tr><th>Host</th><th>Shards</th><th>Last heartbeat</th><th>State</th></tr>
{{range .Hosts}}<tr><td>{{.Name}} <small>{{.URL}}</small></td><td>{{.Shards}}</td><td>{{.LastHeartbeat.Format "2006-01-02 15:04:05 MST"}}</td><td{{if not .Reachable}} class="zero"{{end}}>{{if .Reachable}}reachable{{else}}unreachable: its shards' donors work offline until it returns{{end}}</td></tr>
{{end}}</table>
{{end}}
<h2>Top donors</h2>
{{if .TopDonors}}<table>
<tr><th>Donor</th><th>Files</th><th>Size</th></tr>
{{range .TopDonors}}<tr><td>{{.Name}}</td><td>{{comma .Files}}</td><td>{{bytes .Bytes}}</td></tr>
{{end}}</table>
<p><small>Donors appear by name only when they chose to.</small></p>
{{else}}<p>No donor copies yet.</p>{{end}}

<h2>Files most at risk</h2>
{{if .AtRisk}}<p><a href="/health/at-risk.csv">Download every file below the target as CSV</a></p>
<table>
<tr><th>Path</th><th>Shard</th><th>Size</th><th>Copies</th><th>Key</th></tr>
{{range .AtRisk}}<tr><td>{{.Path}}</td><td>{{.Shard}}</td><td>{{bytes .Size}}</td><td{{if eq .Copies 0}} class="zero"{{end}}>{{.Copies}}</td><td><small>{{.Key}}</small></td></tr>
{{end}}</table>
{{else}}<p>Every file has {{.TargetCopies}} or more donor copies.</p>{{end}}
<p><small>Generated {{.GeneratedAt.Format "2006-01-02 15:04 MST"}} · <a href="/api/v1/health">JSON</a></small></p>
</body>
</html>
{{define "row"}}<tr{{if eq .Name "Total"}} class="total"{{end}}><td>{{.Name}}</td><td>{{comma .Files}}</td><td>{{bytes .Bytes}}</td>{{range .ByCopies}}<td{{if and (eq .Copies "0") .Files}} class="zero"{{end}}>{{comma .Files}} <small>({{bytes .Bytes}})</small></td>{{end}}<td>{{comma .Verified30d}}</td><td>{{comma .Unverified30d}}</td><td>{{comma64 .LackingCopies}}</td><td>{{.DonorsActive}} / {{.DonorsExpired}}</td></tr>{{end}}
`))
