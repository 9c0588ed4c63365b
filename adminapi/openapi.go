package adminapi

import (
	_ "embed"
	"net/http"
	"strconv"
)

// openAPIDocument is the OpenAPI 3.1 document of the API, written by hand
// and tested against the route table.
//
//go:embed openapi.json
var openAPIDocument []byte

// OpenAPI returns a copy of the OpenAPI 3.1 document (JSON) that the
// Handler serves at GET /openapi.json, for a service that publishes it
// elsewhere.
func OpenAPI() []byte {
	return append([]byte(nil), openAPIDocument...)
}

// openAPI serves the document: GET /openapi.json.
func (h *Handler) openAPI(w http.ResponseWriter, _ *http.Request, _ call) error {
	hd := w.Header()
	hd.Set("Content-Type", "application/json")
	hd.Set("Content-Length", strconv.Itoa(len(openAPIDocument)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(openAPIDocument)
	return nil
}
