package pagerdutytest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// pageParams reads limit (25 by default, clamped to 1–100) and offset as PagerDuty's classic pagination
// does. It answers 400 itself, and returns ok false, for a value that is not a non-negative integer and for
// offset+limit past PagerDuty's ceiling of 10,000.
func pageParams(w http.ResponseWriter, q url.Values) (limit, offset int, ok bool) {
	limit = 25
	for _, p := range []struct {
		name string
		dst  *int
	}{{"limit", &limit}, {"offset", &offset}} {
		if v := q.Get(p.name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				writeJSON(w, http.StatusBadRequest, argumentError(p.name+" must be a non-negative integer"))
				return 0, 0, false
			}
			*p.dst = n
		}
	}
	limit = min(max(limit, 1), 100)
	if offset+limit > 10000 {
		writeJSON(w, http.StatusBadRequest, BodyOffsetTooLarge)
		return 0, 0, false
	}
	return limit, offset, true
}

// writePage answers one page of a list of n items under key, with limit, offset, more, and total when the
// request asked for it (total=true), else null.
func writePage(w http.ResponseWriter, q url.Values, key string, page []json.RawMessage, limit, offset, n int) {
	// Written by hand, in the order encoding/json gives a map's keys: marshalling would compact every item
	// again, which for a giant incident's thousand pages is most of the fake's time.
	total := "null"
	if q.Get("total") == "true" {
		total = strconv.Itoa(n)
	}
	var items strings.Builder
	for i, raw := range page {
		if i > 0 {
			items.WriteByte(',')
		}
		items.Write(raw)
	}
	head := fmt.Sprintf(`{%q:[`, key)
	tail := fmt.Sprintf(`],"limit":%d,"more":%t,"offset":%d,"total":%s}`, limit, offset+limit < n, offset, total)
	if key > "limit" {
		head = fmt.Sprintf(`{"limit":%d,%q:[`, limit, key)
		tail = fmt.Sprintf(`],"more":%t,"offset":%d,"total":%s}`, offset+limit < n, offset, total)
	}
	writeJSON(w, http.StatusOK, head+items.String()+tail)
}

// storedEntries keeps raws with their created_at, which must be RFC 3339; op names the caller in the panic
// a malformed test payload gets.
func storedEntries(op string, raws []json.RawMessage) []storedEntry {
	out := make([]storedEntry, 0, len(raws))
	for _, raw := range raws {
		var head struct {
			CreatedAt string `json:"created_at"`
		}
		if err := json.Unmarshal(raw, &head); err != nil {
			panic(fmt.Sprintf("pagerdutytest: %s: %v", op, err))
		}
		at, err := time.Parse(time.RFC3339Nano, head.CreatedAt)
		if err != nil {
			panic(fmt.Sprintf("pagerdutytest: %s: created_at: %v", op, err))
		}
		// What GET answers most, the entry in UTC, is rendered once here rather than on every page.
		utc, err := withTime(raw, "created_at", at.UTC())
		if err != nil {
			panic(fmt.Sprintf("pagerdutytest: %s: %v", op, err))
		}
		out = append(out, storedEntry{raw: append(json.RawMessage(nil), raw...), utc: utc, at: at})
	}
	return out
}
