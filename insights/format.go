package insights

import (
	"time"

	"github.com/hindsight-dev/hindsight/postmortem"
)

// FormatDuration writes a duration to the minute ("1d 3h 20m"), to the second below a minute; "—" for none.
func FormatDuration(d time.Duration) string {
	if d >= time.Minute {
		d = d.Round(time.Minute)
	}
	return postmortem.FormatDuration(d)
}

// FormatTime writes a time to the minute in UTC; "—" for none.
func FormatTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04") + " UTC"
}
