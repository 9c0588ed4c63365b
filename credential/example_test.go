package credential_test

import (
	"encoding/json"
	"fmt"
	"log"
	"log/slog"
	"os"

	"github.com/apicred/apicred/credential"
)

// A Secret redacts itself wherever it could leak by accident: fmt, JSON and
// slog (rule R8). Only Reveal returns the value.
func ExampleSecret() {
	secret := credential.NewSecret("ms_live_s3cr3t")

	fmt.Println(secret)
	fmt.Printf("%s %q %x %#v\n", secret, secret, secret, secret)

	b, err := json.Marshal(struct {
		ClientID string
		Secret   credential.Secret
	}{"mk_live_abc", secret})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(b))

	// Remove the time so the output is stable.
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey && len(groups) == 0 {
				return slog.Attr{}
			}
			return a
		},
	}))
	logger.Info("issued", "client_id", "mk_live_abc", "secret", secret)

	fmt.Println(secret.Reveal())
	// Output:
	// [REDACTED]
	// [REDACTED] [REDACTED] [REDACTED] [REDACTED]
	// {"ClientID":"mk_live_abc","Secret":"[REDACTED]"}
	// level=INFO msg=issued client_id=mk_live_abc secret=[REDACTED]
	// ms_live_s3cr3t
}

// A generated secret is checked offline by its checksum before any store is
// read (rule R11), and its hint is safe to display.
func ExampleFormat_ParseSecret() {
	f := credential.DefaultFormat()
	secret, err := f.NewSecret(credential.EnvironmentTest)
	if err != nil {
		log.Fatal(err)
	}
	env, err := f.ParseSecret([]byte(secret.Reveal()))
	fmt.Println(env, err)

	typo := []byte(secret.Reveal())
	typo[20] ^= 0x01 // one character changed
	_, err = f.ParseSecret(typo)
	fmt.Println(err)
	// Output:
	// test <nil>
	// credential: malformed client ID or secret
}
