package shard

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/shardkeeper/shardkeeper/annex"
)

// A build keeps no per-file strings in memory: every row goes to a spill
// file in the data directory as it is read (item, path, URL, key), the
// items are placed from their counts, the spill file is split into one
// file per shard, and each shard is built from its own file. Memory is
// then one shard's rows, whatever the collection's size.

// spillWriter appends rows to a temporary file.
type spillWriter struct {
	f *os.File
	w *bufio.Writer
}

func newSpill(dir, pattern string, buf int) (*spillWriter, error) {
	f, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return nil, fmt.Errorf("create a temporary file in the data directory: %w", err)
	}
	return &spillWriter{f: f, w: bufio.NewWriterSize(f, buf)}, nil
}

func (s *spillWriter) put(item int32, r *record) {
	var n [binary.MaxVarintLen64]byte
	s.w.Write(n[:binary.PutUvarint(n[:], uint64(item))])
	for _, v := range []string{r.path, r.url, string(r.key)} {
		s.w.Write(n[:binary.PutUvarint(n[:], uint64(len(v)))])
		s.w.WriteString(v)
	}
}

// finish flushes the rows written so far; the file stays open for more.
func (s *spillWriter) finish() error {
	if err := s.w.Flush(); err != nil {
		return fmt.Errorf("write %s: %w", s.f.Name(), err)
	}
	return nil
}

// remove closes and deletes the file.
func (s *spillWriter) remove() {
	s.f.Close()
	os.Remove(s.f.Name())
}

// each calls fn on every row of a spill file, in the order they were
// written (after finish), with its number from 0.
func eachRow(name string, fn func(n int32, item int32, r *record) error) error {
	f, err := os.Open(name)
	if err != nil {
		return fmt.Errorf("read back the build's rows: %w", err)
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 256<<10)
	for n := int32(0); ; n++ {
		item, err := binary.ReadUvarint(br)
		if errors.Is(err, io.EOF) {
			return nil
		}
		var fields [3]string
		for i := range fields {
			if err == nil {
				fields[i], err = readString(br)
			}
		}
		if err != nil {
			return fmt.Errorf("read back the build's rows from %s: %w", name, err)
		}
		r := record{path: fields[0], url: fields[1], key: annex.Key(fields[2])}
		if err := fn(n, int32(item), &r); err != nil {
			return err
		}
	}
}

func readString(br *bufio.Reader) (string, error) {
	l, err := binary.ReadUvarint(br)
	if err != nil {
		return "", noEOF(err)
	}
	b := make([]byte, l)
	if _, err := io.ReadFull(br, b); err != nil {
		return "", noEOF(err)
	}
	return string(b), nil
}

func noEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

// split writes each row of the collection to its plan's own spill file
// (shardOf: item -> index into plans, or -1) and returns their names.
func split(c *collection, dir string, plans []*plan) ([]string, error) {
	shardOf := make([]int32, len(c.items))
	for i := range shardOf {
		shardOf[i] = -1
	}
	for pi, p := range plans {
		for _, it := range p.items {
			shardOf[it] = int32(pi)
		}
	}
	outs := make([]*spillWriter, len(plans))
	defer func() {
		for _, o := range outs {
			if o != nil {
				o.f.Close()
			}
		}
	}()
	names := make([]string, len(plans))
	for pi, p := range plans {
		if len(p.items) == 0 {
			continue
		}
		o, err := newSpill(dir, ".build-shard-*", 64<<10)
		if err != nil {
			return names, err
		}
		outs[pi], names[pi] = o, o.f.Name()
	}
	err := eachRow(c.spill.f.Name(), func(_ int32, item int32, r *record) error {
		if pi := shardOf[item]; pi >= 0 {
			outs[pi].put(item, r)
		}
		return nil
	})
	for _, o := range outs {
		if o != nil && err == nil {
			err = o.finish()
		}
	}
	return names, err
}
