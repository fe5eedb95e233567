package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/qtshm/qtshm-go/internal/cmd/article"
	"github.com/qtshm/qtshm-go/qtshm"
)

const writeSynopsis = "write [--string TEXT] [--offset N] [--create SIZE --hold DURATION] [--native] [--json] [--tmpdir DIR] [--backend B] [--flavor F] KEY"

// runWrite is `qtshm write KEY`: standard input (or --string) into the segment at --offset,
// under the lock.
func runWrite(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer) (int, error) {
	c := newCommon("write")
	text := c.fs.String("string", "", "write TEXT in the local 8-bit encoding and a NUL after it, instead of standard input")
	offset := c.fs.Int("offset", 0, "where to write")
	create := c.fs.Int("create", 0, "create the segment with SIZE bytes if it does not exist (needs --hold)")
	hold := c.fs.Duration("hold", 0, "stay attached this long after writing (until a signal), so the segment lives on")
	if help, err := c.parse(args, 1, writeSynopsis, stdout); help || err != nil {
		return 0, err
	}
	set := map[string]bool{}
	c.fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	switch {
	case *offset < 0:
		return 0, usageError(fmt.Sprintf("write: --offset must not be negative, not %d", *offset))
	case set["create"] && *create <= 0:
		return 0, usageError(fmt.Sprintf("write: --create SIZE must be positive, not %d", *create))
	case set["create"] && *hold <= 0:
		return 0, usageError("write: --create needs --hold DURATION: a segment is removed at its last detach, so one nobody holds would vanish when write exits")
	case set["hold"] && *hold <= 0:
		return 0, usageError(fmt.Sprintf("write: --hold must be positive, not %v", *hold))
	}
	var data []byte
	if set["string"] {
		b, err := article.Encode(*text)
		if err != nil {
			return 0, fmt.Errorf("write: the text has characters the local 8-bit encoding lacks: %v", err)
		}
		data = append(b, 0)
	} else {
		b, err := io.ReadAll(stdin)
		if err != nil {
			return 0, fmt.Errorf("write: reading standard input: %v", err)
		}
		data = b
	}
	m, err := c.open(c.fs.Arg(0))
	if err != nil {
		return 0, err
	}
	defer m.Close()
	created := false
	err = m.AttachContext(ctx, qtshm.ReadWrite)
	var qe *qtshm.Error
	if err != nil && set["create"] && errors.As(err, &qe) && qe.Code == qtshm.NotFound {
		err = m.CreateContext(ctx, *create, qtshm.ReadWrite)
		created = err == nil
	}
	if err != nil {
		return 0, err
	}
	if len(data) > m.Size()-*offset { // not offset+len: it can wrap
		return 0, fmt.Errorf("write: %d bytes at offset %d do not fit in the segment of %d bytes", len(data), *offset, m.Size())
	}
	if err := m.LockContext(ctx); err != nil {
		return 0, err
	}
	_, werr := m.WriteAt(data, int64(*offset))
	if err := m.Unlock(); err != nil {
		return 0, err
	}
	if werr != nil {
		return 0, werr
	}
	if c.json {
		err = printJSON(stdout, writeResult{Key: m.Key(), NativeKey: m.NativeKey(), Size: m.Size(), Offset: *offset, Written: len(data), Created: created, Hold: hold.String()})
	} else {
		_, err = fmt.Fprintf(stdout, "wrote %d bytes at offset %d of %s (%d bytes)\n", len(data), *offset, m.NativeKey(), m.Size())
	}
	if err != nil {
		return 0, err
	}
	if *hold > 0 {
		t := time.NewTimer(*hold)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
		}
	}
	return 0, m.Close()
}

// writeResult is the JSON line of `qtshm write --json`.
type writeResult struct {
	Key       string `json:"key"`
	NativeKey string `json:"nativeKey"`
	Size      int    `json:"size"`
	Offset    int    `json:"offset"`
	Written   int    `json:"written"`
	Created   bool   `json:"created"` // --create made the segment
	Hold      string `json:"hold"`    // how long it stays attached after writing
}
