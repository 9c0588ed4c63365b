package credential

import (
	"hash/crc32"
	"strings"
	"testing"
	"unicode/utf8"
)

// Run one with, for example:
//
//	go test -run '^$' -fuzz '^FuzzParseSecret$' -fuzztime 10s ./credential/

// FuzzParseSecret checks that ParseSecret never panics and that whatever it
// accepts has exactly the secret layout of rule R11 with a matching checksum.
func FuzzParseSecret(f *testing.F) {
	df := DefaultFormat()
	for _, env := range []Environment{EnvironmentLive, EnvironmentTest} {
		s, err := df.NewSecret(env)
		if err != nil {
			f.Fatal(err)
		}
		v := s.Reveal()
		f.Add([]byte(v))
		f.Add([]byte(v[:len(v)-1]))
		f.Add([]byte(v + "0"))
		f.Add([]byte(strings.ToUpper(v)))
		f.Add([]byte(v[:len(v)-SecretChecksumLen] + "000000"))
	}
	f.Add([]byte(""))
	f.Add([]byte("ms_"))
	f.Add([]byte("ms_live_"))
	f.Add([]byte("ms_test_"))
	f.Add([]byte("mk_live_0123456789ABCDEFGHIJabcd"))
	f.Add([]byte("ms_live_\x00\xff"))
	f.Add([]byte("ms_prod_" + strings.Repeat("a", 49)))

	f.Fuzz(func(t *testing.T, in []byte) {
		env, err := df.ParseSecret(in)
		if err != nil {
			if env != "" {
				t.Fatalf("refused %q but returned environment %q", in, env)
			}
			return
		}
		if !env.Valid() {
			t.Fatalf("accepted %q with environment %q", in, env)
		}
		head := "ms_" + string(env) + "_"
		if !strings.HasPrefix(string(in), head) {
			t.Fatalf("accepted %q, which does not start with %q", in, head)
		}
		if len(in) != len(head)+SecretRandomLen+SecretChecksumLen {
			t.Fatalf("accepted %q of length %d", in, len(in))
		}
		for _, c := range in[len(head):] {
			if !isBase62(c) {
				t.Fatalf("accepted %q with the non-base62 byte %q", in, c)
			}
		}
		body := in[:len(in)-SecretChecksumLen]
		if got, want := string(in[len(body):]), referenceChecksum(crc32.Checksum(body, crc32.MakeTable(crc32.Castagnoli))); got != want {
			t.Fatalf("accepted %q with checksum %q, want %q", in, got, want)
		}
		if again, err := df.ParseSecret(in); err != nil || again != env {
			t.Fatalf("ParseSecret(%q) is not deterministic", in)
		}
		if hint := df.SecretHint(NewSecret(string(in))); hint != head+"…"+string(in[len(in)-4:]) {
			t.Fatalf("hint %q for an accepted secret", hint)
		}
	})
}

// FuzzParseClientID checks that ParseClientID never panics and accepts only
// the client ID layout of rule R11.
func FuzzParseClientID(f *testing.F) {
	df := DefaultFormat()
	for _, env := range []Environment{EnvironmentLive, EnvironmentTest} {
		id, err := df.NewClientID(env)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(id)
		f.Add(id[:len(id)-1])
		f.Add(id + "a")
	}
	f.Add("")
	f.Add("mk_")
	f.Add("mk_live_")
	f.Add("ms_live_" + strings.Repeat("a", 24))
	f.Add("mk_live_" + strings.Repeat("é", 12))

	f.Fuzz(func(t *testing.T, in string) {
		env, err := df.ParseClientID(in)
		if err != nil {
			if env != "" {
				t.Fatalf("refused %q but returned environment %q", in, env)
			}
			return
		}
		head := "mk_" + string(env) + "_"
		if !env.Valid() || !strings.HasPrefix(in, head) || len(in) != len(head)+ClientIDRandomLen {
			t.Fatalf("accepted %q (environment %q)", in, env)
		}
		for i := len(head); i < len(in); i++ {
			if !isBase62(in[i]) {
				t.Fatalf("accepted %q with the non-base62 byte %q", in, in[i])
			}
		}
	})
}

