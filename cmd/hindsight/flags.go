package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// newFlags returns a subcommand's flag set; errors are returned, not printed.
func newFlags(command string) *flag.FlagSet {
	fl := flag.NewFlagSet(command, flag.ContinueOnError)
	fl.SetOutput(io.Discard)
	return fl
}

// parseFlags parses a subcommand that takes flags only; a bad flag or any other argument is a usage error.
func parseFlags(fl *flag.FlagSet, args []string) error {
	if err := parseArgs(fl, args); err != nil {
		return err
	}
	if fl.NArg() > 0 {
		return usageError{fmt.Sprintf("%s: unexpected argument %q", fl.Name(), fl.Arg(0))}
	}
	return nil
}

// parseArgs parses flags followed by arguments. -h and --help return a helpError holding the command's
// usage, which run prints to stdout.
func parseArgs(fl *flag.FlagSet, args []string) error {
	err := fl.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return helpError{commandHelp(fl)}
	case err != nil:
		return usageError{fl.Name() + ": " + err.Error()}
	}
	return nil
}

// helpError carries a command's usage, asked for with -h: run prints it to stdout and succeeds.
type helpError struct{ text string }

func (e helpError) Error() string { return e.text }

// commandHelp is the usage of fl's command: its synopsis, what it does, and every flag with its default.
func commandHelp(fl *flag.FlagSet) string {
	var b strings.Builder
	synopsis, does := fl.Name()+" [flags]", ""
	for _, c := range commands {
		if c.name == fl.Name() {
			synopsis, does = c.synopsis, c.does
		}
	}
	fmt.Fprintf(&b, "usage: hindsight %s\n", synopsis)
	if does != "" {
		fmt.Fprintf(&b, "\n%s\n", does)
	}
	first := true
	fl.VisitAll(func(f *flag.Flag) {
		if first {
			b.WriteString("\nflags:\n")
			first = false
		}
		kind, usage := flag.UnquoteUsage(f)
		if kind == "" {
			fmt.Fprintf(&b, "  --%s\n", f.Name)
		} else {
			fmt.Fprintf(&b, "  --%s %s\n", f.Name, kind)
		}
		def := f.DefValue
		if def == "" {
			def = "none"
		}
		if strings.Contains(usage, "(default: ") { // the usage says what an empty value means
			fmt.Fprintf(&b, "      %s\n", usage)
		} else {
			fmt.Fprintf(&b, "      %s (default: %s)\n", usage, def)
		}
	})
	return b.String()
}
