package adminapi_test

import (
	"bytes"
	"encoding/json"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apicred/apicred/adminapi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// openAPIDoc is the part of the OpenAPI document the tests read.
type openAPIDoc struct {
	OpenAPI    string                                `json:"openapi"`
	Info       map[string]any                        `json:"info"`
	Paths      map[string]map[string]json.RawMessage `json:"paths"`
	Components struct {
		Schemas   map[string]openAPISchema `json:"schemas"`
		Responses map[string]any           `json:"responses"`
	} `json:"components"`
}

type openAPIOperation struct {
	OperationID string                     `json:"operationId"`
	Responses   map[string]json.RawMessage `json:"responses"`
}

type openAPISchema struct {
	Required   []string                   `json:"required"`
	Properties map[string]json.RawMessage `json:"properties"`
}

var httpMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// servedDocument fetches the document from the Handler and parses it.
func servedDocument(t *testing.T, e *env) (openAPIDoc, []byte) {
	t.Helper()
	r := e.do(http.MethodGet, "/openapi.json", nil, as(nobody))
	require.Equal(t, http.StatusOK, r.Status)
	assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
	assert.Equal(t, adminapi.OpenAPI(), r.Body, "the served document is the one OpenAPI returns")
	var doc openAPIDoc
	dec := json.NewDecoder(bytes.NewReader(r.Body))
	require.NoError(t, dec.Decode(&doc))
	return doc, r.Body
}

// operations returns the document's operations keyed "METHOD path".
func (d openAPIDoc) operations(t *testing.T) map[string]openAPIOperation {
	t.Helper()
	ops := map[string]openAPIOperation{}
	for path, item := range d.Paths {
		for key, raw := range item {
			if !slices.Contains(httpMethods, key) {
				continue
			}
			var op openAPIOperation
			require.NoError(t, json.Unmarshal(raw, &op))
			ops[strings.ToUpper(key)+" "+path] = op
		}
	}
	return ops
}

func TestOpenAPIDocumentDescribesEveryRouteAndNothingElse(t *testing.T) {
	e := newEnv(t)
	doc, _ := servedDocument(t, e)
	assert.True(t, strings.HasPrefix(doc.OpenAPI, "3.1."), "an OpenAPI 3.1 document")
	assert.Contains(t, doc.Info["description"], "## Security", "the document carries a security note")

	ops := doc.operations(t)
	routes := adminapi.Routes()
	served := map[string]bool{}
	for _, rt := range routes {
		key := rt.Method + " " + rt.Path
		served[key] = true
		op, ok := ops[key]
		if !assert.Truef(t, ok, "the document describes %s", key) {
			continue
		}
		assert.NotEmptyf(t, op.OperationID, "%s has an operationId", key)
		var documented []int
		for status := range op.Responses {
			n, err := strconv.Atoi(status)
			require.NoErrorf(t, err, "%s: response %q is a status code", key, status)
			documented = append(documented, n)
		}
		assert.ElementsMatchf(t, rt.Statuses, documented, "%s: the document lists exactly the statuses the handler answers", key)
	}
	for key := range ops {
		assert.Truef(t, served[key], "the document's %s is served", key)
	}
	assert.Len(t, ops, len(routes))

	// Statuses the handler answers on any path.
	for _, name := range []string{"NotFound", "MethodNotAllowed"} {
		assert.Containsf(t, doc.Components.Responses, name, "components.responses.%s", name)
	}
}

func TestOpenAPIDocumentDeclaresEveryPathParameter(t *testing.T) {
	e := newEnv(t)
	_, raw := servedDocument(t, e)
	var doc struct {
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			Parameters map[string]struct {
				Name string `json:"name"`
				In   string `json:"in"`
			} `json:"parameters"`
		} `json:"components"`
	}
	require.NoError(t, json.Unmarshal(raw, &doc))
	wildcard := regexp.MustCompile(`\{([a-z]+)\}`)
	for path, item := range doc.Paths {
		var params []struct {
			Ref string `json:"$ref"`
		}
		if p, ok := item["parameters"]; ok {
			require.NoError(t, json.Unmarshal(p, &params))
		}
		var declared []string
		for _, p := range params {
			c, ok := doc.Components.Parameters[strings.TrimPrefix(p.Ref, "#/components/parameters/")]
			require.Truef(t, ok, "%s: parameter %s resolves", path, p.Ref)
			if c.In == "path" {
				declared = append(declared, c.Name)
			}
		}
		var want []string
		for _, m := range wildcard.FindAllStringSubmatch(path, -1) {
			want = append(want, m[1])
		}
		assert.ElementsMatchf(t, want, declared, "%s declares its path parameters", path)
	}
}

