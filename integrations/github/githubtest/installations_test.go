package githubtest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/hindsight-dev/hindsight/integrations/github/githubtest"
)

// jwt looks like a JSON web token, which is all the fake checks of one.
const jwt = "Bearer eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOjF9.c2ln"

// ask sends one request to s and returns the status and the decoded JSON body.
func ask(t *testing.T, s *githubtest.Server, method, path, auth string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, s.URL()+path, strings.NewReader(""))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", auth)
	rep, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer rep.Body.Close()
	b, _ := io.ReadAll(rep.Body)
	var v map[string]any
	if len(b) > 0 {
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatalf("%s %s: %v in %s", method, path, err, b)
		}
	}
	return rep.StatusCode, v
}

func TestInstallationsReachTheirRepositoriesOnly(t *testing.T) {
	s := githubtest.NewServer(t, "acme", "postmortems", token)
	s.SetInstallation(34)
	other := s.AddRepository("globex", "pm", 56)
	s.AddRepository("initech", "pm", 0)

	tokenOf := func(id string) string {
		t.Helper()
		status, v := ask(t, s, "POST", "app/installations/"+id+"/access_tokens", jwt)
		if status != http.StatusCreated {
			t.Fatalf("token of installation %s: %d %v", id, status, v)
		}
		return "token " + v["token"].(string)
	}
	ours, theirs := tokenOf("34"), tokenOf("56")
	if ours == theirs {
		t.Fatal("two installations share a token")
	}
	if status, v := ask(t, s, "POST", "app/installations/78/access_tokens", jwt); status != 404 || v["message"] != "Not Found" {
		t.Errorf("token of an unknown installation: %d %v", status, v)
	}

	for _, c := range []struct {
		path, auth string
		want       int
	}{
		{"repos/acme/postmortems", ours, 200},
		{"repos/globex/pm", theirs, 200},
		{"repos/GLOBEX/PM/branches/main", theirs, 200},
		{"repos/globex/pm", ours, 404},
		{"repos/acme/postmortems", theirs, 404},
		{"repos/globex/pm", "token " + token, 200}, // a personal token reaches every repository
		{"repos/globex/pm", "token wrong", 401},
	} {
		status, v := ask(t, s, "GET", c.path, c.auth)
		if status != c.want {
			t.Errorf("GET %s: %d %v, want %d", c.path, status, v, c.want)
		}
		if status == 404 && v["message"] != "Not Found" {
			t.Errorf("GET %s: message %v", c.path, v["message"])
		}
	}

	for path, want := range map[string]float64{"repos/acme/postmortems/installation": 34, "repos/globex/pm/installation": 56} {
		status, v := ask(t, s, "GET", path, jwt)
		if status != 200 || v["id"] != want {
			t.Errorf("GET %s: %d %v, want installation %v", path, status, v, want)
		}
	}
	for _, path := range []string{"repos/initech/pm/installation", "repos/nobody/pm/installation"} {
		if status, v := ask(t, s, "GET", path, jwt); status != 404 || v["message"] != "Not Found" {
			t.Errorf("GET %s: %d %v, want 404 Not Found", path, status, v)
		}
	}
	if status, _ := ask(t, s, "GET", "repos/globex/pm/installation", ours); status != 401 {
		t.Errorf("installation looked up with an installation token: %d, want 401", status)
	}
	if n := len(other.Requests()); n == 0 {
		t.Error("the added repository recorded none of its requests")
	}
}
