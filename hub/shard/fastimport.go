package shard

import (
	"bufio"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/shardkeeper/shardkeeper/annex"
)

const (
	committerName  = "shardhub"
	committerEmail = "shardhub@shardkeeper.invalid"
	committer      = committerName + " <" + committerEmail + ">"
)

// Refs a build writes before it moves the branches, all at once, with
// moveRefs, which deletes them. They are outside refs/heads, so donors
// never see them.
const (
	tmpRefs       = "refs/shardhub/"
	tmpMain       = tmpRefs + "main"
	tmpAnnex      = tmpRefs + "git-annex"
	tmpAnnexParts = tmpRefs + "annex"
)

// fastImport runs one git fast-import and feeds it the stream write makes.
// It writes only refs/shardhub/ refs (hence --force); marks, when not "",
// receives --export-marks. (annex.FastImport keeps glibc's malloc from
// trimming after every object.)
func fastImport(ctx context.Context, g annex.Git, marks string, write func(*stream)) error {
	var args []string
	if marks != "" {
		args = append(args, "--export-marks="+marks)
	}
	return annex.FastImport(ctx, g, args, func(w *bufio.Writer) { write(&stream{w: w}) })
}

// stream writes fast-import commands. Errors stick in the bufio.Writer.
type stream struct {
	w   *bufio.Writer
	now annex.Timestamp
	// webMark is the blob ":1", the location log every new key gets
	// ("present on the web"): written once, used by every key.
	webMark bool
}

// commit starts a commit on ref (mark, when not 0, names it): on top of
// parent when that is not "", else a first commit.
func (s *stream) commit(ref string, mark int, parent string, now time.Time, msg string) {
	s.now = annex.TimestampOf(now)
	fmt.Fprintf(s.w, "commit %s\n", ref)
	if mark > 0 {
		fmt.Fprintf(s.w, "mark :%d\n", mark)
	}
	fmt.Fprintf(s.w, "committer %s %d +0000\n", committer, now.Unix())
	writeData(s.w, []byte(msg+"\n"))
	if parent != "" {
		s.w.WriteString("from " + parent + "\n")
	}
}

// reset empties ref, so the next commit on it starts a new history.
func (s *stream) reset(ref string) { s.w.WriteString("reset " + ref + "\n\n") }

// webBlob writes the shared location log blob; call it before the first
// commit that uses logs with curLoc nil.
func (s *stream) webBlob(now time.Time) {
	s.now = annex.TimestampOf(now)
	s.w.WriteString("blob\nmark :1\n")
	writeData(s.w, []byte(s.now.String()+" 1 "+annex.WebUUID+"\n"))
	s.webMark = true
}

// symlink writes path as an annexed file of key.
func (s *stream) symlink(path string, k annex.Key) {
	writeFile(s.w, "120000", path, []byte(annex.SymlinkTarget(path, k)))
}

func (s *stream) remove(path string) {
	s.w.WriteString("D " + quotePath(path) + "\n")
}

// logs registers key k on the web at urls: its location log says the web
// has it, its URL log lists urls as present and any other URL as removed.
// cur* are the logs as they are (nil for none); lines are only ever added,
// as git-annex itself does.
func (s *stream) logs(k annex.Key, curLoc, curWeb []byte, urls []string) {
	switch {
	case curLoc == nil && s.webMark:
		s.w.WriteString("M 100644 :1 " + quotePath(annex.LocationLogPath(k)) + "\n")
	case curLoc == nil:
		writeFile(s.w, "100644", annex.LocationLogPath(k), []byte(s.now.String()+" 1 "+annex.WebUUID+"\n"))
	default:
		lines := annex.ParseLog(curLoc)
		if slices.Contains(annex.Present(lines), annex.WebUUID) {
			break
		}
		add := annex.LogLine{Time: after(lines, s.now), Status: annex.StatusPresent, Value: annex.WebUUID}
		writeFile(s.w, "100644", annex.LocationLogPath(k), append(curLoc, add.String()+"\n"...))
	}

	if curWeb == nil { // a new key: the common case, kept cheap
		var log []byte
		for _, u := range urls {
			log = append(log, annex.LogLine{Time: s.now, Status: annex.StatusPresent, Value: u}.String()+"\n"...)
		}
		writeFile(s.w, "100644", annex.URLLogPath(k), log)
		return
	}
	lines := annex.ParseLog(curWeb)
	ts := after(lines, s.now)
	present := map[string]bool{}
	for _, l := range annex.Compact(lines) {
		present[l.Value] = l.Status == annex.StatusPresent
	}
	log := append([]byte(nil), curWeb...)
	n := len(log)
	for _, u := range urls {
		if !present[u] {
			log = append(log, annex.LogLine{Time: ts, Status: annex.StatusPresent, Value: u}.String()+"\n"...)
		}
	}
	for _, l := range annex.Compact(lines) {
		if l.Status == annex.StatusPresent && !slices.Contains(urls, l.Value) {
			log = append(log, annex.LogLine{Time: ts, Status: annex.StatusMissing, Value: l.Value}.String()+"\n"...)
		}
	}
	if len(log) > n {
		writeFile(s.w, "100644", annex.URLLogPath(k), log)
	}
}

// after is now, or just after the newest of lines when the clock says
// otherwise: a new line must win over the ones it replaces.
func after(lines []annex.LogLine, now annex.Timestamp) annex.Timestamp {
	ts := now
	for _, l := range lines {
		if !l.Time.Before(ts) {
			ts = annex.TimestampOf(l.Time.Time().Add(time.Millisecond))
		}
	}
	return ts
}

func writeFile(w *bufio.Writer, mode, path string, data []byte) {
	w.WriteString("M " + mode + " inline " + quotePath(path) + "\n")
	writeData(w, data)
}

func writeData(w *bufio.Writer, data []byte) { annex.FastImportData(w, data) }

// quotePath C-quotes a path the way fast-import reads it. Quoting always is
// simpler than deciding when it is needed (a path with '"', '\\', a newline,
// or a leading quote must be quoted); bytes of 0x80 and above pass through,
// so UTF-8 names stay as they are.
func quotePath(p string) string {
	b := make([]byte, 0, len(p)+2)
	b = append(b, '"')
	for i := 0; i < len(p); i++ {
		switch c := p[i]; {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20 || c == 0x7f:
			b = append(b, '\\', '0'+(c>>6), '0'+((c>>3)&7), '0'+(c&7))
		default:
			b = append(b, c)
		}
	}
	return string(append(b, '"'))
}
