package sim

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/shardkeeper/shardkeeper/annex"
	"github.com/shardkeeper/shardkeeper/hub/audit"
)

const zeroID = "0000000000000000000000000000000000000000"

// stagedRef is where a donor's month of pushes waits for the audit.
func stagedRef(d *donor) string { return "refs/sim/" + d.uuid }

// stream writes one month's commits to git fast-import.
type stream struct {
	w         *bufio.Writer
	mark      int
	marksFile string
	hubTip    string // the hub's branch before the month
	hubMark   int    // the hub's last commit this month (0: none)
	pushes    []*donor
	commits   int
}

// fileRef is one file of a commit: a blob by mark or hash, or inline.
type fileRef struct {
	path, ref, inline string
}

func (s *stream) next() int { s.mark++; return s.mark }

// blob writes data and returns its mark.
func (s *stream) blob(data []byte) string {
	n := s.next()
	fmt.Fprintf(s.w, "blob\nmark :%d\n", n)
	annex.FastImportData(s.w, data)
	return ":" + strconv.Itoa(n)
}

func (s *stream) hubFrom() string {
	if s.hubMark > 0 {
		return ":" + strconv.Itoa(s.hubMark)
	}
	return s.hubTip
}

// donorCommit is one push's commit on the donor's staged ref.
func (s *stream) donorCommit(d *donor, at time.Time, msg string, files []fileRef) {
	fmt.Fprintf(s.w, "commit %s\nmark :%d\ncommitter %s %d +0000\n", stagedRef(d), s.next(), "Donor <donor@localhost.invalid>", at.Unix())
	annex.FastImportData(s.w, []byte(msg+"\n"))
	if !d.streamed {
		from := d.tip
		if from == "" {
			from = s.hubFrom()
		}
		s.w.WriteString("from " + from + "\n")
		d.streamed = true
		s.pushes = append(s.pushes, d)
	}
	writeFiles(s.w, files)
	s.commits++
}

// hubCommit changes one file of the hub's own branch.
func (s *stream) hubCommit(at time.Time, path, content string) {
	from := s.hubFrom()
	s.hubMark = s.next()
	fmt.Fprintf(s.w, "commit %s\nmark :%d\ncommitter Shardkeeper <shardkeeper@localhost.invalid> %d +0000\n", annex.BranchRef, s.hubMark, at.Unix())
	annex.FastImportData(s.w, []byte("hub\n"))
	s.w.WriteString("from " + from + "\n")
	writeFiles(s.w, []fileRef{{path: path, inline: content}})
}

func writeFiles(w *bufio.Writer, files []fileRef) {
	for _, f := range files {
		if f.ref != "" {
			fmt.Fprintf(w, "M 100644 %s %s\n", f.ref, f.path)
			continue
		}
		fmt.Fprintf(w, "M 100644 inline %s\n", f.path)
		annex.FastImportData(w, []byte(f.inline))
	}
}

// push writes the donor's lines for keys (one new blob each, as its
// git-annex commits them) and a commit that also merges every change the
// other donors made since its last one (a new donor merges everything).
func (w *world) push(s *stream, d *donor, keys []int, status byte, msg string) {
	own := make(map[int]bool, len(keys))
	for _, k := range keys {
		own[k] = true
	}
	var files []fileRef
	if d.tip == "" && !d.streamed {
		for k, ref := range w.latest {
			if ref != "" && !own[k] {
				files = append(files, fileRef{path: w.paths[k], ref: ref})
			}
		}
	} else {
		merged := map[int32]bool{}
		for _, k := range w.changes[max(d.seen-w.dropped, 0):] {
			if !own[int(k)] && !merged[k] {
				merged[k] = true
				files = append(files, fileRef{path: w.paths[k], ref: w.latest[k]})
			}
		}
	}
	for j, k := range keys {
		w.setLine(k, d.uuid, status, w.now.Add(time.Duration(j)*time.Microsecond))
		w.latest[k] = s.blob(annex.FormatLog(w.lines[k]))
		files = append(files, fileRef{path: w.paths[k], ref: w.latest[k]})
		w.changes = append(w.changes, int32(k))
	}
	d.seen = w.dropped + len(w.changes)
	s.donorCommit(d, w.now, msg, files)
}

