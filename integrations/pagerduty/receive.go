package pagerduty

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/hindsight-dev/hindsight/postmortem"
)

// Envelope is what a receiver needs of a V3 webhook body to store it; the worker decodes the rest with
// DecodeEvent.
type Envelope struct {
	EventID   string
	EventType string
	// IncidentID is the incident an "incident.*" event concerns; empty for any other event.
	IncidentID string
}

// DecodeEnvelope reads the event ID, type and incident of a V3 webhook body. It fails, with a message fit
// for the sender, on a body that is not JSON, lacks event.event_type, or is an incident event without an
// incident ID or an event ID. Verify the signature on the raw body first.
//
// It walks the body's tokens once, checking that all of it is JSON but decoding only the fields it needs
// (event.id, event.event_type, event.data.id, event.data.type, event.data.incident.id); the worker decodes
// the rest. Names match as encoding/json matches them, ignoring case, and the last of a repeated name wins.
func DecodeEnvelope(body []byte) (Envelope, error) {
	ev, err := scanEnvelope(body)
	if err != nil {
		return Envelope{}, errors.New("body is not JSON: " + err.Error())
	}
	if !ev.present || ev.eventType == "" {
		return Envelope{}, errors.New("body is not a PagerDuty V3 webhook: event.event_type is missing")
	}
	env := Envelope{EventID: ev.id, EventType: ev.eventType}
	if !strings.HasPrefix(ev.eventType, "incident.") {
		return env, nil
	}
	env.IncidentID = ev.dataID
	if ev.dataType != "incident" && ev.incident {
		env.IncidentID = ev.incidentID
	}
	// The ID is bounded before it becomes part of a Redis key.
	if !postmortem.ValidIncidentID(env.IncidentID) {
		return Envelope{}, errors.New("event.data does not name an incident ID")
	}
	if ev.id == "" {
		return Envelope{}, errors.New("event.id is missing")
	}
	return env, nil
}

// scannedEnvelope is what scanEnvelope found; incident says event.data.incident is an object rather
// than null or absent.
type scannedEnvelope struct {
	present, incident               bool
	id, eventType, dataID, dataType string
	incidentID                      string
}

func scanEnvelope(body []byte) (scannedEnvelope, error) {
	var ev scannedEnvelope
	dec := decoderFor(bytes.NewBuffer(body)) // a Buffer is read in place, not copied
	defer putDecoder(dec)
	// As encoding/json decodes into pointers and structs: a repeated object merges into what came before,
	// null empties a pointer (event, incident) and leaves a struct (data) as it was.
	err := walkObject(dec, "", nil, func(name []byte) error {
		if !nameIs(name, "event") {
			return dec.SkipValue()
		}
		ev.present = true
		return walkObject(dec, "event", func() { ev = scannedEnvelope{} }, func(name []byte) error {
			switch {
			case nameIs(name, "id"):
				return readString(dec, "event.id", &ev.id)
			case nameIs(name, "event_type"):
				return readString(dec, "event.event_type", &ev.eventType)
			case nameIs(name, "data"):
				return walkObject(dec, "event.data", nil, func(name []byte) error {
					switch {
					case nameIs(name, "id"):
						return readString(dec, "event.data.id", &ev.dataID)
					case nameIs(name, "type"):
						return readString(dec, "event.data.type", &ev.dataType)
					case nameIs(name, "incident"):
						ev.incident = true
						return walkObject(dec, "event.data.incident", func() { ev.incident, ev.incidentID = false, "" }, func(name []byte) error {
							if nameIs(name, "id") {
								return readString(dec, "event.data.incident.id", &ev.incidentID)
							}
							return dec.SkipValue()
						})
					}
					return dec.SkipValue()
				})
			}
			return dec.SkipValue()
		})
	})
	if err != nil {
		return scannedEnvelope{}, err
	}
	if _, err := dec.ReadToken(); !errors.Is(err, io.EOF) {
		return scannedEnvelope{}, errors.New("more than one JSON value")
	}
	return ev, nil
}

// nameIs compares a member's name as encoding/json does, ignoring case.
func nameIs(name []byte, want string) bool { return strings.EqualFold(string(name), want) }

// walkObject reads the object or null that comes next. For an object it calls member for each name with
// the decoder before its value, which member must consume; for null it calls null, when not nil.
func walkObject(dec *jsontext.Decoder, path string, null func(), member func(name []byte) error) error {
	tok, err := dec.ReadToken()
	if err != nil {
		return err
	}
	switch tok.Kind() {
	case 'n':
		if null != nil {
			null()
		}
		return nil
	case '{':
	default:
		if path == "" {
			return errors.New("not an object")
		}
		return fmt.Errorf("%s is not an object", path)
	}
	for dec.PeekKind() != '}' {
		// The name is read in place: it is only compared, never kept.
		raw, err := dec.ReadValue()
		if err != nil {
			return err
		}
		name := raw[1 : len(raw)-1]
		if bytes.IndexByte(name, '\\') >= 0 {
			if name, err = jsontext.AppendUnquote(nil, raw); err != nil {
				return err
			}
		}
		if err := member(name); err != nil {
			return err
		}
	}
	_, err = dec.ReadToken()
	return err
}

// readString reads a string, or null (which leaves dst as it is, as encoding/json does).
func readString(dec *jsontext.Decoder, path string, dst *string) error {
	tok, err := dec.ReadToken()
	if err != nil {
		return err
	}
	switch tok.Kind() {
	case 'n':
		return nil
	case '"':
		*dst = tok.String()
		return nil
	}
	return fmt.Errorf("%s is not a string", path)
}

// VerifySignature reports whether header (X-PagerDuty-Signature) holds a "v1=<hex HMAC-SHA256>" signature
// of body under any of the secrets. During a secret rotation PagerDuty sends several signatures separated
// by commas. An empty secret never verifies anything.
func VerifySignature(body []byte, header string, secrets []string) bool {
	if header == "" || len(secrets) == 0 {
		return false
	}
	macs := make([][]byte, 0, len(secrets))
	for _, s := range secrets {
		if s == "" {
			continue // anybody can sign with the empty key, whatever the configuration says
		}
		h := hmac.New(sha256.New, []byte(s))
		h.Write(body)
		macs = append(macs, h.Sum(nil))
	}
	if len(macs) == 0 {
		return false
	}
	ok := false
	for _, sig := range strings.Split(header, ",") {
		hexSig, found := strings.CutPrefix(strings.TrimSpace(sig), "v1=")
		if !found {
			continue
		}
		got, err := hex.DecodeString(hexSig)
		if err != nil {
			continue
		}
		for _, want := range macs {
			// Compare against every secret without stopping early, so timing says nothing of which matched.
			if hmac.Equal(got, want) {
				ok = true
			}
		}
	}
	return ok
}
