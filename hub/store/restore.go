package store

import (
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Request states (docs/restore.md). A request is the hub wanting the bytes
// of one key of one shard back; at most one per shard and key is open.
const (
	StateRequested = "requested" // no accepted upload yet
	// StateUploaded: an MD5-only key with one donor's accepted bytes,
	// waiting for a second donor's to agree byte for byte.
	StateUploaded = "uploaded"
	StateVerified = "verified"
	// StateVerifiedSingleMD5: an MD5-only key only one donor holds, whose
	// bytes match the key's MD5 and size.
	StateVerifiedSingleMD5 = "verified_single_md5"
)

// Verified reports whether a state counts as verified.
func Verified(state string) bool { return state == StateVerified || state == StateVerifiedSingleMD5 }

// Request is one restore request.
type Request struct {
	ID           string
	Shard        string
	Key          string
	Path         string
	Size         int64
	OpenedAt     time.Time
	ClosedAt     time.Time // zero while open
	State        string
	VerifiedBy   string
	VerifiedAt   time.Time
	ReinjectedAt time.Time // zero until the hub recorded its copy on the branch
	AskedDonor   string    // the donor asked to upload now; "" when none
	AskedAt      time.Time
}

// Open reports whether the request is still open.
func (r Request) Open() bool { return r.ClosedAt.IsZero() }

// Upload is one upload a donor made, with the hub's verdict.
type Upload struct {
	Request  string
	Donor    string
	At       time.Time
	Accepted bool
	Reason   string // why it was refused; "" when accepted
	SHA256   string // hex SHA-256 of accepted bytes
	Bytes    int64
}

// Drill is a fire drill.
type Drill struct {
	ID      string
	Shard   string
	Started time.Time
	Ended   time.Time // zero while running
}

// DrillFile is one file of a drill: its request, and whether the drill
// marked the archive's copy lost (so --end marks it present again).
type DrillFile struct {
	Request
	MarkedLost bool
}

// Restores keeps restore state: restore remotes, drills, requests,
// uploads and verdicts.
type Restores interface {
	// RestoreRemote returns the shard's restore remote UUID, recording
	// proposed as it when the shard has none yet.
	RestoreRemote(shard, proposed string, now time.Time) (string, error)
	// RestoreRemotes maps shards to their restore remote UUIDs.
	RestoreRemotes() (map[string]string, error)
	// OpenRequests opens (or finds the open) request for each file; the
	// answer is in the same order, with the ids filled in.
	OpenRequests(files []Request, now time.Time) ([]Request, error)
	// StartDrill records a drill over the given open requests; files
	// already in another open drill are left out (and not returned).
	StartDrill(d Drill, files []DrillFile) ([]DrillFile, error)
	// EndDrill closes a drill and its requests no other open drill uses;
	// it returns the drill's files. ErrNoDrill when unknown or ended.
	EndDrill(id string, now time.Time) ([]DrillFile, error)
	Drills() ([]Drill, error)
	DrillFiles(id string) ([]DrillFile, error)
	// OpenRequest finds the open request for shard and key (ErrNoRequest).
	OpenRequest(shard, key string) (Request, error)
	// RequestsIn lists the open requests of the given shards.
	RequestsIn(shards []string) ([]Request, error)
	// Ask records that donor is asked for a request, if the request's
	// asked donor is still prev (a compare-and-swap); it reports whether
	// it did.
	Ask(id, donor, prev string, now time.Time) (bool, error)
	// Uploads lists a request's uploads, oldest first.
	Uploads(id string) ([]Upload, error)
	// RecordUpload keeps an upload and its verdict, moves the request to
	// state (when not empty) and the donor's standing: a refused upload
	// counts as a failed proof of storage, an accepted one as a pass.
	RecordUpload(u Upload, state string, now time.Time) error
	// Unreinjected lists a shard's verified requests, open or closed,
	// whose copy is not recorded on the branch yet.
	Unreinjected(shard string) ([]Request, error)
	// MarkReinjected records that the hub's copy of the requests is on
	// the shard's git-annex branch.
	MarkReinjected(ids []string, now time.Time) error
	// CloseRequests closes open requests.
	CloseRequests(ids []string, now time.Time) error
}

var (
	// ErrNoRequest: no open restore request for that key.
	ErrNoRequest = errors.New("no open restore request for that key")
	// ErrNoDrill: no such running drill.
	ErrNoDrill = errors.New("no such running drill")
)

// RestoreRemote implements Restores.
func (s *DB) RestoreRemote(shard, proposed string, now time.Time) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.q.Exec(`INSERT INTO restore_remotes (shard, uuid, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
		shard, proposed, now.UTC().UnixNano()); err != nil {
		return "", fmt.Errorf("record the restore remote of %s: %w", shard, err)
	}
	var id string
	if err := s.q.QueryRow(`SELECT uuid FROM restore_remotes WHERE shard = ?`, shard).Scan(&id); err != nil {
		return "", fmt.Errorf("read the restore remote of %s: %w", shard, err)
	}
	return id, nil
}

// RestoreRemotes implements Restores.
func (s *DB) RestoreRemotes() (map[string]string, error) {
	rows, err := s.q.Query(`SELECT shard, uuid FROM restore_remotes`)
	if err != nil {
		return nil, fmt.Errorf("read restore remotes: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var shard, id string
		if err := rows.Scan(&shard, &id); err != nil {
			return nil, err
		}
		out[shard] = id
	}
	return out, rows.Err()
}

// OpenRequests implements Restores.
func (s *DB) OpenRequests(files []Request, now time.Time) ([]Request, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(files))
	err := s.tx(func(tx *txn) error {
		for i, f := range files {
			cur, err := requests(tx, `WHERE shard = ? AND key = ? AND closed_at IS NULL`, f.Shard, f.Key)
			if err != nil {
				return err
			}
			if len(cur) > 0 {
				out[i] = cur[0]
				continue
			}
			id, err := newID("req")
			if err != nil {
				return err
			}
			f.ID, f.OpenedAt, f.State = id, now.UTC(), StateRequested
			if _, err := tx.Exec(`INSERT INTO restore_requests (id, shard, key, path, size, opened_at, state) VALUES (?, ?, ?, ?, ?, ?, ?)`,
				f.ID, f.Shard, f.Key, f.Path, f.Size, nanos(f.OpenedAt), f.State); err != nil {
				return fmt.Errorf("open a restore request: %w", err)
			}
			out[i] = f
		}
		return nil
	})
	return out, err
}

// StartDrill implements Restores.
func (s *DB) StartDrill(d Drill, files []DrillFile) ([]DrillFile, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var kept []DrillFile
	err := s.tx(func(tx *txn) error {
		kept = nil
		if _, err := tx.Exec(`INSERT INTO drills (id, shard, started_at) VALUES (?, ?, ?)`, d.ID, d.Shard, nanos(d.Started)); err != nil {
			return fmt.Errorf("record the drill: %w", err)
		}
		for _, f := range files {
			var busy int
			if err := tx.QueryRow(`SELECT COUNT(*) FROM drill_files df JOIN drills d ON d.id = df.drill
				WHERE df.request = ? AND d.ended_at IS NULL`, f.ID).Scan(&busy); err != nil {
				return fmt.Errorf("record the drill: %w", err)
			}
			if busy > 0 {
				continue
			}
			if _, err := tx.Exec(`INSERT INTO drill_files (drill, request, marked_lost) VALUES (?, ?, ?)`, d.ID, f.ID, f.MarkedLost); err != nil {
				return fmt.Errorf("record the drill: %w", err)
			}
			kept = append(kept, f)
		}
		if len(kept) == 0 {
			return errNothingKept
		}
		return nil
	})
	if errors.Is(err, errNothingKept) {
		return nil, nil
	}
	return kept, err
}

var errNothingKept = errors.New("nothing kept")

// EndDrill implements Restores.
func (s *DB) EndDrill(id string, now time.Time) ([]DrillFile, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var files []DrillFile
	err := s.tx(func(tx *txn) error {
		res, err := tx.Exec(`UPDATE drills SET ended_at = ? WHERE id = ? AND ended_at IS NULL`, nanos(now), id)
		if err != nil {
			return fmt.Errorf("end the drill: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNoDrill
		}
		if files, err = drillFiles(tx, id); err != nil {
			return err
		}
		_, err = tx.Exec(`UPDATE restore_requests SET closed_at = ? WHERE closed_at IS NULL AND id IN
			(SELECT request FROM drill_files WHERE drill = ?) AND id NOT IN
			(SELECT df.request FROM drill_files df JOIN drills d ON d.id = df.drill WHERE d.ended_at IS NULL)`, nanos(now), id)
		if err != nil {
			return fmt.Errorf("close the drill's requests: %w", err)
		}
		return nil
	})
	return files, err
}

// Drills implements Restores: every drill, oldest first.
func (s *DB) Drills() ([]Drill, error) {
	rows, err := s.q.Query(`SELECT id, shard, started_at, ended_at FROM drills ORDER BY started_at, id`)
	if err != nil {
		return nil, fmt.Errorf("read drills: %w", err)
	}
	defer rows.Close()
	var out []Drill
	for rows.Next() {
		var d Drill
		var started int64
		var ended sql.NullInt64
		if err := rows.Scan(&d.ID, &d.Shard, &started, &ended); err != nil {
			return nil, fmt.Errorf("read drills: %w", err)
		}
		d.Started, d.Ended = fromNanos(sql.NullInt64{Int64: started, Valid: true}), fromNanos(ended)
		out = append(out, d)
	}
	return out, rows.Err()
}

// DrillFiles implements Restores.
func (s *DB) DrillFiles(id string) ([]DrillFile, error) {
	return drillFiles(s.q, id)
}

func drillFiles(tx querier, id string) ([]DrillFile, error) {
	rows, err := tx.Query(`SELECT request, marked_lost FROM drill_files WHERE drill = ?`, id)
	if err != nil {
		return nil, fmt.Errorf("read the drill's files: %w", err)
	}
	lost := map[string]bool{}
	for rows.Next() {
		var req string
		var marked bool
		if err := rows.Scan(&req, &marked); err != nil {
			rows.Close()
			return nil, err
		}
		lost[req] = marked
	}
	rows.Close()
	reqs, err := requests(tx, `WHERE id IN (SELECT request FROM drill_files WHERE drill = ?) ORDER BY path, key`, id)
	if err != nil {
		return nil, err
	}
	out := make([]DrillFile, len(reqs))
	for i, r := range reqs {
		out[i] = DrillFile{Request: r, MarkedLost: lost[r.ID]}
	}
	return out, nil
}

// OpenRequest implements Restores.
func (s *DB) OpenRequest(shard, key string) (Request, error) {
	rs, err := requests(s.q, `WHERE shard = ? AND key = ? AND closed_at IS NULL`, shard, key)
	if err != nil {
		return Request{}, err
	}
	if len(rs) == 0 {
		return Request{}, ErrNoRequest
	}
	return rs[0], nil
}

// RequestsIn implements Restores.
func (s *DB) RequestsIn(shards []string) ([]Request, error) {
	if len(shards) == 0 {
		return nil, nil
	}
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(shards)), ", ")
	args := make([]any, len(shards))
	for i, sh := range shards {
		args[i] = sh
	}
	return requests(s.q, `WHERE closed_at IS NULL AND shard IN (`+marks+`) ORDER BY opened_at, path, id`, args...)
}

// Ask implements Restores.
func (s *DB) Ask(id, donor, prev string, now time.Time) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var at any
	if donor != "" {
		at = nanos(now)
	}
	res, err := s.q.Exec(`UPDATE restore_requests SET asked_donor = NULLIF(?, ''), asked_at = ?
		WHERE id = ? AND COALESCE(asked_donor, '') = ?`, donor, at, id, prev)
	if err != nil {
		return false, fmt.Errorf("record which donor is asked: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// Uploads implements Restores.
func (s *DB) Uploads(id string) ([]Upload, error) {
	rows, err := s.q.Query(`SELECT request, donor, at, accepted, reason, sha256, bytes FROM restore_uploads
		WHERE request = ? ORDER BY at, rowid`, id)
	if err != nil {
		return nil, fmt.Errorf("read uploads: %w", err)
	}
	defer rows.Close()
	var out []Upload
	for rows.Next() {
		var u Upload
		var at int64
		if err := rows.Scan(&u.Request, &u.Donor, &at, &u.Accepted, &u.Reason, &u.SHA256, &u.Bytes); err != nil {
			return nil, fmt.Errorf("read uploads: %w", err)
		}
		u.At = time.Unix(0, at).UTC()
		out = append(out, u)
	}
	return out, rows.Err()
}

// RecordUpload implements Restores. The same accepted bytes from the same
// donor are recorded once.
func (s *DB) RecordUpload(u Upload, state string, now time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tx(func(tx *txn) error {
		var dup int
		if u.Accepted {
			if err := tx.QueryRow(`SELECT COUNT(*) FROM restore_uploads WHERE request = ? AND donor = ? AND accepted = 1 AND sha256 = ?`,
				u.Request, u.Donor, u.SHA256).Scan(&dup); err != nil {
				return fmt.Errorf("record an upload: %w", err)
			}
		}
		if dup == 0 {
			if _, err := tx.Exec(`INSERT INTO restore_uploads (request, donor, at, accepted, reason, sha256, bytes) VALUES (?, ?, ?, ?, ?, ?, ?)`,
				u.Request, u.Donor, nanos(now), u.Accepted, u.Reason, u.SHA256, u.Bytes); err != nil {
				return fmt.Errorf("record an upload: %w", err)
			}
			if err := standing(tx, u.Donor, u.Accepted, now); err != nil {
				return err
			}
		}
		if state != "" {
			if err := setState(tx, u, state, now); err != nil {
				return err
			}
		}
		// Whoever uploaded is no longer the one waited for: after a
		// refusal, or an MD5 key's first upload, another donor is asked.
		if _, err := tx.Exec(`UPDATE restore_requests SET asked_donor = NULL, asked_at = NULL WHERE id = ? AND asked_donor = ?`,
			u.Request, u.Donor); err != nil {
			return fmt.Errorf("record an upload: %w", err)
		}
		return nil
	})
}

// standing moves a donor's proof-of-storage standing after an upload, as
// settle does after a challenge.
func standing(tx *txn, donor string, passed bool, now time.Time) error {
	q := `UPDATE donors SET proof_fails_in_row = proof_fails_in_row + 1, proof_failed_at = ? WHERE uuid = ?`
	if passed {
		q = `UPDATE donors SET proof_fails_in_row = 0, proof_passed_at = ? WHERE uuid = ?`
	}
	if _, err := tx.Exec(q, nanos(now), donor); err != nil {
		return fmt.Errorf("update the donor's standing: %w", err)
	}
	return nil
}

func setState(tx *txn, u Upload, state string, now time.Time) error {
	var err error
	if Verified(state) {
		_, err = tx.Exec(`UPDATE restore_requests SET state = ?, verified_by = ?, verified_at = ? WHERE id = ? AND state NOT IN (?, ?)`,
			state, u.Donor, nanos(now), u.Request, StateVerified, StateVerifiedSingleMD5)
	} else {
		_, err = tx.Exec(`UPDATE restore_requests SET state = ? WHERE id = ? AND state = ?`, state, u.Request, StateRequested)
	}
	if err != nil {
		return fmt.Errorf("record a request's state: %w", err)
	}
	return nil
}

// Unreinjected implements Restores.
func (s *DB) Unreinjected(shard string) ([]Request, error) {
	return requests(s.q, `WHERE shard = ? AND state IN (?, ?) AND reinjected_at IS NULL ORDER BY verified_at, id`,
		shard, StateVerified, StateVerifiedSingleMD5)
}

// MarkReinjected implements Restores.
func (s *DB) MarkReinjected(ids []string, now time.Time) error {
	return s.eachRequest(ids, `UPDATE restore_requests SET reinjected_at = ? WHERE id = ? AND reinjected_at IS NULL`, now)
}

// CloseRequests implements Restores.
func (s *DB) CloseRequests(ids []string, now time.Time) error {
	return s.eachRequest(ids, `UPDATE restore_requests SET closed_at = ? WHERE id = ? AND closed_at IS NULL`, now)
}

func (s *DB) eachRequest(ids []string, q string, now time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tx(func(tx *txn) error {
		for _, id := range ids {
			if _, err := tx.Exec(q, nanos(now), id); err != nil {
				return fmt.Errorf("update restore requests: %w", err)
			}
		}
		return nil
	})
}

func requests(db querier, where string, args ...any) ([]Request, error) {
	rows, err := db.Query(`SELECT id, shard, key, path, size, opened_at, closed_at, state, COALESCE(verified_by, ''),
		verified_at, reinjected_at, COALESCE(asked_donor, ''), asked_at FROM restore_requests `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("read restore requests: %w", err)
	}
	defer rows.Close()
	var out []Request
	for rows.Next() {
		var r Request
		var opened int64
		var closed, verified, reinjected, asked sql.NullInt64
		if err := rows.Scan(&r.ID, &r.Shard, &r.Key, &r.Path, &r.Size, &opened, &closed, &r.State, &r.VerifiedBy,
			&verified, &reinjected, &r.AskedDonor, &asked); err != nil {
			return nil, fmt.Errorf("read restore requests: %w", err)
		}
		r.OpenedAt = time.Unix(0, opened).UTC()
		r.ClosedAt, r.VerifiedAt, r.ReinjectedAt, r.AskedAt = fromNanos(closed), fromNanos(verified), fromNanos(reinjected), fromNanos(asked)
		out = append(out, r)
	}
	return out, rows.Err()
}

// newID makes a short random id with a prefix ("req-3f9a...").
func newID(prefix string) (string, error) {
	t, err := newToken()
	if err != nil {
		return "", err
	}
	return prefix + "-" + t[:16], nil
}

// NewDrillID makes a drill id such as "drill-20261130-3f9a1c".
func NewDrillID(now time.Time) (string, error) {
	t, err := newToken()
	if err != nil {
		return "", err
	}
	return "drill-" + now.UTC().Format("20060102-150405") + "-" + t[:6], nil
}

func nanos(t time.Time) int64 { return t.UTC().UnixNano() }
