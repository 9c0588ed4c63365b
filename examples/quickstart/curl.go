package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/apicred/apicred/examples/internal/demo"
)

// printIntro says where the server listens and what it serves.
func printIntro(out io.Writer, base, store string) {
	fmt.Fprintf(out, "apicred quickstart on %s (store: %s)\n\n", base, store)
	fmt.Fprintf(out, "  management API  %s/admin/      Authorization: Bearer <demo admin token>\n", base)
	fmt.Fprintf(out, "  example API     %s/v1/products  HTTP Basic client ID + secret, scope %s\n\n", base, demo.ProductsRead)
}

// printCurl prints the walk-through as lines a person pastes into bash,
// one numbered block at a time. They run as printed: the answers' IDs
// and secrets are picked out with grep and cut, so no jq is needed.
func printCurl(out io.Writer, base, adminToken string) {
	fmt.Fprint(out, curlScript(base, adminToken))
}

// curlScript is the text printCurl prints: comments and shell commands
// only, so that the whole of it is also a bash script.
func curlScript(base, adminToken string) string {
	creds := "$API/admin/tenants/" + demo.Tenant + "/credentials"
	r := strings.NewReplacer("{{BASE}}", base, "{{TOKEN}}", adminToken, "{{CREDS}}", creds)
	return r.Replace(`# The walk-through, in bash: paste one numbered block at a time.
# The demo admin token is new at every start and valid for this run only.

# 0. Where the server is, and this run's demo admin token.
API={{BASE}}
ADMIN_TOKEN={{TOKEN}}

# 1. Create a credential. The answer holds its client secret, shown this once.
CREATED=$(curl -sS -X POST "{{CREDS}}" \
  -H "Authorization: Bearer $ADMIN_TOKEN" -H 'Content-Type: application/json' \
  -d '{"name":"ERP Sync","contact_email":"erp-team@example.com","access":"fine_grained","scopes":["products:read"]}')
echo "$CREATED"
# Pick out the credential ID, the client ID and the secret (or set them by hand from the answer):
CRED_ID=$(printf '%s' "$CREATED" | grep -o '"id": *"[^"]*"' | head -n 1 | cut -d '"' -f 4)
CLIENT_ID=$(printf '%s' "$CREATED" | grep -o '"client_id": *"[^"]*"' | head -n 1 | cut -d '"' -f 4)
SECRET=$(printf '%s' "$CREATED" | grep -o '"client_secret": *"[^"]*"' | head -n 1 | cut -d '"' -f 4)

# 2. Call the protected API with it: HTTP 200 and the product list.
curl -sS -u "$CLIENT_ID:$SECRET" -w '\nHTTP %{http_code}\n' "$API/v1/products"

# 3. Rotate: same client ID, a new secret (shown this once). The old one stops working now.
ROTATED=$(curl -sS -X POST "{{CREDS}}/$CRED_ID/rotate" \
  -H "Authorization: Bearer $ADMIN_TOKEN" -H 'Content-Type: application/json' \
  -d '{"reason":"Scheduled quarterly rotation"}')
echo "$ROTATED"
NEW_SECRET=$(printf '%s' "$ROTATED" | grep -o '"client_secret": *"[^"]*"' | head -n 1 | cut -d '"' -f 4)

# 4. The old secret now gets HTTP 401; the new one gets HTTP 200.
curl -sS -u "$CLIENT_ID:$SECRET" -w '\nHTTP %{http_code}\n' "$API/v1/products"
curl -sS -u "$CLIENT_ID:$NEW_SECRET" -o /dev/null -w 'HTTP %{http_code}\n' "$API/v1/products"

# 5. Revoke it for good (a reason is required). From now on every call gets HTTP 401.
curl -sS -X POST "{{CREDS}}/$CRED_ID/revoke" \
  -H "Authorization: Bearer $ADMIN_TOKEN" -H 'Content-Type: application/json' \
  -d '{"reason":"Quickstart finished"}' -w '\nHTTP %{http_code}\n'
curl -sS -u "$CLIENT_ID:$NEW_SECRET" -w '\nHTTP %{http_code}\n' "$API/v1/products"

# 6. The audit trail of the credential: created, rotated, revoked.
curl -sS -H "Authorization: Bearer $ADMIN_TOKEN" -w '\n' "{{CREDS}}/$CRED_ID/events"
`)
}
