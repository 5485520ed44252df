package main

import (
	"flag"
	"fmt"
	"io"
)

// newFlags returns a subcommand's flag set; errors are returned, not printed.
func newFlags(command string) *flag.FlagSet {
	fl := flag.NewFlagSet(command, flag.ContinueOnError)
	fl.SetOutput(io.Discard)
	return fl
}

// parseFlags parses a subcommand that takes flags only; a bad flag or any other argument is a usage error.
func parseFlags(fl *flag.FlagSet, args []string) error {
	if err := fl.Parse(args); err != nil {
		return usageError{fl.Name() + ": " + err.Error()}
	}
	if fl.NArg() > 0 {
		return usageError{fmt.Sprintf("%s: unexpected argument %q", fl.Name(), fl.Arg(0))}
	}
	return nil
}