// FuzzValidScope checks that ValidScope never panics and accepts only
// lowercase segments joined by ':' (rule R13).
func FuzzValidScope(f *testing.F) {
	for _, s := range []string{"products:read", "a:b:c", "Products:read", ":read", "products:", "products", "a b:c", "a::b", "v2.x_y-z:r", "é:a", strings.Repeat("a:", 70)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !ValidScope(s) {
			return
		}
		if len(s) > MaxScopeLen || !strings.Contains(s, ":") {
			t.Fatalf("accepted %q", s)
		}
		for seg := range strings.SplitSeq(s, ":") {
			if seg == "" || seg[0] < 'a' || seg[0] > 'z' {
				t.Fatalf("accepted %q with the segment %q", s, seg)
			}
			for i := 0; i < len(seg); i++ {
				if !strings.ContainsRune("abcdefghijklmnopqrstuvwxyz0123456789_-.", rune(seg[i])) {
					t.Fatalf("accepted %q with the byte %q", s, seg[i])
				}
			}
		}
		// A valid scope is usable in a registry and a fine grained access.
		r, err := NewScopeRegistry(s)
		if err != nil || !r.Known(s) {
			t.Fatalf("registry refused the valid scope %q: %v", s, err)
		}
		var v ValidationError
		ValidateAccess(&v, AccessFineGrained, []string{s}, r)
		if v.Err() != nil {
			t.Fatalf("ValidateAccess refused the valid scope %q: %v", s, v.Err())
		}
	})
}

// fixedTexts is every text a validation error may hold apart from a valid
// metadata key: field names and messages. An input that is part of it may
// of course "appear" in an error.
var fixedTexts = strings.Join([]string{
	"credential: invalid input: ; : ",
	"tenant_id name actor contact_email reason metadata metadata. scopes",
	"is required",
	"must be valid UTF-8",
	"must be at most 128 characters", "must be at most 200 characters",
	"must be at most 256 characters", "must be at most 1000 characters",
	"must not contain control characters",
	"must not start or end with white space",
	"must be at most 254 bytes",
	"must be a valid email address such as dev@example.com",
	"keys must be 1 to 64 ASCII letters, digits, '_', '-' or '.'",
	"must have at most 16 entries",
}, "\n")

// FuzzValidateInputs checks the field validators of rules R13 and R14: no
// panic, and an error never repeats an offending value.
func FuzzValidateInputs(f *testing.F) {
	f.Add("ERP Sync", "dev@example.com", "key leaked", "team", "erp")
	f.Add("", "", "", "", "")
	f.Add(" s3cr3t-value ", "s3cr3t-value", "s3cr3t-value\x00", "s3cr3t-value", "s3cr3t-value\x01")
	f.Add("bad \xff utf8", "Dev <dev@example.com>", "\x1b[31m", "bad key", strings.Repeat("v", 300))
	f.Add(strings.Repeat("é", 201), "a@b", "\n\t\r", "k.k-k_k", "\u0085")
	f.Add("🚀", strings.Repeat("a", 250)+"@b.co", strings.Repeat("x", 1001), strings.Repeat("k", 65), "")

	f.Fuzz(func(t *testing.T, name, email, reason, key, value string) {
		var v ValidationError
		add := func(field, msg string) {
			if msg != "" {
				v.Add(field, msg)
			}
		}
		add("tenant_id", ValidateTenantID(name))
		add("name", ValidateName(NormalizeName(name)))
		add("name", ValidateName(name))
		add("actor", ValidateActor(name))
		add("contact_email", ValidateContactEmail(email, false))
		add("contact_email", ValidateContactEmail(email, true))
		add("reason", ValidateReason(reason, false))
		add("reason", ValidateReason(reason, true))
		ValidateMetadata(&v, map[string]string{key: value})
		ValidateMetadata(&v, map[string]string{"k": name, key: reason})

		err := v.Err()
		if err == nil {
			return
		}
		text := err.Error()
		shownKey := ""
		if validMetadataKey(key) {
			shownKey = "metadata." + key // a valid key names its entry
		}
		for _, in := range []struct{ what, value string }{
			{"name", name}, {"email", email}, {"reason", reason}, {"metadata value", value}, {"metadata key", key},
		} {
			if len(in.value) <= 8 || !strings.Contains(text, in.value) {
				continue
			}
			if strings.Contains(fixedTexts, in.value) || strings.Contains(shownKey, in.value) || strings.Contains("metadata.k", in.value) {
				continue
			}
			t.Fatalf("the error repeats the %s %q: %s", in.what, in.value, text)
		}
		for _, fe := range v.Fields {
			if !utf8.ValidString(fe.Field) || !utf8.ValidString(fe.Message) {
				t.Fatalf("an error text is not valid UTF-8: %q: %q", fe.Field, fe.Message)
			}
			if !strings.Contains(fixedTexts, fe.Message) {
				t.Fatalf("unexpected message %q: messages must be fixed texts", fe.Message)
			}
		}
	})
}