// trimChanges forgets the changes every donor that will push again has
// merged.
func (w *world) trimChanges() {
	low := w.dropped + len(w.changes)
	for _, d := range w.donors {
		if d.tip != "" && d.leave == 0 && d.silent == 0 {
			low = min(low, d.seen)
		}
	}
	w.changes = append([]int32(nil), w.changes[low-w.dropped:]...)
	w.dropped = low
}

// runFastImport runs one git fast-import over the stream write makes,
// exporting its marks.
func runFastImport(ctx context.Context, g annex.Git, write func(*stream)) error {
	marks, err := os.CreateTemp("", "sim-marks-*")
	if err != nil {
		return err
	}
	marks.Close()
	args := []string{"--active-branches=64", "--export-marks=" + marks.Name()}
	return annex.FastImport(ctx, g, args, func(w *bufio.Writer) { write(&stream{w: w, marksFile: marks.Name()}) })
}

// resolveMarks turns this month's marks into hashes, for next month.
func (w *world) resolveMarks(ctx context.Context, file string) error {
	defer os.Remove(file)
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	sha := map[string]string{}
	for _, line := range strings.Split(string(data), "\n") {
		if m, h, ok := strings.Cut(line, " "); ok {
			sha[m] = h
		}
	}
	for k, ref := range w.latest {
		if strings.HasPrefix(ref, ":") {
			w.latest[k] = sha[ref]
		}
	}
	return nil
}

// land moves each donor's ref to its staged month of pushes. With Audit,
// each donor's pushes are first judged by the hub's real audit against the
// hub's branch and every other donor's ref, as a push would be.
func (w *world) land(ctx context.Context, pushed []*donor) (int, error) {
	staged := map[*donor]string{}
	for _, d := range pushed {
		staged[d] = w.g.Tip(ctx, stagedRef(d))
		if err := w.moveRef(ctx, annex.DonorRef(d.uuid), staged[d], d.tip); err != nil {
			return 0, err
		}
		if _, err := w.g.Output(ctx, nil, "update-ref", "-d", stagedRef(d)); err != nil {
			return 0, err
		}
	}
	if !w.cfg.Audit {
		return len(pushed), nil
	}
	for _, d := range pushed {
		if err := w.audit(ctx, d, staged[d]); err != nil {
			return 0, err
		}
	}
	return len(pushed), nil
}

// audit judges one donor's month of pushes (its ref set back for the
// check, then forward again).
func (w *world) audit(ctx context.Context, d *donor, tip string) error {
	old := d.tip
	if old == "" {
		old = zeroID
	}
	if err := w.moveRef(ctx, annex.DonorRef(d.uuid), old, tip); err != nil {
		return err
	}
	problems, err := audit.Check(ctx, audit.Push{Git: w.g, Donor: d.uuid, Now: w.now,
		Updates: []audit.Update{{Old: old, New: tip, Ref: annex.DonorRef(d.uuid)}}})
	if err == nil && len(problems) > 0 {
		err = fmt.Errorf("the hub's audit refused donor %s's pushes: %s", d.uuid, strings.Join(problems[:min(3, len(problems))], "; "))
	}
	if err != nil {
		return err
	}
	return w.moveRef(ctx, annex.DonorRef(d.uuid), tip, old)
}

// moveRef sets ref to to ("" or zero: delete) if it is at from.
func (w *world) moveRef(ctx context.Context, ref, to, from string) error {
	if from == "" {
		from = zeroID
	}
	var err error
	if to == "" || to == zeroID {
		_, err = w.g.Output(ctx, nil, "update-ref", "-d", ref, from)
	} else {
		_, err = w.g.Output(ctx, nil, "update-ref", ref, to, from)
	}
	return err
}
