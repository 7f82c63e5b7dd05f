package restore

import (
	"context"
	"time"

	"github.com/shardkeeper/shardkeeper/annex"
	"github.com/shardkeeper/shardkeeper/hub/store"
)

// File states in a drill's report.
const (
	FileRequested     = "requested"
	FileUploaded      = "uploaded"
	FileVerified      = "verified"
	FileReinjected    = "reinjected"
	FileUnrecoverable = "unrecoverable"
)

// Report is `shardhub firedrill --status --json`.
type Report struct {
	Drills []DrillReport `json:"drills"`
}

// DrillReport is one drill: counts, then every file.
type DrillReport struct {
	ID      string     `json:"id"`
	Shard   string     `json:"shard"`
	Started time.Time  `json:"started"`
	Ended   *time.Time `json:"ended"` // null while running
	Running bool       `json:"running"`
	// Requested counts the drill's files; Uploaded those with accepted
	// bytes; Verified those verified (re-injected ones included);
	// Rejected the refused uploads; Reinjected the files the hub serves
	// again.
	Requested  int          `json:"requested"`
	Uploaded   int          `json:"uploaded"`
	Verified   int          `json:"verified"`
	Rejected   int          `json:"rejected"`
	Reinjected int          `json:"reinjected"`
	Files      []FileReport `json:"files"`
}

// FileReport is one file of a drill.
type FileReport struct {
	Path  string `json:"path"`
	Key   string `json:"key"`
	State string `json:"state"` // requested, uploaded, verified, reinjected, unrecoverable
	// Donor is whose bytes were verified, else who uploaded last, else
	// who is asked; "" when nobody.
	Donor string `json:"donor"`
	// Verification says how: "sha256", "md5_two_donors" or
	// "md5_single_source" ("verified, single MD5 source").
	Verification string      `json:"verification,omitempty"`
	Rejections   []Rejection `json:"rejections"`
}

// Rejection is one refused upload.
type Rejection struct {
	Donor  string    `json:"donor"`
	Reason string    `json:"reason"`
	At     time.Time `json:"at"`
}

// HoldersFunc says which donors hold a key of a shard (nil: not known;
// then no file is called unrecoverable).
type HoldersFunc func(shard string, k annex.Key) []string

// Status reports every drill.
func Status(db store.Restores, holders HoldersFunc) (Report, error) {
	drills, err := db.Drills()
	if err != nil {
		return Report{}, err
	}
	rep := Report{Drills: []DrillReport{}}
	for _, d := range drills {
		files, err := db.DrillFiles(d.ID)
		if err != nil {
			return Report{}, err
		}
		dr := DrillReport{ID: d.ID, Shard: d.Shard, Started: d.Started, Running: d.Ended.IsZero(), Files: []FileReport{}}
		if !d.Ended.IsZero() {
			ended := d.Ended
			dr.Ended = &ended
		}
		for _, f := range files {
			ups, err := db.Uploads(f.ID)
			if err != nil {
				return Report{}, err
			}
			fr := fileReport(f.Request, ups)
			if fr.State == FileRequested && dr.Running && holders != nil && len(holders(d.Shard, annex.Key(f.Key))) == 0 {
				fr.State = FileUnrecoverable
			}
			dr.add(fr, ups)
		}
		rep.Drills = append(rep.Drills, dr)
	}
	return rep, nil
}

func (dr *DrillReport) add(fr FileReport, ups []store.Upload) {
	dr.Requested++
	for _, u := range ups {
		if u.Accepted {
			dr.Uploaded++
			break
		}
	}
	switch fr.State {
	case FileReinjected:
		dr.Reinjected++
		dr.Verified++
	case FileVerified:
		dr.Verified++
	}
	dr.Rejected += len(fr.Rejections)
	dr.Files = append(dr.Files, fr)
}

func fileReport(r store.Request, ups []store.Upload) FileReport {
	fr := FileReport{Path: r.Path, Key: r.Key, State: FileRequested, Donor: r.AskedDonor, Rejections: []Rejection{}}
	accepted := 0
	for _, u := range ups {
		if !u.Accepted {
			fr.Rejections = append(fr.Rejections, Rejection{Donor: u.Donor, Reason: u.Reason, At: u.At})
			continue
		}
		accepted++
		fr.Donor = u.Donor
	}
	switch {
	case store.Verified(r.State):
		fr.State, fr.Donor = FileVerified, r.VerifiedBy
		if !r.ReinjectedAt.IsZero() {
			fr.State = FileReinjected
		}
		fr.Verification = "sha256"
		if r.State == store.StateVerifiedSingleMD5 {
			fr.Verification = "md5_single_source"
		} else if MD5Only(annex.Key(r.Key)) {
			fr.Verification = "md5_two_donors"
		}
	case accepted > 0:
		fr.State = FileUploaded
	}
	return fr
}

// WhereHolders reads, per shard asked for, who holds what, for Status.
func (h Hub) WhereHolders(ctx context.Context) HoldersFunc {
	cache := map[string]*Where{}
	return func(shard string, k annex.Key) []string {
		w, ok := cache[shard]
		if !ok {
			if got, err := ReadWhere(ctx, h.Repo(shard), h.DB); err == nil {
				w = &got
			}
			cache[shard] = w
		}
		if w == nil {
			return []string{"?"} // unknown: never call it unrecoverable
		}
		return w.Holders(k)
	}
}
