package memstore_test

import (
	"testing"

	"github.com/apicred/apicred/store"
	"github.com/apicred/apicred/store/memstore"
	"github.com/apicred/apicred/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return memstore.New() })
}
