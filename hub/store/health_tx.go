package store

import (
	"database/sql"
	"fmt"
)

// healthTx is HealthTx on one SQL transaction, its statements prepared
// once (a shard read whole adds 100k keys). Keys and lines are written in
// batches of healthBatch rows a statement (health_batch.go): under
// PostgreSQL a statement is a network round trip.
type healthTx struct {
	tx    *txn
	shard string
	stmts map[string]*sql.Stmt
	batch healthPending
}

func (h *healthTx) close() {
	for _, st := range h.stmts {
		st.Close()
	}
	h.stmts = nil
}

// exec runs one of the transaction's statements, preparing it the first
// time.
func (h *healthTx) exec(q string, args ...any) error {
	_, err := h.execCount(q, args...)
	return err
}

// execCount is exec that says how many rows the statement changed.
func (h *healthTx) execCount(q string, args ...any) (int64, error) {
	st, err := h.stmt(q)
	var n int64
	if err == nil {
		var res sql.Result
		if res, err = st.Exec(h.tx.stmtArgs(args)...); err == nil {
			n, err = res.RowsAffected()
		}
	}
	if err != nil {
		return 0, fmt.Errorf("record the health of %s: %w", h.shard, err)
	}
	return n, nil
}

func (h *healthTx) stmt(q string) (*sql.Stmt, error) {
	if st, ok := h.stmts[q]; ok {
		return st, nil
	}
	st, err := h.tx.Prepare(q)
	if err != nil {
		return nil, err
	}
	if h.stmts == nil {
		h.stmts = map[string]*sql.Stmt{}
	}
	h.stmts[q] = st
	return st, nil
}

func (h *healthTx) Reset() error {
	h.batch = healthPending{} // what was added before is forgotten too
	for _, table := range []string{"health_keys", "health_lines", "health_refs"} {
		if err := h.exec(`DELETE FROM `+table+` WHERE shard = ?`, h.shard); err != nil {
			return err
		}
	}
	return nil
}

func (h *healthTx) SetRef(ref, sha string) error {
	return h.exec(`INSERT INTO health_refs (shard, ref, sha) VALUES (?, ?, ?)
		ON CONFLICT (shard, ref) DO UPDATE SET sha = excluded.sha`, h.shard, ref, sha)
}

// readRefs reads a shard's donor refs as last read.
func readRefs(db querier, shard string) (map[string]string, error) {
	rows, err := db.Query(`SELECT ref, sha FROM health_refs WHERE shard = ?`, shard)
	if err != nil {
		return nil, fmt.Errorf("read the health of %s: %w", shard, err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var ref, sha string
		if err := rows.Scan(&ref, &sha); err != nil {
			return nil, fmt.Errorf("read the health of %s: %w", shard, err)
		}
		out[ref] = sha
	}
	return out, rows.Err()
}

func (h *healthTx) SetShard(s HealthShard) error {
	return h.exec(`INSERT INTO health_shards (shard, hub_head, main_head, files, bytes, trust) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (shard) DO UPDATE SET hub_head = excluded.hub_head, main_head = excluded.main_head,
		files = excluded.files, bytes = excluded.bytes, trust = excluded.trust`,
		h.shard, s.HubHead, s.MainHead, s.Files, s.Bytes, s.Trust)
}
