package postmortem

import (
	"fmt"
	"strings"
	"time"
)

// MarshalText writes d as UnmarshalText reads it: whole days as "Nd", else Go's syntax without trailing
// zero units ("90m", "36h").
func (d Duration) MarshalText() ([]byte, error) {
	v := time.Duration(d)
	const day = 24 * time.Hour
	if v >= day && v%day == 0 {
		return fmt.Appendf(nil, "%dd", v/day), nil
	}
	s := v.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return []byte(s), nil
}
