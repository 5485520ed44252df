// Command customereval measures the redaction of the customer-facing version on a folder of postmortems
// (every *.md but README.md and SOURCES.md): for each file, which parts it found, and every link, host,
// address, person, quote and code block it removed, then the totals. It reads people's names to replace
// from -people (one a line), and public hosts from -public (comma-separated). Nothing is written.
//
//	go run ./internal/customereval [-people FILE] [-public HOSTS] [-v] DIR
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hindsight-dev/hindsight/postmortem"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "customer-eval:", err)
		os.Exit(2)
	}
}

var kinds = []string{postmortem.RemovedLink, postmortem.RemovedHost, postmortem.RemovedAddress, postmortem.RemovedPerson,
	postmortem.RemovedQuote, postmortem.RemovedCode}

func run(args []string, w io.Writer) error {
	fl := flag.NewFlagSet("customer-eval", flag.ContinueOnError)
	peopleFile := fl.String("people", "", "file of people's names, one a line")
	public := fl.String("public", "", "comma-separated public hosts whose links stay")
	verbose := fl.Bool("v", false, "print every removal")
	whole := fl.Bool("whole", false, "redact every line of each file, not only the parts a customer version takes")
	if err := fl.Parse(args); err != nil {
		return err
	}
	if fl.NArg() != 1 {
		return fmt.Errorf("name the folder of postmortems")
	}
	var people []string
	if *peopleFile != "" {
		data, err := os.ReadFile(*peopleFile)
		if err != nil {
			return err
		}
		for _, l := range strings.Split(string(data), "\n") {
			if l = strings.TrimSpace(l); l != "" {
				people = append(people, l)
			}
		}
	}
	var hosts []string
	if *public != "" {
		hosts = strings.Split(*public, ",")
	}
	files, err := filepath.Glob(filepath.Join(fl.Arg(0), "*.md"))
	if err != nil {
		return err
	}
	sort.Strings(files)
	totals := map[string]int{}
	missing := map[string]int{}
	n := 0
	for _, f := range files {
		if b := filepath.Base(f); b == "README.md" || b == "SOURCES.md" {
			continue
		}
		data, err := os.ReadFile(f) //nolint:gosec // the user names the folder to measure
		if err != nil {
			return err
		}
		n++
		v := postmortem.WriteCustomerVersion(postmortem.CustomerInput{Markdown: string(data),
			Redaction: postmortem.Redaction{People: people, PublicHosts: hosts}})
		if *whole {
			_, v.Removed = postmortem.RedactText(string(data), postmortem.Redaction{People: people, PublicHosts: hosts})
		}
		var counts []string
		for _, k := range kinds {
			c := v.Removed.Count(k)
			totals[k] += c
			counts = append(counts, fmt.Sprintf("%s %d", k, c))
		}
		for _, m := range v.Missing {
			missing[m]++
		}
		fmt.Fprintf(w, "%s: %s; missing: %s\n", filepath.Base(f), strings.Join(counts, ", "), strings.Join(v.Missing, " "))
		if *verbose {
			for _, r := range v.Removed {
				fmt.Fprintf(w, "    %s\t%s\n", r.Kind, r.Text)
			}
		}
	}
	var sum []string
	for _, k := range kinds {
		sum = append(sum, fmt.Sprintf("%s %d", k, totals[k]))
	}
	fmt.Fprintf(w, "\n%d files: %s\n", n, strings.Join(sum, ", "))
	var miss []string
	for _, p := range []string{postmortem.PartSummary, postmortem.PartImpact, postmortem.PartTimeline, postmortem.PartResolution, postmortem.PartPrevention} {
		miss = append(miss, fmt.Sprintf("%s %d", p, missing[p]))
	}
	fmt.Fprintf(w, "parts missing: %s\n", strings.Join(miss, ", "))
	return nil
}
