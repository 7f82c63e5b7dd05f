package annex

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"slices"
	"strconv"
)

// fastImportMalloc keeps glibc's malloc from giving memory back to the
// kernel after every object. fast-import sets up and frees zlib's deflate
// state (about 256 KiB) for each object it stores; with glibc's default
// trim threshold each one moves the heap's end up and down (brk calls and
// fresh zeroed pages). That was 2.5 s of 4 s building 100k files, and 14
// of 15 CPU seconds writing one month of donor pushes to a 5,000-key shard
// (docs/benchmarks.md). Other C libraries ignore the variables.
var fastImportMalloc = []string{"MALLOC_TRIM_THRESHOLD_=268435456", "MALLOC_TOP_PAD_=67108864"}

// FastImport runs one `git fast-import --quiet --done --force` (plus
// args) and feeds it the stream write makes, ended by "done". Errors of
// the stream stick in the bufio.Writer and come back after git's own.
func FastImport(ctx context.Context, g Git, args []string, write func(*bufio.Writer)) error {
	g.Env = append(slices.Clip(g.Env), fastImportMalloc...)
	cmd := g.Command(ctx, append([]string{"fast-import", "--quiet", "--done", "--force"}, args...)...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start git fast-import: %w", err)
	}
	w := bufio.NewWriterSize(stdin, 1<<20)
	write(w)
	w.WriteString("done\n")
	werr := w.Flush() // bufio.Writer keeps the first write error
	stdin.Close()
	if err := cmd.Wait(); err != nil {
		// git's own message says more than the broken pipe we saw.
		return CommandError("git", []string{"fast-import"}, err, stderr.Bytes())
	}
	return werr
}

// FastImportData writes a fast-import "data" command with its content.
func FastImportData(w *bufio.Writer, data []byte) {
	w.WriteString("data " + strconv.Itoa(len(data)) + "\n")
	w.Write(data)
	w.WriteByte('\n')
}
