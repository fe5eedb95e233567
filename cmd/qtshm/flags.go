package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/qtshm/qtshm-go/qtshm"
)

// common are the flags every operator command (key, ls, cat, write, rm, lock) takes.
type common struct {
	fs      *flag.FlagSet
	cmd     string
	json    bool
	tmpdir  string
	backend string
	flavor  string
	native  bool
	foreign bool
}

// newCommon makes the flag set of cmd with the common flags; the caller adds its own.
func newCommon(cmd string) *common {
	c := &common{cmd: cmd, fs: flag.NewFlagSet(cmd, flag.ContinueOnError)}
	c.fs.SetOutput(io.Discard)
	c.fs.BoolVar(&c.json, "json", false, "print JSON (one object a line, see docs/cli.md)")
	c.fs.StringVar(&c.tmpdir, "tmpdir", "", "directory of the System V key files (default: Qt's QDir::tempPath(): $TMPDIR or /tmp)")
	c.fs.StringVar(&c.backend, "backend", "", "backend for QString keys: "+strings.Join(qtshm.Backends(), ", ")+" (default: the first)")
	c.fs.StringVar(&c.flavor, "flavor", "qt515", "Qt behaviour the pure backend reproduces: qt515 or qt661")
	c.fs.BoolVar(&c.native, "native", false, "KEY is a Qt 6.6+ native key string (posix:/NAME, systemv:/PATH, systemv-N:/PATH)")
	c.fs.BoolVar(&c.foreign, "foreign", false, "use (and remove) objects of other users, as Qt does")
	return c
}

// parse parses args; nargs is the number of positional arguments wanted (-1: any). help is
// true after -h was printed.
func (c *common) parse(args []string, nargs int, synopsis string, stdout io.Writer) (help bool, err error) {
	if err := c.fs.Parse(interleave(c.fs, args)); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(stdout, "usage: qtshm %s\n", synopsis)
			c.fs.SetOutput(stdout)
			c.fs.PrintDefaults()
			return true, nil
		}
		return false, usageError(fmt.Sprintf("%s: %v", c.cmd, err))
	}
	if nargs >= 0 && c.fs.NArg() != nargs {
		return false, usageError(fmt.Sprintf("%s: want %s", c.cmd, synopsis))
	}
	for _, a := range c.fs.Args() {
		if a == "" {
			return false, usageError(fmt.Sprintf("%s: an empty KEY (want %s)", c.cmd, synopsis))
		}
	}
	if c.flavor != "qt515" && c.flavor != "qt661" {
		return false, usageError(fmt.Sprintf("%s: unknown flavour %q (qt515 or qt661)", c.cmd, c.flavor))
	}
	if c.backend != "" && !slices.Contains(qtshm.Backends(), c.backend) {
		return false, usageError(fmt.Sprintf("%s: unknown backend %q (built in: %s)", c.cmd, c.backend, strings.Join(qtshm.Backends(), ", ")))
	}
	if c.tmpdir != "" {
		// The native backend's Qt reads TMPDIR; the pure one gets WithTempDir.
		os.Setenv("TMPDIR", c.tmpdir)
	}
	return false, nil
}

// interleave moves flags after positional arguments in front of them, so that
// `qtshm cat KEY --hex` works as `qtshm cat --hex KEY`. A "--" ends the flags.
func interleave(fs *flag.FlagSet, args []string) []string {
	var flags, pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			pos = append(pos, args[i+1:]...)
			break
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			pos = append(pos, a)
			continue
		}
		flags = append(flags, a)
		name := strings.TrimLeft(a, "-")
		if strings.Contains(name, "=") {
			continue
		}
		if f := fs.Lookup(name); f != nil && !isBool(f) && i+1 < len(args) {
			i++
			flags = append(flags, args[i])
		}
	}
	return append(append(flags, "--"), pos...)
}

func isBool(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

func (c *common) flavorValue() qtshm.Flavor {
	if c.flavor == "qt661" {
		return qtshm.FlavorQt661
	}
	return qtshm.FlavorQt515
}

// options are the library options the flags select.
func (c *common) options() []qtshm.Option {
	opts := []qtshm.Option{qtshm.WithFlavor(c.flavorValue())}
	if c.backend != "" {
		opts = append(opts, qtshm.WithBackend(c.backend))
	}
	if c.tmpdir != "" {
		opts = append(opts, qtshm.WithTempDir(c.tmpdir))
	}
	if c.foreign {
		opts = append(opts, qtshm.WithForeignOwner())
	}
	return opts
}

// nativeKey parses KEY as a native key string (--native).
func (c *common) nativeKey(s string) (qtshm.NativeIpcKey, error) {
	k, err := qtshm.ParseNativeIpcKey(s)
	if err != nil || !k.IsValid() {
		return k, usageError(fmt.Sprintf("%s: %q is not a native key string (posix:/NAME, systemv:/PATH, systemv-N:/PATH)", c.cmd, s))
	}
	return k, nil
}

// open makes the SharedMemory of KEY.
func (c *common) open(key string) (*qtshm.SharedMemory, error) {
	if c.native {
		k, err := c.nativeKey(key)
		if err != nil {
			return nil, err
		}
		return qtshm.NewFromNativeKey(k, c.options()...), nil
	}
	return qtshm.New(key, c.options()...), nil
}

// inspect is Inspect or InspectNative of KEY.
func (c *common) inspect(key string) (qtshm.KeyInfo, error) {
	if c.native {
		k, err := c.nativeKey(key)
		if err != nil {
			return qtshm.KeyInfo{}, err
		}
		return qtshm.InspectNative(k, c.options()...)
	}
	return qtshm.Inspect(key, c.options()...)
}

// printJSON prints v as one line of JSON.
func printJSON(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}