func TestOpenAPIDocumentReferencesResolve(t *testing.T) {
	e := newEnv(t)
	_, raw := servedDocument(t, e)
	var tree map[string]any
	require.NoError(t, json.Unmarshal(raw, &tree))
	var walk func(v any)
	refs := 0
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if ref, ok := v["$ref"].(string); ok {
				refs++
				require.Truef(t, strings.HasPrefix(ref, "#/"), "a local reference: %s", ref)
				var node any = tree
				for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
					m, ok := node.(map[string]any)
					require.Truef(t, ok, "%s resolves", ref)
					node, ok = m[part]
					require.Truef(t, ok, "%s resolves", ref)
				}
			}
			for _, c := range v {
				walk(c)
			}
		case []any:
			for _, c := range v {
				walk(c)
			}
		}
	}
	walk(tree)
	assert.Greater(t, refs, 50)
}

// TestOpenAPISchemasMatchTheBodies compares each schema's properties with
// the keys of a real body, and each request schema with the fields the
// handler accepts.
func TestOpenAPISchemasMatchTheBodies(t *testing.T) {
	e := newEnv(t)
	doc, _ := servedDocument(t, e)
	created := e.do(http.MethodPost, "/tenants/acme/credentials", map[string]any{"name": "n", "access": "full", "expires_at": t0.Add(time.Hour).Format(time.RFC3339)})
	require.Equal(t, http.StatusCreated, created.Status)
	one := created.object(t)
	cred := one["credential"].(map[string]any)
	id := cred["id"].(string)
	events := e.do(http.MethodGet, "/tenants/acme/credentials/"+id+"/events", nil).object(t)
	list := e.do(http.MethodGet, "/tenants/acme/credentials", nil).object(t)
	validation := e.do(http.MethodPost, "/tenants/acme/credentials", map[string]any{}).object(t)
	scopes := e.do(http.MethodGet, "/scopes", nil).object(t)

	bodies := map[string]map[string]any{
		"OneTime":        one,
		"Credential":     cred,
		"CredentialPage": list,
		"EventPage":      events,
		"Event":          events["events"].([]any)[0].(map[string]any),
		"Scopes":         scopes,
		"Problem":        validation,
		"FieldError":     validation["errors"].([]any)[0].(map[string]any),
	}
	for name, body := range bodies {
		s, ok := doc.Components.Schemas[name]
		require.Truef(t, ok, "schema %s", name)
		keys := slices.Sorted(maps.Keys(body))
		assert.ElementsMatchf(t, slices.Sorted(maps.Keys(s.Properties)), keys, "schema %s has the body's properties", name)
		if name != "Problem" {
			assert.ElementsMatchf(t, s.Required, keys, "schema %s requires every property the handler always writes", name)
		}
	}
	for name, fields := range adminapi.RequestFields() {
		s, ok := doc.Components.Schemas[name]
		require.Truef(t, ok, "schema %s", name)
		assert.ElementsMatchf(t, fields, slices.Collect(maps.Keys(s.Properties)), "schema %s has the fields the handler accepts", name)
	}
}
